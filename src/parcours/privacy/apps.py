from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "parcours.privacy"
    label = "privacy"
    verbose_name = "Vie privée"

    def ready(self):
        from parcours.people.sections import register_section

        from . import guard

        guard.connect()
        register_section(100, "privacy:person", _("Vie privée"), "privacy")
