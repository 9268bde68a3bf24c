from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "parcours.funding"
    verbose_name = "Financements"

    def ready(self):
        from parcours.statistics import sections

        from .statistics import funding_section

        sections.register(funding_section)
