from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from parcours.core.templatetags.choices import display
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
    "reconvene": _("Demande reportée à une nouvelle séance"),
    **{a: tr.done for a, tr in rules.REQUEST_TRANSITIONS.items()},
    **{a: tr.done for a, tr in rules.PATHWAY_TRANSITIONS.items()},
}
# A step on a request moves the request's status, any other step the pathway's: the two sets share values
# (« refused » is « Refusée » for a request, « Entrée refusée » for a pathway).
REQUEST_STATUS_LABELS = dict(rules.RequestStatus.choices)
PATHWAY_STATUS_LABELS = dict(rules.PathwayStatus.choices)


@register.filter
def event_label(action: str) -> str:
    return EVENT_LABELS.get(action, action)


@register.filter
def status_change(event) -> str:
    """« (from → to) » of a timeline's step, read in the request's statuses for a step on a request."""
    if not (event.from_status and event.to_status):
        return ""
    labels = REQUEST_STATUS_LABELS if event.request_id else PATHWAY_STATUS_LABELS
    before, after = (labels.get(status, status) for status in (event.from_status, event.to_status))
    return f"({before} → {after})"


# The DSFR badge of a status: green when it goes on, orange when something is awaited, red for a refusal,
# grey once over, blue otherwise.
BADGE_COLOURS = {"active": "success", "authorised": "success", "lapsed": "warning", "adjourned": "warning",
                 "refused": "error", "exited": "", "withdrawn": ""}  # fmt: skip


@register.simple_tag
def status_badge(obj) -> str:
    """The badge of a pathway's or a request's status. One call per line of a list: the caseload shows fifty
    (an included template with its conditions, and Django's get_status_display, which reads every label of
    the choices at each call, cost a third of that page's rendering; issue 15)."""
    colour = BADGE_COLOURS.get(obj.status, "info")
    label = display(obj, "status")  # as get_status_display, without its cost
    return format_html('<p class="fr-badge fr-badge--sm fr-badge--no-icon{}">{}</p>',
                       f" fr-badge--{colour}" if colour else "", label)  # fmt: skip
