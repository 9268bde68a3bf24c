from django.apps import AppConfig


class PapersConfig(AppConfig):
    name = "parcours.papers"
    verbose_name = "Documents officiels"
