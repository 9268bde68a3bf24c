from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "parcours.records"
    verbose_name = "Pièces du dossier et récit de vie"
