"""Right of access (GDPR art. 15): everything Parcours holds on a person, as JSON and as a PDF.

The export walks the rows that point at the person, then the rows that point at those (a pathway's
requests, a request's avis and decision…), so that a table added by a new app is exported without this
module knowing it. Sensitive notes are included: the person has the right to them. The access journal rows
about her are included with their date, action, organisation and role, not the names of the staff nor their
addresses (the person is told who accessed her data as organisations and roles).

Who may export: the head of service of her association and her referent (`may_export`).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from parcours.accounts import policy
from parcours.core import clock
from parcours.core import dates as french_dates
from parcours.people.models import Person

FORMAT = "parcours-export-1"
MAX_DEPTH = 3
# Columns that are internal machinery, not data about the person.
SKIPPED_FIELDS = frozenset({"identity_index", "birth_index", "storage_name", "previous_hash", "hash"})
SKIPPED_MODELS = frozenset({"audit.accesslog"})


def may_export(membership, person: Person) -> bool:
    return policy.can(membership, "export_person", person)


def _user_label(user) -> str:
    return user.get_full_name() or user.get_username()


def _values(obj, field) -> tuple[object, str]:
    """(JSON value, displayed value) of one field of a row."""
    value = getattr(obj, field.name)
    if value is None or value == "":
        return None, "—"
    if field.is_relation:
        related = value
        if related._meta.label_lower == "accounts.user":
            label = _user_label(related)
            return label, label
        text = str(related)
        if text.startswith(f"{related.__class__.__name__} object"):
            text = f"{related._meta.verbose_name} n° {related.pk}"
        return text, text
    if isinstance(value, (list, tuple)):
        items = [getattr(v, "name", v) for v in value]
        return [getattr(v, "code", v) for v in value], ", ".join(str(i) for i in items) or "—"
    if hasattr(value, "code") and hasattr(value, "name"):  # a country
        return value.code, str(value.name)
    if field.flatchoices:
        return value, str(dict(field.flatchoices).get(value, value))
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value, clock.PARIS)
        return local.isoformat(), french_dates.date_format(local, "j F Y à H:i")
    if isinstance(value, dt.date):
        return value.isoformat(), french_dates.date_format(value, "j F Y")
    if isinstance(value, bool):
        return value, _("oui") if value else _("non")
    if isinstance(value, decimal.Decimal):
        return str(value), formats.number_format(value, 2)
    return value, str(value)


def describe(obj) -> tuple[dict, list[tuple[str, str]]]:
    """A row as JSON ({field name: value}) and as lines to read ([(label, value)])."""
    data, lines = {}, []
    for field in obj._meta.concrete_fields:
        if field.name in SKIPPED_FIELDS:
            continue
        value, shown = _values(obj, field)
        data[field.name] = value
        if field.primary_key or (field.is_relation and field.related_model is Person):
            continue
        lines.append((str(field.verbose_name).capitalize(), shown))
    return data, lines


def _reverse_relations(model):
    for rel in model._meta.related_objects:
        if rel.related_model._meta.label_lower in SKIPPED_MODELS:
            continue
        yield rel


def _children(obj, rel):
    accessor = rel.get_accessor_name()
    if rel.one_to_one:
        try:
            child = getattr(obj, accessor)
        except rel.related_model.DoesNotExist:
            return []
        return [child]
    manager = getattr(obj, accessor)
    return list(manager.all().order_by("pk"))


def build(person: Person) -> dict:
    """The export of `person`: {"json": <dict>, "blocks": [<section for the PDF>]}."""
    seen: set[tuple[str, int]] = {(person._meta.label_lower, person.pk)}
    blocks = []
    person_data, person_lines = describe(person)
    person_data["reference"] = person.reference
    blocks.append({"level": 2, "title": _("Dossier de la personne"), "lines": person_lines})

    def walk(obj, depth: int, level: int) -> dict:
        sections = {}
        if depth >= MAX_DEPTH:
            return sections
        for rel in _reverse_relations(obj.__class__):
            rows = [c for c in _children(obj, rel) if (c._meta.label_lower, c.pk) not in seen]
            if not rows:
                continue
            key = rel.related_model._meta.label_lower
            out = []
            for child in rows:
                seen.add((key, child.pk))
                data, lines = describe(child)
                title = f"{str(child._meta.verbose_name).capitalize()} n° {child.pk}"
                blocks.append({"level": level, "title": title, "lines": lines})
                nested = walk(child, depth + 1, min(level + 1, 4))
                if nested:
                    data["liees"] = nested
                out.append(data)
            sections[key] = {"libelle": str(rel.related_model._meta.verbose_name_plural), "lignes": out}
        return sections

    related = walk(person, 0, 3)
    journal = access_journal(person)
    return {
        "json": {
            "format": FORMAT,
            "genere_le": timezone.localtime(clock.now(), clock.PARIS).isoformat(),
            "reference": person.reference,
            "personne": person_data,
            "donnees": related,
            "journal_des_acces": journal,
        },
        "blocks": blocks,
        "journal": journal,
    }


def access_journal(person: Person) -> list[dict]:
    from parcours.audit.models import AccessLog

    rows = AccessLog.objects.filter(person_id=person.pk).select_related("organisation").order_by("seq")
    return [
        {
            "numero": row.seq,
            "le": timezone.localtime(row.at, clock.PARIS).isoformat(),
            "le_affiche": french_dates.date_format(timezone.localtime(row.at, clock.PARIS), "j F Y à H:i"),
            "action": row.action,
            "action_libelle": str(row.get_action_display()),
            "objet": row.object_type,
            "identifiant_objet": row.object_id,
            "organisation": row.organisation.name if row.organisation_id else "",
            "role": row.role_label,
            "resultat": row.outcome,
        }
        for row in rows
    ]


def to_json(export: dict) -> bytes:
    return json.dumps(export["json"], ensure_ascii=False, indent=2, default=str).encode("utf-8")


def to_pdf(person: Person, export: dict) -> bytes:
    from parcours.core.pdf import render_pdf

    return render_pdf("privacy/export_pdf.html", {
        "person": person, "blocks": export["blocks"], "journal": export["journal"],
        "generated": timezone.localtime(clock.now(), clock.PARIS),
    })  # fmt: skip
