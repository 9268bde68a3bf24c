from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "parcours.records"
    verbose_name = "Pièces du dossier et récit de vie"

    def ready(self):
        from parcours.core import crypto
        from parcours.people.sections import register_section
        from parcours.records import files

        register_section(70, "records:documents", _("Documents"), "person_file")
        register_section(80, "records:life_story", _("Récit de vie"), "person_file")
        crypto.register_rewrapper("records.Document (fichiers déposés)", files.rewrap)
