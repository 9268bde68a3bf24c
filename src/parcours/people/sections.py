"""The sections of a person's file, shown as a sub-menu on every page about her."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from parcours.accounts.permissions import can

# (url name taking the person's pk, label, page rule)
PERSON_SECTIONS = (
    ("people:person", _("Synthèse"), "person_view"),
    ("people:situation", _("Identité et situation"), "person_file"),
    ("followup:notes", _("Entretiens"), "person_file"),
    ("followup:actions", _("Plan d'action"), "person_file"),
    ("followup:appointments", _("Rendez-vous"), "person_file"),
    ("followup:referrals", _("Orientations"), "person_file"),
    ("records:documents", _("Documents"), "person_file"),
    ("records:life_story", _("Récit de vie"), "person_file"),
    ("rights:person", _("Droits"), "person_file"),
    ("privacy:person", _("Vie privée"), "privacy"),
)


def person_sections(membership, person, current_path: str) -> list[dict]:
    items = []
    for name, label, rule in PERSON_SECTIONS:
        if not can(membership, rule):
            continue
        try:
            url = reverse(name, args=[person.pk])
        except NoReverseMatch:  # a section not built yet
            continue
        items.append({"url": url, "label": label, "current": current_path == url})
    return items
