"""The year's figures of an association's workshops, as the statistics report them: counts only, never a
person.

- `series`: series with at least one session held in the year;
- `sessions_held`: sessions of the year not cancelled, on or before today;
- `attendances`: attendances noted "present" at those sessions;
- `participants`: distinct people present at least once at those sessions.
"""

from __future__ import annotations

import datetime as dt

from parcours.core import clock

from .models import Attendance, AttendanceStatus, WorkshopSession


def held_sessions(organisation, year: int, today: dt.date | None = None):
    today = today or clock.today()
    return WorkshopSession.objects.filter(
        series__association=organisation, date__year=year, date__lte=today, cancelled_at__isnull=True
    )


def year_figures(organisation, year: int, today: dt.date | None = None) -> dict[str, int]:
    sessions = held_sessions(organisation, year, today)
    present = Attendance.objects.filter(session__in=sessions, status=AttendanceStatus.PRESENT)
    return {
        "series": sessions.values("series_id").distinct().count(),
        "sessions_held": sessions.count(),
        "participants": present.values("person_id").distinct().count(),
        "attendances": present.count(),
    }
