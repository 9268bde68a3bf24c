"""Saving the letterhead and signatory of an organisation's official papers (accounts.models.Letterhead): the
head of service for her association, the préfecture's agents for their préfecture, each for her own
organisation only. The change and its journal row commit together; a concurrent edit is an EditConflict."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from parcours.accounts import policy
from parcours.accounts.letterhead import default_signatory_title
from parcours.accounts.models import Letterhead, Membership, Organisation
from parcours.audit import log as audit
from parcours.core import locking
from parcours.core.errors import DomainError

FIELDS = ("authority", "service_lines", "address", "city", "signatory_name", "signatory_title")


def letterhead_of(organisation: Organisation) -> Letterhead:
    """The organisation's row, or an unsaved one filled with the default the papers print without it."""
    row = Letterhead.objects.filter(organisation=organisation).first()
    if row is not None:
        return row
    city = organisation.departement.name if organisation.departement_id else ""
    return Letterhead(
        organisation=organisation,
        authority=organisation.name,
        city=city,
        signatory_title=default_signatory_title(organisation),
        version=0,
    )


def save_letterhead(by: Membership, letterhead: Letterhead, *, expected_version: int | None) -> Letterhead:
    """Save `letterhead` as changed by a form. `expected_version` is the version the page showed (0 for a
    letterhead not yet saved)."""
    if not policy.can(by, "letterhead_edit") or letterhead.organisation_id != by.organisation_id:
        raise DomainError(_("Seule votre propre organisation peut modifier son en-tête."))
    for name in ("authority", "signatory_title"):
        setattr(letterhead, name, " ".join(getattr(letterhead, name).split()))
    try:
        letterhead.full_clean(exclude=["organisation", "version"])
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
    try:
        with transaction.atomic():
            if letterhead.pk is None:
                existing = Letterhead.objects.filter(organisation_id=letterhead.organisation_id).first()
                if existing is not None or expected_version not in (0, None):
                    raise locking.EditConflict(existing)
                letterhead.version = 1
                letterhead.save()
            else:
                locking.claim(letterhead, expected_version)
                letterhead.save()
            audit.record_event(by, "letterhead.update", letterhead)
    except IntegrityError as exc:  # created by someone else between the check and the insert
        raise locking.EditConflict(
            Letterhead.objects.filter(organisation_id=letterhead.organisation_id).first()
        ) from exc
    return letterhead
