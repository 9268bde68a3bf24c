from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "parcours.sharing"
    verbose_name = "Partage avec les partenaires"
