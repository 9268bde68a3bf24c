"""Every change of the drop-in sessions and rounds: checked (role, association, state), written in one
transaction with its journal row. Errors are DomainError with a French message; nothing is half-written."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import policy
from parcours.accounts.models import Membership
from parcours.audit import log as audit
from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.followup import services as followup
from parcours.pathway.models import Domain
from parcours.people.models import Person
from parcours.people.search import parse_reference

from . import calendar
from .models import Callback, DropInSession, Presence, Round, Schedule, Visit
from .rules import (
    AgeBand,
    CallbackStatus,
    Language,
    RoundKind,
    Service,
    SessionStatus,
    VisitorGender,
    Weekday,
)

D = dt.timedelta
MAX_PERIOD_DAYS = 400  # one generation covers at most a year and a bit
ALSACE_MOSELLE = frozenset({"57", "67", "68"})


# --- Checks ------------------------------------------------------------------------------------------------
def _require(by: Membership | None, rule: str) -> None:
    if not policy.can(by, rule):
        raise DomainError(_("Votre rôle ne permet pas cette action."))


def _require_own(by: Membership, obj) -> None:
    if obj.organisation_id != by.organisation_id:
        raise DomainError(_("Cette permanence ou cette maraude est celle d'une autre association."))


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _clean_label(text: str | None, what: str, max_length: int) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise DomainError(_("%(what)s est obligatoire.") % {"what": what})
    if len(text) > max_length:
        raise DomainError(_("%(what)s dépasse %(n)s caractères.") % {"what": what, "n": max_length})
    return text


def _require_times(starts_at: dt.time | None, ends_at: dt.time | None) -> None:
    if starts_at is None or ends_at is None:
        raise DomainError(_("L'heure de début et l'heure de fin sont obligatoires."))
    if ends_at <= starts_at:
        raise DomainError(
            _("La fin (%(end)s) doit être après le début (%(start)s).")
            % {"end": ends_at.strftime("%H:%M"), "start": starts_at.strftime("%H:%M")}
        )


def is_holiday(organisation, day: dt.date) -> str | None:
    code = getattr(getattr(organisation, "departement", None), "code", "")
    return calendar.public_holidays(day.year, code in ALSACE_MOSELLE).get(day)


def parse_hours(text: str) -> int:
    """« 4 », « 4,5 », « 4h30 », « 4:30 » → minutes. Refuses what it cannot read."""
    text = (text or "").strip().lower().replace(" ", "")
    match = re.fullmatch(r"(\d{1,2})(?:[h:](\d{2})?)?", text)
    if match:
        minutes = int(match.group(1)) * 60 + int(match.group(2) or 0)
    else:
        match = re.fullmatch(r"(\d{1,2})[,.](\d{1,2})", text)
        if not match:
            raise DomainError(_("Indiquez une durée en heures, par exemple 4, 4,5 ou 4h30."))
        minutes = round(float(f"{match.group(1)}.{match.group(2)}") * 60)
    if minutes <= 0:
        raise DomainError(_("La durée doit être supérieure à zéro."))
    return minutes


def format_minutes(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


# --- Schedules and sessions --------------------------------------------------------------------------------
@transaction.atomic
def create_schedule(
    by: Membership, *, weekday: int, starts_at: dt.time, ends_at: dt.time, place: str
) -> Schedule:
    _require(by, "outreach_manage")
    if weekday not in Weekday.values:
        raise DomainError(_("Choisissez un jour de la semaine."))
    _require_times(starts_at, ends_at)
    place = _clean_label(place, _("Le lieu"), 120)
    schedule = Schedule.objects.create(
        organisation_id=by.organisation_id, weekday=weekday, starts_at=starts_at, ends_at=ends_at, place=place
    )
    audit.record_event(by, "dropin.schedule", schedule)
    return schedule


@transaction.atomic
def end_schedule(by: Membership, schedule: Schedule) -> Schedule:
    _require(by, "outreach_manage")
    _require_own(by, schedule)
    schedule.active = False
    schedule.save(update_fields=["active"])
    audit.record_event(by, "dropin.schedule_end", schedule)
    return schedule


def schedule_days(schedule: Schedule, start: dt.date, end: dt.date) -> Iterable[dt.date]:
    day = start + D(days=(schedule.weekday - start.weekday()) % 7)
    while day <= end:
        yield day
        day += D(days=7)


@transaction.atomic
def generate_sessions(by: Membership, schedule: Schedule, start: dt.date, end: dt.date):
    """The sessions of `schedule` from `start` to `end` included, public holidays skipped, and the days it
    already has (held, cancelled or moved elsewhere) kept as they are. Returns (created, holidays skipped as
    {date: name})."""
    _require(by, "outreach_manage")
    _require_own(by, schedule)
    if not schedule.active:
        raise DomainError(_("Ce planning n'est plus en vigueur."))
    if start is None or end is None:
        raise DomainError(_("Indiquez le premier et le dernier jour de la période."))
    if end < start:
        raise DomainError(_("La fin de la période (%(end)s) précède son début (%(start)s).")
                          % {"end": _d(end), "start": _d(start)})  # fmt: skip
    if (end - start).days > MAX_PERIOD_DAYS:
        raise DomainError(_("Générez au plus une année de permanences à la fois."))
    known = set()
    for day, moved_from in DropInSession.objects.filter(schedule=schedule).values_list("day", "moved_from"):
        known.add(moved_from or day)
    created, skipped = [], {}
    for day in schedule_days(schedule, start, end):
        if day in known:
            continue
        holiday = is_holiday(schedule.organisation, day)
        if holiday:
            skipped[day] = holiday
            continue
        created.append(DropInSession(
            organisation_id=schedule.organisation_id, schedule=schedule, day=day,
            starts_at=schedule.starts_at,
            ends_at=schedule.ends_at, place=schedule.place,
        ))  # fmt: skip
    DropInSession.objects.bulk_create(created)
    audit.record_event(by, "dropin.generate", schedule)
    return created, skipped


@transaction.atomic
def add_extra_session(
    by: Membership, *, day: dt.date, starts_at: dt.time, ends_at: dt.time, place: str
) -> DropInSession:
    _require(by, "outreach_manage")
    if day is None:
        raise DomainError(_("La date est obligatoire."))
    _require_times(starts_at, ends_at)
    place = _clean_label(place, _("Le lieu"), 120)
    session = DropInSession.objects.create(
        organisation_id=by.organisation_id,
        day=day,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        extra=True,
    )
    audit.record_event(by, "dropin.extra", session)
    return session


def _locked(session: DropInSession) -> DropInSession:
    return DropInSession.objects.select_for_update().get(pk=session.pk)


@transaction.atomic
def cancel_session(by: Membership, session: DropInSession, reason: str) -> DropInSession:
    _require(by, "outreach_manage")
    _require_own(by, session)
    session = _locked(session)
    if session.cancelled:
        raise DomainError(_("Cette permanence est déjà annulée."))
    reason = _clean_label(reason, _("Le motif d'annulation"), 200)
    if session.visits.exists():
        raise DomainError(_("Des passages sont déjà comptés à cette permanence : elle a eu lieu et ne peut "
                            "plus être annulée."))  # fmt: skip
    session.status, session.cancel_reason = SessionStatus.CANCELLED, reason
    session.save(update_fields=["status", "cancel_reason"])
    audit.record_event(by, "dropin.cancel", session)
    return session


@transaction.atomic
def move_session(by: Membership, session: DropInSession, *, day: dt.date, starts_at: dt.time,
                 ends_at: dt.time) -> DropInSession:  # fmt: skip
    _require(by, "outreach_manage")
    _require_own(by, session)
    session = _locked(session)
    if session.cancelled:
        raise DomainError(_("Cette permanence est annulée : créez plutôt une permanence supplémentaire."))
    if day is None:
        raise DomainError(_("La date est obligatoire."))
    _require_times(starts_at, ends_at)
    longest = session.presences.order_by("-minutes").values_list("minutes", flat=True).first() or 0
    new_length = (ends_at.hour * 60 + ends_at.minute) - (starts_at.hour * 60 + starts_at.minute)
    if longest > new_length:
        raise DomainError(_("Des heures plus longues que la nouvelle durée sont déjà enregistrées."))
    if session.schedule_id and session.moved_from is None and day != session.day:
        session.moved_from = session.day
    session.day, session.starts_at, session.ends_at = day, starts_at, ends_at
    session.save(update_fields=["day", "starts_at", "ends_at", "moved_from"])
    session.presences.update(day=day)
    audit.record_event(by, "dropin.move", session)
    return session


# --- Rounds ------------------------------------------------------------------------------------------------
def _require_instants(starts_at: dt.datetime | None, ends_at: dt.datetime | None) -> None:
    if starts_at is None or ends_at is None:
        raise DomainError(_("Le début et la fin de la maraude sont obligatoires."))
    if ends_at <= starts_at:
        raise DomainError(_("La fin de la maraude doit être après son début."))
    if ends_at - starts_at > D(hours=24):
        raise DomainError(_("Une maraude dure moins de 24 heures : vérifiez les dates."))


@transaction.atomic
def create_round(
    by: Membership, *, kind: str, places: str, starts_at: dt.datetime, ends_at: dt.datetime
) -> Round:
    _require(by, "outreach_manage")
    if kind not in RoundKind.values:
        raise DomainError(_("Choisissez une maraude de rue ou une maraude numérique."))
    _require_instants(starts_at, ends_at)
    places = _clean_label(places, _("Les lieux ou plateformes"), 200)
    round_ = Round.objects.create(organisation_id=by.organisation_id, kind=kind, places=places,
                                  starts_at=starts_at, ends_at=ends_at, created_by=by.user)  # fmt: skip
    audit.record_event(by, "round.create", round_)
    return round_


MATERIAL_FIELDS = ("condoms", "lubricant", "leaflets", "hygiene", "food")


@transaction.atomic
def record_material(by: Membership, round_: Round, counts: dict[str, int]) -> Round:
    """The material given on the round (counts replace the previous ones). Every member of the round's
    association may write them down."""
    _require(by, "outreach")
    _require_own(by, round_)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    for name in MATERIAL_FIELDS:
        value = counts.get(name, 0)
        if not isinstance(value, int) or value < 0 or value > 100_000:
            raise DomainError(_("Les quantités sont des nombres entiers positifs."))
        setattr(round_, name, value)
    round_.save(update_fields=list(MATERIAL_FIELDS))
    audit.record_event(by, "round.material", round_)
    return round_


# --- Presence and hours ------------------------------------------------------------------------------------
def _target_day(target) -> dt.date:
    return target.day


@transaction.atomic
def record_presence(
    by: Membership, target: DropInSession | Round, member: Membership, minutes: int
) -> Presence:
    """Her hours at a session or on a round (replacing what was recorded). A volunteer or an intern records
    her own; the staff anyone's of the association. Never more than the session's or round's length."""
    _require(by, "outreach")
    _require_own(by, target)
    if (
        member.organisation_id != target.organisation_id
        or not member.is_active
        or member.role not in policy.roles("outreach")
    ):
        raise DomainError(_("Seuls les membres de l'association peuvent être inscrits."))
    if member.pk != by.pk and not policy.can(by, "outreach_manage"):
        raise DomainError(_("Vous ne pouvez enregistrer que vos propres heures."))
    target = _fresh(target)
    if target.cancelled:
        raise DomainError(_("Cette permanence est annulée : aucune présence ne peut y être enregistrée."))
    if _target_day(target) > clock.today():
        raise DomainError(_("Les heures s'enregistrent le jour même ou après, pas à l'avance."))
    if not isinstance(minutes, int) or minutes <= 0:
        raise DomainError(_("La durée doit être supérieure à zéro."))
    if minutes > target.length_minutes:
        raise DomainError(
            _("%(hours)s, c'est plus que la durée de la %(what)s (%(length)s).")
            % {"hours": format_minutes(minutes), "length": format_minutes(target.length_minutes),
               "what": _("permanence") if isinstance(target, DropInSession) else _("maraude")}
        )  # fmt: skip
    lookup = {"session": target} if isinstance(target, DropInSession) else {"round": target}
    presence, _created = Presence.objects.update_or_create(
        membership=member, **lookup,
        defaults={"minutes": minutes, "role": member.role, "day": _target_day(target), "recorded_by": by.user,
                  "recorded_at": clock.now()},
    )  # fmt: skip
    audit.record_event(by, "presence.record", presence)
    return presence


@transaction.atomic
def remove_presence(by: Membership, presence: Presence) -> None:
    target = presence.session or presence.round
    _require(by, "outreach")
    _require_own(by, target)
    if presence.membership_id != by.pk and not policy.can(by, "outreach_manage"):
        raise DomainError(_("Vous ne pouvez retirer que vos propres heures."))
    audit.record_event(by, "presence.remove", presence)
    presence.delete()


# --- The counter -------------------------------------------------------------------------------------------
def _choice(value: str | None, choices, what: str) -> str:
    value = (value or "").strip()
    if value and value not in choices.values:
        raise DomainError(_("%(what)s : choisissez une valeur de la liste.") % {"what": what})
    return value


def parse_key(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise DomainError(_("Ce passage n'a pas de clé valide : rechargez la page du comptoir.")) from None


def record_visit(by: Membership, target: DropInSession | Round, key, *, gender: str = "", age_band: str = "",
                 language: str = "", first_visit: bool | None = None,
                 services: Iterable[str] = ()) -> tuple[Visit, bool]:  # fmt: skip
    """One visit at the desk or one contact on a round. The same key on the same session returns the visit
    already written (created False): a double tap or a replayed queue counts once."""
    key = parse_key(key)
    lookup = {"session": target} if isinstance(target, DropInSession) else {"round": target}
    try:
        with transaction.atomic():
            return _record_visit(by, target, key, lookup, gender, age_band, language, first_visit, services)
    except IntegrityError:  # two requests with one key at the same instant: the other one wrote it
        existing = Visit.objects.filter(key=key, **lookup).first()
        if existing is None:
            raise
        return existing, False


def _fresh(target):
    """The session or round as it is now, locked until the end of the transaction (a cancellation and a
    visit never cross)."""
    return type(target).objects.select_for_update().get(pk=target.pk)


def _record_visit(by, target, key, lookup, gender, age_band, language, first_visit, services):
    _require(by, "outreach")
    _require_own(by, target)
    target = _fresh(target)
    existing = Visit.objects.filter(key=key, **lookup).first()
    if existing is not None:
        return existing, False
    if target.cancelled:
        raise DomainError(
            _("La permanence du %(day)s est annulée (%(reason)s) : aucun passage ne peut y être compté.")
            % {"day": _d(target.day), "reason": target.cancel_reason}
        )
    if target.day > clock.today():
        raise DomainError(_("Cette permanence ou cette maraude n'a pas encore eu lieu : rien ne peut y être "
                            "compté."))  # fmt: skip
    services = sorted({s for s in services if s})
    if any(s not in Service.values for s in services):
        raise DomainError(_("Services : choisissez dans la liste."))
    visit = Visit.objects.create(
        key=key, gender=_choice(gender, VisitorGender, _("Genre")),
        age_band=_choice(age_band, AgeBand, _("Âge")), language=_choice(language, Language, _("Langue")),
        first_visit=first_visit, services=services, recorded_by=by.user, recorded_at=clock.now(), **lookup,
    )  # fmt: skip
    audit.record_event(by, "visit.record", visit)
    return visit, True


def count_of(target) -> int:
    return (target.visits if isinstance(target, DropInSession) else target.contacts).count()


def person_by_reference(by: Membership, reference: str) -> Person:
    """The person of her association whose case number (P-000012, as the search box reads it) is typed."""
    parsed = parse_reference(reference)
    person = None
    if parsed and parsed[0] == "person" and policy.can(by, "visit_link"):
        person = Person.objects.visible_to(by).filter(pk=parsed[2], archived_on__isnull=True).first()
    if person is None or not policy.can(by, "person_file", person):
        raise DomainError(_("Aucune personne suivie par votre association ne porte la référence « %(ref)s ».")
                          % {"ref": (reference or "").strip()[:20]})  # fmt: skip
    return person


@transaction.atomic
def link_visit(by: Membership, visit: Visit, reference: str) -> Visit:
    """Link a visit to the file of a known person: her association's staff only."""
    _require(by, "visit_link")
    _require_own(by, visit.session or visit.round)
    person = person_by_reference(by, reference)
    if not policy.can(by, "visit_link", person):
        raise DomainError(_("Votre rôle ne permet pas cette action."))
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    visit.person = person
    visit.save(update_fields=["person"])
    audit.record_event(by, "visit.link", visit, person_id=person.pk)
    return visit


# --- What a round leads to ---------------------------------------------------------------------------------
@transaction.atomic
def ask_followup(by: Membership, round_: Round, *, reference: str = "", domain: str = Domain.OTHER):
    """Someone met on the round asked for a follow-up. A known person (her reference): an action in her file,
    written by the staff through the follow-up's own service (journaled there). Nobody known, or a volunteer
    or intern asking: an anonymous « demande de rappel » for the staff, without any identity."""
    _require(by, "outreach")
    _require_own(by, round_)
    if reference.strip():
        if not policy.can(by, "visit_link"):
            raise DomainError(_("Seule l'équipe salariée relie une demande au dossier d'une personne : "
                                "enregistrez une demande de rappel anonyme."))  # fmt: skip
        person = person_by_reference(by, reference)
        when = timezone.localtime(round_.starts_at, clock.PARIS)
        description = _("Suite demandée lors de la %(kind)s du %(day)s") % {
            "kind": round_.get_kind_display().lower(),
            "day": when.strftime("%d/%m/%Y"),
        }
        return followup.add_action(person, by, domain=domain, description=description)
    callback = Callback.objects.create(round=round_, organisation_id=round_.organisation_id, asked_by=by.user,
                                       asked_at=clock.now())  # fmt: skip
    audit.record_event(by, "callback.create", callback)
    return callback


@transaction.atomic
def close_callback(by: Membership, callback: Callback) -> Callback:
    _require(by, "callbacks")
    _require_own(by, callback)
    callback = Callback.objects.select_for_update().get(pk=callback.pk)
    if callback.status == CallbackStatus.DONE:
        raise DomainError(_("Cette demande de rappel est déjà traitée."))
    callback.status, callback.done_by, callback.done_at = CallbackStatus.DONE, by.user, clock.now()
    callback.save(update_fields=["status", "done_by", "done_at"])
    audit.record_event(by, "callback.done", callback)
    return callback
