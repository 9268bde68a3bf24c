"""The sections of a person's file, shown as a sub-menu on every page about her."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from parcours.accounts.permissions import can

# url name taking the person's pk -> (position, label, page rule). People's own sections are here; the apps
# above people add theirs from their AppConfig.ready() with `register_section` (people imports none of them:
# docs/decisions/0027-layered-apps.md). The position orders the menu.
PERSON_SECTIONS: dict[str, tuple[int, str, str]] = {
    "people:person": (10, _("Synthèse"), "person_view"),
    "people:situation": (20, _("Identité et situation"), "person_file"),
}


def register_section(position: int, name: str, label, rule: str) -> None:
    PERSON_SECTIONS[name] = (position, label, rule)


def person_sections(membership, person, current_path: str) -> list[dict]:
    items = []
    for name, (_position, label, rule) in sorted(PERSON_SECTIONS.items(), key=lambda s: s[1][0]):
        if not can(membership, rule):
            continue
        try:
            url = reverse(name, args=[person.pk])
        except NoReverseMatch:  # a section not built yet
            continue
        items.append({"url": url, "label": label, "current": current_path == url})
    return items
