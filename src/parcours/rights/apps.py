from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RightsConfig(AppConfig):
    name = "parcours.rights"
    verbose_name = "Droits (AFIS, APS)"

    def ready(self):
        from parcours.people.sections import register_section

        register_section(90, "rights:person", _("Droits"), "person_file")
