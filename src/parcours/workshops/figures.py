"""The figures of an association's workshops over a year (`year_figures`, for the statistics) or any period
(`period_figures`, for a funder's report: parcours.funding.indicators): counts only, never a person.

- `series`: series with at least one session held in the year;
- `sessions_held`: sessions of the year (or period) not cancelled, on or before today;
- `attendances`: attendances noted "present" at those sessions;
- `participants`: distinct people present at least once at those sessions.
"""

from __future__ import annotations

import datetime as dt

from parcours.core import clock

from .models import Attendance, AttendanceStatus, WorkshopSession


def held_between(organisation, start: dt.date, end: dt.date, today: dt.date | None = None):
    today = today or clock.today()
    return WorkshopSession.objects.filter(
        series__association=organisation,
        date__gte=start,
        date__lte=min(end, today),
        cancelled_at__isnull=True,
    )


def held_sessions(organisation, year: int, today: dt.date | None = None):
    return held_between(organisation, dt.date(year, 1, 1), dt.date(year, 12, 31), today)


def period_figures(
    organisation, start: dt.date, end: dt.date, today: dt.date | None = None
) -> dict[str, int]:
    """The figures of the sessions held from `start` to `end` (both included)."""
    sessions = held_between(organisation, start, end, today)
    present = Attendance.objects.filter(session__in=sessions, status=AttendanceStatus.PRESENT)
    return {
        "series": sessions.values("series_id").distinct().count(),
        "sessions_held": sessions.count(),
        "participants": present.values("person_id").distinct().count(),
        "attendances": present.count(),
    }


def year_figures(organisation, year: int, today: dt.date | None = None) -> dict[str, int]:
    return period_figures(organisation, dt.date(year, 1, 1), dt.date(year, 12, 31), today)
