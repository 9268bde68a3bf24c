from django.apps import AppConfig


class EmploymentConfig(AppConfig):
    name = "parcours.employment"
    verbose_name = "Emploi et formation"
