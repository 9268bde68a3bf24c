from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "parcours.funding"
    verbose_name = "Financements"
