from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "parcours.workshops"
    verbose_name = "Ateliers"
