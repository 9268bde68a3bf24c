"""Every change of the AFIS and APS files, and the reads that put the law and the file together.

Each change checks the role (association staff of the person's association), checks the dates, writes in
one transaction, and raises `DomainError` with a French message otherwise, leaving the database as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils.translation import gettext as _

from parcours.accounts import policy
from parcours.accounts.models import Membership
from parcours.audit import log as audit
from parcours.core import clock, locking
from parcours.core.dates import date_format
from parcours.core.errors import DomainError
from parcours.core.prefetch import related
from parcours.pathway.rules import add_months
from parcours.people.models import Person

from . import rules
from .models import AfisFile, ApsFile

__all__ = ["AfisDates", "ApsDates", "DomainError", "save_afis", "save_aps"]


def _d(day: dt.date) -> str:
    return date_format(day, "j F Y")


def _require_staff_of(by: Membership | None, person: Person) -> None:
    if not policy.can(by, "person_file"):
        raise DomainError(_("Votre rôle ne permet pas cette action."))
    if person.association_id != by.organisation_id:
        raise DomainError(_("Cette personne est suivie par une autre association."))


def _check(problems: list[str]) -> None:
    if problems:
        raise DomainError(" ".join(problems))


def _not_in_future(problems, today, pairs) -> None:
    for label, day in pairs:
        if day is not None and day > today:
            problems.append(_("La date « %(f)s » ne peut pas être dans le futur.") % {"f": label})


def _not_too_old(problems, pairs) -> None:
    for label, day in pairs:
        if day is not None and day < rules.EARLIEST:
            problems.append(
                _("La date « %(f)s » précède la création du parcours de sortie (loi du 13 avril 2016).")
                % {"f": label}
            )


# --- AFIS ----------------------------------------------------------------------------------------------
@dataclass
class AfisDates:
    requested_on: dt.date | None
    first_payment_on: dt.date | None = None
    stopped_on: dt.date | None = None
    stop_reason: str = ""
    comment: str = ""


def check_afis_dates(d: AfisDates, today: dt.date) -> None:
    problems: list[str] = []
    if d.requested_on is None:
        problems.append(_("Indiquez la date de la demande adressée à la MSA."))
    named = [
        (_("demande adressée à la MSA"), d.requested_on),
        (_("premier versement"), d.first_payment_on),
        (_("arrêt du versement"), d.stopped_on),
    ]
    _not_in_future(problems, today, named[:2])  # a stop can be recorded ahead (rules.PRACTICE_STOP_AHEAD)
    if d.stopped_on is not None and d.stopped_on > rules.afis_stop_latest(today):
        problems.append(
            _("L'arrêt du versement peut être enregistré d'avance jusqu'au %(d)s au plus tard.")
            % {"d": _d(rules.afis_stop_latest(today))}
        )
    _not_too_old(problems, named)
    if d.requested_on and d.first_payment_on and d.first_payment_on < d.requested_on:
        problems.append(_("Le premier versement ne peut pas précéder la demande."))
    if d.stopped_on:
        if d.first_payment_on and d.stopped_on < d.first_payment_on:
            problems.append(_("L'arrêt du versement ne peut pas précéder le premier versement."))
        elif d.requested_on and d.stopped_on < d.requested_on:
            problems.append(_("L'arrêt ne peut pas précéder la demande."))
        if not d.stop_reason:
            problems.append(_("Indiquez le motif de l'arrêt."))
    elif d.stop_reason:
        problems.append(_("Un motif d'arrêt suppose une date d'arrêt."))
    if d.stop_reason and d.stop_reason not in rules.AfisStopReason.values:
        problems.append(_("Motif d'arrêt inconnu."))
    _check(problems)


@transaction.atomic
def save_afis(person: Person, by: Membership, dates: AfisDates, afis: AfisFile | None = None, *,
              expected_version: int | None = None) -> AfisFile:  # fmt: skip
    """Record a new AFIS request (afis=None) or update the dates of an existing one; `expected_version` is
    the version of `afis` the form showed (see `core/locking.py`)."""
    _require_staff_of(by, person)
    person = Person.objects.select_for_update().get(pk=person.pk)  # one writer at a time for this person
    check_afis_dates(dates, clock.today())
    if afis is None:
        if person.afis_files.filter(stopped_on__isnull=True).exists():
            raise DomainError(
                _("Une AFIS est déjà en cours pour cette personne : enregistrez d'abord son arrêt.")
            )
        afis = AfisFile(person=person)
    elif afis.person_id != person.pk:
        raise DomainError(_("Ce dossier d'AFIS concerne une autre personne."))
    else:
        afis = AfisFile.objects.select_for_update().get(pk=afis.pk)
        if (
            dates.stopped_on is None
            and person.afis_files.exclude(pk=afis.pk).filter(stopped_on__isnull=True).exists()
        ):
            raise DomainError(_("Une autre AFIS est déjà en cours pour cette personne."))
        locking.claim(afis, expected_version)
    for f in fields(AfisDates):
        value = getattr(dates, f.name)
        setattr(afis, f.name, value.strip() if isinstance(value, str) else value)
    afis.updated_by = by.user
    afis.updated_at = clock.now()
    afis.save()
    audit.record_event(by, "afis.save", afis)
    return afis


# --- APS -----------------------------------------------------------------------------------------------
@dataclass
class ApsDates:
    requested_on: dt.date | None
    receipt_on: dt.date | None = None
    receipt_expires_on: dt.date | None = None
    issued_on: dt.date | None = None
    expires_on: dt.date | None = None
    renewal_requested_on: dt.date | None = None
    comment: str = ""


def check_aps_dates(d: ApsDates, today: dt.date) -> None:
    problems: list[str] = []
    if d.requested_on is None:
        problems.append(_("Indiquez la date de la demande d'APS."))
    past = [
        (_("demande"), d.requested_on),
        (_("récépissé délivré"), d.receipt_on),
        (_("APS délivrée"), d.issued_on),
        (_("renouvellement demandé"), d.renewal_requested_on),
    ]
    _not_in_future(problems, today, past)
    _not_too_old(
        problems, [*past, (_("fin du récépissé"), d.receipt_expires_on), (_("fin de l'APS"), d.expires_on)]
    )
    req = d.requested_on
    if req and d.receipt_on and d.receipt_on < req:
        problems.append(_("Le récépissé ne peut pas précéder la demande."))
    if d.receipt_expires_on:
        if d.receipt_on is None:
            problems.append(_("Indiquez la date de délivrance du récépissé."))
        elif d.receipt_expires_on <= d.receipt_on:
            problems.append(_("La fin de validité du récépissé doit suivre sa délivrance."))
        elif d.receipt_expires_on > add_months(d.receipt_on, rules.RECEIPT_MAX_MONTHS):
            problems.append(_("Un récépissé valable plus d'un an n'est pas plausible : vérifiez la date."))
    if req and d.issued_on and d.issued_on < req:
        problems.append(_("L'APS ne peut pas être délivrée avant la demande."))
    if d.expires_on:
        if d.issued_on is None:
            problems.append(_("Indiquez la date de délivrance de l'APS."))
        elif d.expires_on <= d.issued_on:
            problems.append(_("La fin de validité de l'APS doit suivre sa délivrance."))
        elif d.expires_on > add_months(d.issued_on, rules.APS_MAX_MONTHS):
            problems.append(_("Une APS valable plus de 24 mois n'est pas plausible : vérifiez la date."))
    if d.renewal_requested_on:
        if d.issued_on is None:
            problems.append(_("Un renouvellement suppose une APS délivrée."))
        elif d.renewal_requested_on < d.issued_on:
            problems.append(_("Le renouvellement ne peut pas être demandé avant la délivrance de l'APS."))
    _check(problems)


@transaction.atomic
def save_aps(person: Person, by: Membership, dates: ApsDates, aps: ApsFile | None = None, *,
             expected_version: int | None = None) -> ApsFile:  # fmt: skip
    """Record a new APS request (aps=None; a renewed APS is a new file) or update an existing file;
    `expected_version` is the version of `aps` the form showed (see `core/locking.py`)."""
    _require_staff_of(by, person)
    person = Person.objects.select_for_update().get(pk=person.pk)
    check_aps_dates(dates, clock.today())
    if aps is None:
        latest = person.aps_files.order_by("-requested_on", "-pk").first()
        if latest is not None and latest.issued_on is None:
            raise DomainError(
                _("Une demande d'APS est déjà en cours : complétez-la plutôt que d'en ouvrir une autre.")
            )
        if latest is not None and dates.requested_on and dates.requested_on < latest.issued_on:
            raise DomainError(
                _("La nouvelle demande ne peut pas précéder la délivrance de l'APS précédente (%(d)s).")
                % {"d": _d(latest.issued_on)}
            )
        aps = ApsFile(person=person)
    elif aps.person_id != person.pk:
        raise DomainError(_("Ce dossier d'APS concerne une autre personne."))
    else:
        aps = ApsFile.objects.select_for_update().get(pk=aps.pk)
        locking.claim(aps, expected_version)
    for f in fields(ApsDates):
        value = getattr(dates, f.name)
        setattr(aps, f.name, value.strip() if isinstance(value, str) else value)
    aps.updated_by = by.user
    aps.updated_at = clock.now()
    aps.save()
    audit.record_event(by, "aps.save", aps)
    return aps


# --- Reads ---------------------------------------------------------------------------------------------
def psp_period_on(person: Person, day: dt.date):
    """The authorised period that opens the AFIS on `day`: the period covering it; after an exit or an early
    end, the last period until the AFIS stops (rules.afis_stop_on: the first day of the following month,
    never after the authorised end), so that the rights page and the to-do say the same thing. Works on
    prefetched `pathways__periods` and `pathways__exit`."""
    for pathway in related(person, "pathways"):
        exit_ = exit_of(pathway)
        periods = sorted(related(pathway, "periods"), key=lambda p: p.number)
        if exit_ is not None and exit_.date < day:
            last = periods[-1] if periods else None
            if last is not None and last.start <= exit_.date:
                stop = rules.afis_stop_on(exit_.date, last.planned_end or last.end)
                if day < stop:
                    return last
            continue
        for period in periods:
            if period.start <= day <= period.end:
                return period
    return None


def exit_of(pathway):
    try:
        return pathway.exit
    except ObjectDoesNotExist:
        return None


def latest(files):
    """The latest file of a prefetched list (files are ordered newest first)."""
    items = list(files)
    return max(items, key=lambda f: (f.requested_on, f.pk)) if items else None


def valid_aps_expiry(person: Person, day: dt.date) -> dt.date | None:
    for aps in related(person, "aps_files"):
        if aps.expires_on is not None and aps.valid_on(day):
            return aps.expires_on
    return None


def eligibility(person: Person, day: dt.date) -> rules.Eligibility:
    return rules.afis_eligibility(
        person, day, psp_period=psp_period_on(person, day), aps_expires_on=valid_aps_expiry(person, day)
    )


def amount_for(person: Person, day: dt.date) -> rules.AfisAmount | None:
    return rules.afis_amount(person.dependent_children, rules.territory_of(person.departement_id), day)
