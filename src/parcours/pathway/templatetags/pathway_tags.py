from django import template
from django.utils.translation import gettext_lazy as _

from parcours.pathway import rules

register = template.Library()

EVENT_LABELS = {
    "open_pathway": _("Ouverture du parcours"),
    "open_request": _("Demande créée"),
    "update_request": _("Demande modifiée"),
    "pathway_status": _("Statut du parcours"),
    "close_request": _("Demande close par la fin du parcours"),
    "transfer": _("Dossier transféré à une autre association"),
    "import_history": _("Période reprise de l'historique de l'association (import)"),
    **{a: tr.done for a, tr in rules.REQUEST_TRANSITIONS.items()},
    **{a: tr.done for a, tr in rules.PATHWAY_TRANSITIONS.items()},
}
STATUS_LABELS = {**dict(rules.RequestStatus.choices), **dict(rules.PathwayStatus.choices)}


@register.filter
def event_label(action: str) -> str:
    return EVENT_LABELS.get(action, action)


@register.filter
def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)
