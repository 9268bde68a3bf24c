from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "parcours.transfers"
    verbose_name = "Transferts de dossiers entre associations"
