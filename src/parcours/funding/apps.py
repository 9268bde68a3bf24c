from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "parcours.funding"
    verbose_name = "Financements"

    def ready(self):
        from parcours.notifications import due
        from parcours.statistics import sections

        from .reports_due import due_items
        from .statistics import funding_section

        sections.register(funding_section)
        due.register(due_items)
