from django.apps import AppConfig


class PortabilityConfig(AppConfig):
    name = "parcours.portability"
    verbose_name = "Import et export des données"
