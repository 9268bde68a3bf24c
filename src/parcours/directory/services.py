"""Every change of the directory: the staff of an association add an entry to the directory of its
département and correct it; each change is journaled in its transaction. Refusals raise `DomainError`."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from parcours.accounts import policy
from parcours.accounts.models import Membership
from parcours.audit import log as audit
from parcours.core import clock
from parcours.core.errors import DomainError

from .models import DirectoryEntry, EntryKind

LIMITS = {"name": 150, "town": 100, "contact": 250, "description": 300}


def _clean(data: dict) -> dict:
    out = {}
    for key, limit in LIMITS.items():
        value = " ".join((data.get(key) or "").split())
        if len(value) > limit:
            raise DomainError(_("Un champ dépasse %(n)s caractères.") % {"n": limit})
        out[key] = value
    if not out["name"]:
        raise DomainError(_("Le nom de l'organisme est obligatoire."))
    if data.get("kind") not in EntryKind.values:
        raise DomainError(_("Choisissez un type de la liste."))
    out["kind"] = data["kind"]
    return out


def _require_editor(by: Membership | None, entry: DirectoryEntry | None = None) -> None:
    if not policy.can(by, "directory_edit"):
        raise DomainError(_("Votre rôle ne permet pas de modifier l'annuaire."))
    if by.organisation.departement_id is None:
        raise DomainError(_("Votre organisation n'est rattachée à aucun département."))
    if entry is not None and entry.departement_id != by.organisation.departement_id:
        raise DomainError(_("Cette fiche appartient à l'annuaire d'un autre département."))


def _check_unique(departement_id, data, exclude_pk=None) -> None:
    same = DirectoryEntry.objects.filter(
        departement_id=departement_id, kind=data["kind"], name__iexact=data["name"]
    )
    if exclude_pk:
        same = same.exclude(pk=exclude_pk)
    if same.exists():
        raise DomainError(_("L'annuaire du département contient déjà « %(name)s ».") % {"name": data["name"]})


def create_entry(by: Membership, **data) -> DirectoryEntry:
    _require_editor(by)
    data = _clean(data)
    with transaction.atomic():
        _check_unique(by.organisation.departement_id, data)
        entry = DirectoryEntry.objects.create(
            departement_id=by.organisation.departement_id,
            created_by=by.user,
            created_at=clock.now(),
            updated_at=clock.now(),
            **data,
        )
        audit.record_event(by, "directory_entry.create", entry)
    return entry


def update_entry(entry: DirectoryEntry, by: Membership, *, is_active: bool = True, **data) -> DirectoryEntry:
    _require_editor(by, entry)
    data = _clean(data)
    with transaction.atomic():
        _check_unique(entry.departement_id, data, exclude_pk=entry.pk)
        for key, value in data.items():
            setattr(entry, key, value)
        entry.is_active = bool(is_active)
        entry.updated_at = clock.now()
        entry.save()
        audit.record_event(by, "directory_entry.update", entry)
    return entry
