"""The collective activity of an association over a year (`year_figures`, for the statistics) or any period
(`period_figures`, for a funder's report: parcours.funding.indicators): drop-in sessions held
(not cancelled, on or before today), visits counted at them, hours of presence split between staff,
volunteers and interns (sessions and rounds together), outreach rounds held, contacts made on them,
material given, callbacks asked for. Counts only: nothing about any person."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum

from parcours.core import clock

from .models import Callback, DropInSession, Presence, Round, Visit
from .rules import SessionStatus

STAFF = ("social_worker", "head_of_service")


def year_figures(organisation, year: int) -> dict[str, int]:
    return period_figures(organisation, dt.date(year, 1, 1), dt.date(year, 12, 31))


def period_figures(organisation, start: dt.date, end: dt.date) -> dict[str, int]:
    """The figures from `start` to `end` (both included; a round counts on the day it starts)."""
    today = clock.today()
    sessions = DropInSession.objects.filter(organisation=organisation, day__gte=start, day__lte=end)
    held = sessions.exclude(status=SessionStatus.CANCELLED).filter(day__lte=today)
    rounds = Round.objects.filter(
        organisation=organisation, starts_at__date__gte=start, starts_at__date__lte=min(end, today)
    )
    presences = Presence.objects.filter(
        Q(session__organisation=organisation) | Q(round__organisation=organisation),
        day__gte=start,
        day__lte=end,
    )
    minutes = presences.aggregate(
        staff=Sum("minutes", filter=Q(role__in=STAFF)),
        volunteer=Sum("minutes", filter=Q(role="volunteer")),
        intern=Sum("minutes", filter=Q(role="intern")),
    )
    visits = Visit.objects.filter(session__in=held).aggregate(
        n=Count("pk"), first=Count("pk", filter=Q(first_visit=True))
    )
    material = rounds.aggregate(
        condoms=Sum("condoms"), lubricant=Sum("lubricant"), leaflets=Sum("leaflets"), hygiene=Sum("hygiene"),
        food=Sum("food"),
    )  # fmt: skip
    return {
        "sessions_held": held.count(),
        "sessions_cancelled": sessions.filter(status=SessionStatus.CANCELLED).count(),
        "visits": visits["n"],
        "first_visits": visits["first"],
        "minutes_staff": minutes["staff"] or 0,
        "minutes_volunteer": minutes["volunteer"] or 0,
        "minutes_intern": minutes["intern"] or 0,
        "rounds": rounds.count(),
        "rounds_street": rounds.filter(kind="street").count(),
        "rounds_online": rounds.filter(kind="online").count(),
        "contacts": Visit.objects.filter(round__in=rounds).count(),
        "callbacks": Callback.objects.filter(round__in=rounds).count(),
        **{f"material_{k}": v or 0 for k, v in material.items()},
    }
