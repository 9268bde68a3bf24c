from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "parcours.outreach"
    verbose_name = "Permanences et maraudes"
