"""What the follow-up puts on the "to do" page, and the follow-up summary of a person's synthesis page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q

from parcours.accounts.roles import Role
from parcours.core import clock
from parcours.people.models import LIST_DEFERRED

from .access import can_follow, is_follow_up_staff
from .models import OPEN_ACTION_STATUSES, ActionItem, Appointment, AppointmentStatus, Note

PERSON_DEFERRED = [f"person__{name}" for name in LIST_DEFERRED]  # encrypted columns these lists never show
# Open actions falling due within this many days are listed as "coming".
COMING_DAYS = 14


@dataclass
class DueItems:
    overdue_actions: list[ActionItem] = field(default_factory=list)
    coming_actions: list[ActionItem] = field(default_factory=list)
    appointments_today: list[Appointment] = field(default_factory=list)
    appointments_tomorrow: list[Appointment] = field(default_factory=list)
    overdue_total: int = 0  # all the overdue actions, when `overdue_actions` holds only the first ones

    def __bool__(self) -> bool:
        return any((self.overdue_actions, self.coming_actions, self.appointments_today,
                    self.appointments_tomorrow))  # fmt: skip


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=clock.PARIS)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=clock.PARIS)
    return start, end


def due_items(membership, today: dt.date | None = None, overdue_shown: int | None = None) -> DueItems:
    """Open actions overdue or due within `COMING_DAYS` days, and the appointments of today and tomorrow.

    Actions: a social worker gets those of the people she is the referent of; a head of service those of
    her whole association. Appointments: those the logged-in person holds, in this association. Anyone who
    does not reach the follow-up gets nothing. `overdue_shown`: read only the first overdue actions (their
    number in all is `overdue_total`)."""
    today = today or clock.today()
    if not is_follow_up_staff(membership):
        return DueItems()
    actions = (
        ActionItem.objects.visible_to(membership)
        .filter(status__in=OPEN_ACTION_STATUSES, due_date__isnull=False,
                due_date__lte=today + dt.timedelta(days=COMING_DAYS))
        .select_related("person")
        .defer(*PERSON_DEFERRED)
        .order_by("due_date", "pk")
    )  # fmt: skip
    if membership.role != Role.HEAD_OF_SERVICE:
        actions = actions.filter(person__referent_id=membership.user_id)
    overdue = actions.filter(due_date__lt=today)
    overdue_total = overdue.count() if overdue_shown is not None else None
    overdue_actions = list(overdue if overdue_shown is None else overdue[:overdue_shown])
    appointments = (
        Appointment.objects.visible_to(membership)
        .filter(worker_id=membership.user_id, status=AppointmentStatus.PLANNED)
        .select_related("person")
        .defer(*PERSON_DEFERRED)
        .order_by("starts_at", "pk")
    )

    def on(day):
        start, end = _day_bounds(day)
        return list(appointments.filter(starts_at__gte=start, starts_at__lt=end))

    return DueItems(
        overdue_actions=overdue_actions,
        coming_actions=list(actions.filter(due_date__gte=today)),
        appointments_today=on(today),
        appointments_tomorrow=on(today + dt.timedelta(days=1)),
        overdue_total=len(overdue_actions) if overdue_total is None else overdue_total,
    )


@dataclass(frozen=True)
class PersonSummary:
    next_appointment: Appointment | None
    open_actions: int
    overdue_actions: int
    last_note_on: dt.date | None


def person_summary(membership, person) -> PersonSummary | None:
    """The follow-up in three lines for the synthesis page; None for whoever does not reach it."""
    if not can_follow(membership, person):
        return None
    now = clock.now()
    today = clock.today()
    next_appointment = (
        Appointment.objects.visible_to(membership)
        .filter(person=person, status=AppointmentStatus.PLANNED, ends_at__gte=now)
        .select_related("worker")
        .order_by("starts_at")
        .first()
    )
    actions = (
        ActionItem.objects.visible_to(membership)
        .filter(person=person, status__in=OPEN_ACTION_STATUSES)
        .aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    )
    return PersonSummary(
        next_appointment=next_appointment,
        open_actions=actions["open"],
        overdue_actions=actions["overdue"],
        # The date of the last interview, sensitive ones included: a date says nothing of their content.
        last_note_on=Note.objects.visible_to(membership)
        .filter(person=person)
        .aggregate(d=Max("held_on"))["d"],
    )
