from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from parcours.accounts.permissions import can

# (page rule, url name, label): the menu shows what the role may open. A tuple (label, entries) is a group:
# when a role has more than MAX_FLAT entries in all, each group of two or more becomes one drop-down menu
# (DSFR « menu déroulant »), so that the header fits on one line at 1280 px.
NAV = (
    ("todo", "pathway:todo", _("À faire")),
    ("caseload", "people:caseload", _("Personnes suivies")),
    ("agenda", "followup:agenda", _("Agenda")),
    ("inbox", "pathway:inbox", _("Demandes reçues")),
    ("session_list", "pathway:sessions", _("Séances")),
    ("decision", "pathway:decisions", _("Décisions")),
    ("volunteer_home", "core:volunteer", _("Accueil")),
    (
        _("Activité collective"),
        (
            ("outreach", "outreach:sessions", _("Permanences et maraudes")),
            ("workshops", "workshops:list", _("Ateliers")),
            ("team_meetings", "followup:meetings", _("Réunions d'équipe")),
            ("employment", "employment:index", _("Emploi")),
            ("directory", "directory:list", _("Annuaire")),
        ),
    ),
    ("shared_people", "sharing:people", _("Personnes partagées")),
    (
        _("Pilotage"),
        (
            ("statistics", "statistics:dashboard", _("Statistiques")),
            ("funding", "funding:home", _("Financements")),
            ("audit_journal", "audit:journal", _("Journal des accès")),
            ("organisation", "accounts:organisation", _("Mon organisation")),
            ("administration", "onboarding:organisations", _("Administration")),
            ("portability", "portability:home", _("Import et export")),
        ),
    ),
)
MAX_FLAT = 7


@lru_cache(maxsize=256)
def _url(name: str, prefix: str, urlconf: str) -> str:
    """The menu's addresses, resolved once per process, script prefix and URL configuration: the menu is
    on every page."""
    return reverse(name, urlconf=urlconf)


def _entries(membership, request, entries):
    items = []
    prefix, urlconf = get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
    for rule, name, label in entries:
        if can(membership, rule):
            url = _url(name, prefix, urlconf)
            items.append({"url": url, "label": label, "current": request.path.startswith(url)})
    return items


def nav_items(membership, request) -> list[dict]:
    """The menu of `membership`: links, and groups ({"label", "children", "current"}) when it is long."""
    blocks = []
    for entry in NAV:
        if isinstance(entry[1], tuple):
            blocks.append({"label": entry[0], "children": _entries(membership, request, entry[1])})
        else:
            blocks.extend(_entries(membership, request, (entry,)))
    flat = [item for block in blocks for item in block.get("children", [block])]
    if len(flat) <= MAX_FLAT:
        return flat
    items = []
    for block in blocks:
        children = block.get("children")
        if children is None or len(children) == 1:
            items.extend(children or [block])
        elif children:
            block["current"] = any(child["current"] for child in children)
            items.append(block)
    return items


def parcours(request):
    membership = getattr(request, "membership", None)
    items = nav_items(membership, request) if membership is not None else []
    return {
        "STATE_BRANDING": settings.PARCOURS_STATE_BRANDING,
        "SITE_TITLE": settings.PARCOURS_SITE_TITLE,
        "membership": membership,
        "nav_items": items,
    }
