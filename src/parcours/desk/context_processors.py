from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from parcours.accounts.permissions import can

# (page rule, url name, label): the menu shows what the role may open.
NAV = (
    ("todo", "pathway:todo", _("À faire")),
    ("caseload", "people:caseload", _("Personnes suivies")),
    ("agenda", "followup:agenda", _("Agenda")),
    ("inbox", "pathway:inbox", _("Demandes reçues")),
    ("session_list", "pathway:sessions", _("Séances")),
    ("decision", "pathway:decisions", _("Décisions")),
    ("volunteer_home", "core:volunteer", _("Accueil")),
    ("workshops", "workshops:list", _("Ateliers")),
    ("team_meetings", "followup:meetings", _("Réunions d'équipe")),
    ("outreach", "outreach:sessions", _("Permanences et maraudes")),
    ("statistics", "statistics:dashboard", _("Statistiques")),
    ("shared_people", "sharing:people", _("Personnes partagées")),
    ("audit_journal", "audit:journal", _("Journal des accès")),
    ("organisation", "accounts:organisation", _("Mon organisation")),
    ("administration", "onboarding:organisations", _("Administration")),
)


def parcours(request):
    membership = getattr(request, "membership", None)
    items = []
    if membership is not None:
        for rule, name, label in NAV:
            if can(membership, rule):
                url = reverse(name)
                items.append({"url": url, "label": label, "current": request.path.startswith(url)})
    return {
        "STATE_BRANDING": settings.PARCOURS_STATE_BRANDING,
        "SITE_TITLE": settings.PARCOURS_SITE_TITLE,
        "membership": membership,
        "nav_items": items,
    }
