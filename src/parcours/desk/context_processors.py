from functools import lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from parcours.accounts.permissions import can
from parcours.accounts.roles import Role

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


URL_NAMES = {
    rule: name
    for entry in NAV
    for rule, name, _label in (entry[1] if isinstance(entry[1], tuple) else (entry,))
}
HEADER_URLS = {"organisation": "accounts:organisation", "notifications": "notifications:inbox",
               "security": "accounts:security", "logout": "accounts:logout"}  # fmt: skip


def _entries(entries, allowed, current, prefix, urlconf):
    return [{"url": _url(name, prefix, urlconf), "label": label, "current": rule in current}
            for rule, name, label in entries if rule in allowed]  # fmt: skip


def nav_items(allowed: frozenset, current: frozenset, prefix: str, urlconf: str) -> list[dict]:
    """The menu of a role allowed the page rules `allowed`, the `current` ones marked: links, and groups
    ({"label", "children", "current"}) when it is long."""
    blocks = []
    for entry in NAV:
        if isinstance(entry[1], tuple):
            blocks.append(
                {"label": entry[0], "children": _entries(entry[1], allowed, current, prefix, urlconf)}
            )
        else:
            blocks.extend(_entries((entry,), allowed, current, prefix, urlconf))
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


@lru_cache(maxsize=512)
def menu(language: str | None, allowed: frozenset, current: frozenset, prefix: str, urlconf: str) -> str:
    """The menu's HTML, rendered once per process for each language, set of allowed pages and current page
    (decision 0064): it depends on nothing else, and the loop over its entries cost a fifth of the layout."""
    items = nav_items(allowed, current, prefix, urlconf)
    return render_to_string("desk/menu.html", {"nav_items": items}) if items else ""


@lru_cache(maxsize=64)
def _role_label(language: str | None, role: str) -> str:
    return str(dict(Role.choices).get(role, role))  # as get_role_display, for an unknown value too


def parcours(request):
    membership = getattr(request, "membership", None)
    prefix, urlconf = get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
    language = get_language()
    context = {
        "STATE_BRANDING": settings.PARCOURS_STATE_BRANDING,
        "SITE_TITLE": settings.PARCOURS_SITE_TITLE,
        "membership": membership,
        "menu": "",
        "header_urls": {key: _url(name, prefix, urlconf) for key, name in HEADER_URLS.items()},
    }
    if membership is not None:
        allowed = frozenset(rule for rule in URL_NAMES if can(membership, rule))
        current = frozenset(
            rule for rule in allowed if request.path.startswith(_url(URL_NAMES[rule], prefix, urlconf))
        )
        context["menu"] = menu(language, allowed, current, prefix, urlconf)  # render_to_string: safe HTML
        context["role_label"] = _role_label(language, membership.role)
    return context
