from django.apps import AppConfig


class PathwayConfig(AppConfig):
    name = "parcours.pathway"
    verbose_name = "Parcours de sortie de la prostitution"
