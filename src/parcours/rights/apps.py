from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "parcours.rights"
    verbose_name = "Droits (AFIS, APS)"
