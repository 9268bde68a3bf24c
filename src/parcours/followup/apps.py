from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "parcours.followup"
    verbose_name = "Suivi de l'accompagnement"

    def ready(self):
        from parcours.pathway.signals import request_validated
        from parcours.people.sections import register_section

        from . import services

        # The plan validated by the head of service reaches the action plan without an import button.
        request_validated.connect(services.copy_plan_on_validation, dispatch_uid="followup.copy_plan")

        register_section(30, "followup:notes", _("Entretiens"), "person_file")
        register_section(40, "followup:actions", _("Plan d'action"), "person_file")
        register_section(50, "followup:appointments", _("Rendez-vous"), "person_file")
        register_section(60, "followup:referrals", _("Orientations"), "person_file")
