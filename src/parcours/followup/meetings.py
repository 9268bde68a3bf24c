"""Team meetings (the Tuesday-morning review of the follow-up): the agenda of people to review and the
decision about each, written as a follow-up note in her file through `services.add_note` (encrypted, with its
own journal row). Staff of the association only; every change commits with its journal row, a refusal raises
`DomainError` with a French message and saves nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from parcours.accounts import policy
from parcours.accounts.models import Membership
from parcours.audit import log as audit
from parcours.core import clock
from parcours.core.dates import date_format
from parcours.core.errors import DomainError
from parcours.people.models import Person

from . import services
from .models import MeetingItem, Note, TeamMeeting

# A meeting is planned at most a year ahead, and recorded at most a year after it was held.
MEETING_RANGE_DAYS = 366


def _d(day: dt.date) -> str:
    return date_format(day, "j F Y")


def _require(by: Membership | None, meeting: TeamMeeting | None = None) -> None:
    if not policy.can(by, "team_meetings"):
        raise DomainError(_("Votre rôle ne permet pas de préparer les réunions d'équipe."))
    if meeting is not None and meeting.association_id != by.organisation_id:
        raise DomainError(_("Cette réunion est celle d'une autre association."))


def create_meeting(by: Membership, held_on: dt.date | None) -> TeamMeeting:
    _require(by)
    if held_on is None:
        raise DomainError(_("La date de la réunion est obligatoire."))
    if abs((held_on - clock.today()).days) > MEETING_RANGE_DAYS:
        raise DomainError(_("Une réunion d'équipe se prépare ou se note à un an au plus d'aujourd'hui."))
    with transaction.atomic():
        if TeamMeeting.objects.filter(association_id=by.organisation_id, held_on=held_on).exists():
            raise DomainError(_("Une réunion d'équipe est déjà prévue le %(d)s.") % {"d": _d(held_on)})
        meeting = TeamMeeting.objects.create(
            association_id=by.organisation_id, held_on=held_on, created_by=by.user, created_at=clock.now()
        )
        audit.record_event(by, "meeting.create", meeting)
    return meeting


def add_to_agenda(meeting: TeamMeeting, by: Membership, person: Person | int | None) -> MeetingItem:
    _require(by, meeting)
    pk = getattr(person, "pk", person)
    found = Person.objects.visible_to(by).filter(pk=pk, archived_on__isnull=True).first() if pk else None
    if found is None:
        raise DomainError(_("Choisissez une personne suivie par votre association."))
    with transaction.atomic():
        if MeetingItem.objects.filter(meeting=meeting, person=found).exists():
            raise DomainError(
                _("%(ref)s est déjà à l'ordre du jour de cette réunion.") % {"ref": found.reference}
            )
        item = MeetingItem.objects.create(
            meeting=meeting, person=found, added_by=by.user, added_at=clock.now()
        )
        audit.record_event(by, "meeting_item.add", item)
    return item


def remove_from_agenda(item: MeetingItem, by: Membership) -> None:
    _require(by, item.meeting)
    with transaction.atomic():
        item = MeetingItem.objects.select_for_update().get(pk=item.pk)
        if item.note_id is not None:
            raise DomainError(_("La décision est notée dans son dossier : ce point reste à l'ordre du jour."))
        audit.record_event(by, "meeting_item.remove", item.pk, person_id=item.person_id)
        item.delete()


def record_decision(item: MeetingItem, by: Membership, *, domain: str, text: str,
                    sensitive: bool = False) -> Note:  # fmt: skip
    """The decision about her, as a follow-up note dated the day of the meeting."""
    _require(by, item.meeting)
    meeting = item.meeting
    if meeting.held_on > clock.today():
        raise DomainError(
            _("La réunion du %(d)s n'a pas encore eu lieu : la décision se note après.")
            % {"d": _d(meeting.held_on)}
        )
    text = (text or "").strip()
    if not text:
        raise DomainError(_("La décision est obligatoire."))
    with transaction.atomic():
        item = MeetingItem.objects.select_for_update().select_related("person").get(pk=item.pk)
        if item.note_id is not None:
            raise DomainError(_("La décision est déjà notée : corrigez la note dans son dossier."))
        wording = _("Réunion d'équipe du %(d)s — décision : %(text)s") % {
            "d": _d(meeting.held_on),
            "text": text,
        }
        note = services.add_note(item.person, by, domain=domain, held_on=meeting.held_on, text=wording,
                                 sensitive=sensitive)  # fmt: skip
        item.note = note
        item.save(update_fields=["note"])
        audit.record_event(by, "meeting_item.decide", item)
    return note
