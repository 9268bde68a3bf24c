from django.apps import AppConfig


class DeskConfig(AppConfig):
    """The top layer: pages that combine several apps (docs/decisions/0027-layered-apps.md)."""

    name = "parcours.desk"
    verbose_name = "Pages de travail"

    def ready(self):
        from . import site_config

        site_config.connect()
