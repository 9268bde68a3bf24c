from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "parcours.privacy"
    label = "privacy"
    verbose_name = "Vie privée"

    def ready(self):
        from . import guard

        guard.connect()
