from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "parcours.records"
    verbose_name = "Pièces du dossier et récit de vie"

    def ready(self):
        from parcours.core import crypto
        from parcours.records import files

        crypto.register_rewrapper("records.Document (fichiers déposés)", files.rewrap)
