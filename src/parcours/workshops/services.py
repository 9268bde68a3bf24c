"""Every change of the workshops: one function per action, each checking who acts and what she asks, writing
in one transaction with its journal row, and raising `DomainError` with a French message (nothing saved)
when refused.

Only the staff of the association (social workers, heads of service) act here; its volunteers and interns see
the series and their sessions, never who takes part.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from parcours.accounts import policy
from parcours.accounts.models import Membership
from parcours.accounts.roles import ASSOCIATION_ROLES
from parcours.audit import log as audit
from parcours.core import clock
from parcours.core.dates import date_format
from parcours.core.errors import DomainError
from parcours.people.models import Person

from .models import Attendance, AttendanceStatus, Participant, Topic, WorkshopSeries, WorkshopSession

__all__ = ["DomainError"]

LABEL_MAX = 150
# A series runs at most over two years; nobody plans a session further ahead than a year.
SERIES_MAX_DAYS = 2 * 366
SESSION_AHEAD_DAYS = 366


def _d(day: dt.date) -> str:
    return date_format(day, "j F Y")


def _require_manager(by: Membership | None, series: WorkshopSeries | None = None) -> None:
    if not policy.can(by, "workshop_manage"):
        raise DomainError(_("Votre rôle ne permet pas de gérer les ateliers."))
    if series is not None and not policy.can(by, "workshop_manage", series):
        raise DomainError(_("Cette série d'ateliers appartient à une autre association."))


def _clean_label(text: str | None, what: str, *, required: bool) -> str:
    text = " ".join((text or "").split())
    if required and not text:
        raise DomainError(_("%(what)s est obligatoire.") % {"what": what})
    if len(text) > LABEL_MAX:
        raise DomainError(_("%(what)s dépasse %(n)s caractères.") % {"what": what, "n": LABEL_MAX})
    return text


# --- Series ------------------------------------------------------------------------------------------------
def create_series(by: Membership, *, topic: str, label: str, starts_on: dt.date | None,
                  ends_on: dt.date | None, facilitator: Membership | None = None,
                  external_facilitator: str = "") -> WorkshopSeries:  # fmt: skip
    _require_manager(by)
    if topic not in Topic.values:
        raise DomainError(_("Choisissez un thème de la liste."))
    label = _clean_label(label, _("L'intitulé"), required=True)
    external = _clean_label(external_facilitator, _("L'organisme animateur"), required=False)
    if facilitator is None and not external:
        raise DomainError(_("Indiquez l'animatrice : un membre de l'association ou un organisme extérieur."))
    if facilitator is not None and external:
        raise DomainError(_("Choisissez un membre de l'association ou un organisme extérieur, pas les deux."))
    if facilitator is not None and not (
        facilitator.organisation_id == by.organisation_id
        and facilitator.is_active
        and facilitator.role in ASSOCIATION_ROLES
    ):
        raise DomainError(_("L'animatrice doit être un membre actif de votre association."))
    if starts_on is None or ends_on is None:
        raise DomainError(_("Les dates de début et de fin de la série sont obligatoires."))
    if ends_on < starts_on:
        raise DomainError(
            _("La fin de la série (%(end)s) précède son début (%(start)s).")
            % {"end": _d(ends_on), "start": _d(starts_on)}
        )
    if (ends_on - starts_on).days > SERIES_MAX_DAYS:
        raise DomainError(_("Une série d'ateliers dure au plus deux ans : découpez-la."))
    with transaction.atomic():
        series = WorkshopSeries.objects.create(
            association_id=by.organisation_id, topic=topic, label=label, facilitator=facilitator,
            external_facilitator=external, starts_on=starts_on, ends_on=ends_on, created_by=by.user,
            created_at=clock.now(),
        )  # fmt: skip
        audit.record_event(by, "workshop_series.create", series)
    return series


# --- Sessions ----------------------------------------------------------------------------------------------
def add_session(series: WorkshopSeries, by: Membership, *, date: dt.date | None, starts_at: dt.time | None,
                ends_at: dt.time | None) -> WorkshopSession:  # fmt: skip
    _require_manager(by, series)
    if date is None or starts_at is None or ends_at is None:
        raise DomainError(_("La date, l'heure de début et l'heure de fin de la séance sont obligatoires."))
    if ends_at <= starts_at:
        raise DomainError(
            _("La séance finit (%(end)s) avant de commencer (%(start)s).")
            % {"end": ends_at.strftime("%H:%M"), "start": starts_at.strftime("%H:%M")}
        )
    if not series.starts_on <= date <= series.ends_on:
        raise DomainError(
            _("La séance doit se tenir pendant la série, du %(start)s au %(end)s.")
            % {"start": _d(series.starts_on), "end": _d(series.ends_on)}
        )
    if (date - clock.today()).days > SESSION_AHEAD_DAYS:
        raise DomainError(_("Une séance se programme au plus un an à l'avance."))
    with transaction.atomic():
        if WorkshopSession.objects.filter(series=series, date=date, starts_at=starts_at,
                                          cancelled_at__isnull=True).exists():  # fmt: skip
            raise DomainError(_("Une séance de cette série a déjà lieu ce jour à cette heure."))
        session = WorkshopSession.objects.create(
            series=series, date=date, starts_at=starts_at, ends_at=ends_at, created_at=clock.now()
        )
        audit.record_event(by, "workshop_session.create", session)
    return session


def cancel_session(session: WorkshopSession, by: Membership) -> WorkshopSession:
    _require_manager(by, session.series)
    with transaction.atomic():
        session = WorkshopSession.objects.select_for_update().get(pk=session.pk)
        if session.is_cancelled:
            raise DomainError(_("Cette séance est déjà annulée."))
        if session.attendances.exists():
            raise DomainError(_("Des présences sont notées pour cette séance : elle a eu lieu."))
        session.cancelled_at = clock.now()
        session.save(update_fields=["cancelled_at"])
        audit.record_event(by, "workshop_session.cancel", session)
    return session


# --- Participants ------------------------------------------------------------------------------------------
def _visible_person(by: Membership, person: Person | int | None) -> Person:
    pk = getattr(person, "pk", person)
    found = Person.objects.visible_to(by).filter(pk=pk, archived_on__isnull=True).first() if pk else None
    if found is None:
        raise DomainError(_("Choisissez une personne suivie par votre association."))
    return found


def enrol(series: WorkshopSeries, by: Membership, person: Person | int | None) -> Participant:
    _require_manager(by, series)
    person = _visible_person(by, person)
    with transaction.atomic():
        if Participant.objects.filter(series=series, person=person).exists():
            raise DomainError(_("%(ref)s est déjà inscrite à cette série.") % {"ref": person.reference})
        participant = Participant.objects.create(
            series=series, person=person, enrolled_on=clock.today(), enrolled_by=by.user
        )
        audit.record_event(by, "workshop_participant.enrol", participant)
    return participant


def withdraw(series: WorkshopSeries, by: Membership, person: Person | int | None) -> None:
    """Removes her from the series: the attendances already noted stay (they are the series' history)."""
    _require_manager(by, series)
    person = _visible_person(by, person)
    with transaction.atomic():
        participant = Participant.objects.filter(series=series, person=person).first()
        if participant is None:
            raise DomainError(_("%(ref)s n'est pas inscrite à cette série.") % {"ref": person.reference})
        audit.record_event(by, "workshop_participant.withdraw", participant.pk, person_id=person.pk)
        participant.delete()


# --- Attendance --------------------------------------------------------------------------------------------
def record_attendance(session: WorkshopSession, by: Membership, statuses: dict[int, str]) -> int:
    """`statuses`: {person pk: present / absent / excused} for people enrolled in the series. Writes what
    changed, one journal row per person whose attendance changed; returns how many changed."""
    _require_manager(by, session.series)
    if session.is_cancelled:
        raise DomainError(_("Cette séance est annulée : aucune présence ne s'y note."))
    if session.date > clock.today():
        raise DomainError(
            _("La séance du %(d)s n'a pas encore eu lieu : les présences se notent le jour même ou après.")
            % {"d": _d(session.date)}
        )
    enrolled = set(
        Participant.objects.visible_to(by)
        .filter(series=session.series_id)
        .values_list("person_id", flat=True)
    )
    for person_id, status in statuses.items():
        if person_id not in enrolled:
            raise DomainError(_("Une des personnes n'est pas inscrite à cette série."))
        if status not in AttendanceStatus.values:
            raise DomainError(_("Choisissez présente, absente ou excusée pour chaque personne."))
    changed = 0
    with transaction.atomic():
        current = {a.person_id: a for a in Attendance.objects.select_for_update().filter(session=session)}
        for person_id, status in sorted(statuses.items()):
            row = current.get(person_id)
            if row is not None and row.status == status:
                continue
            if row is None:
                row = Attendance(session=session, person_id=person_id)
            row.status, row.recorded_by, row.recorded_at = status, by.user, clock.now()
            row.save()
            audit.record_event(by, "workshop_attendance.record", row)
            changed += 1
    return changed
