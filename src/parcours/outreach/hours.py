"""A member's hours at drop-in sessions and on rounds, summed per month and per year. A presence counts on the
day of its session, or of the start of its round (a round from 31 January 22:00 to 1 February 01:00 counts in
January). Minutes are summed; pages show hours with `services.format_minutes`."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum
from django.db.models.functions import ExtractMonth

from .models import Presence


def _of(membership):
    return Presence.objects.filter(membership_id=membership.pk)


def month_minutes(membership, year: int, month: int) -> int:
    return _of(membership).filter(day__year=year, day__month=month).aggregate(t=Sum("minutes"))["t"] or 0


def year_minutes(membership, year: int) -> int:
    return _of(membership).filter(day__year=year).aggregate(t=Sum("minutes"))["t"] or 0


def months_of_year(membership, year: int) -> dict[int, int]:
    """{month: minutes} for the twelve months of `year` (0 where nothing is recorded)."""
    rows = (
        _of(membership).filter(day__year=year).annotate(m=ExtractMonth("day")).values("m")
        .annotate(t=Sum("minutes")).values_list("m", "t")
    )  # fmt: skip
    out = dict.fromkeys(range(1, 13), 0)
    out.update({int(m): int(t) for m, t in rows})
    return out


def summary(membership, on: dt.date) -> dict[str, int]:
    """This month's and this year's minutes, for her home page."""
    return {"month": month_minutes(membership, on.year, on.month), "year": year_minutes(membership, on.year)}
