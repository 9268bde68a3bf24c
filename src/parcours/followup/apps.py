from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "parcours.followup"
    verbose_name = "Suivi de l'accompagnement"
