from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "parcours.statistics"
    verbose_name = "Statistiques"
