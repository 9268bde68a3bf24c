"""The demo's workshops, meetings and internship (demo/workshops.py), built on a small association: the year's
figures equal an independent count in raw SQL, and the literal shape of the series holds."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection

from parcours.accounts.models import InternProfile
from parcours.core import clock
from parcours.demo import workshops as demo
from parcours.followup.models import MeetingItem, Note, TeamMeeting
from parcours.workshops.figures import year_figures
from parcours.workshops.models import WorkshopSeries

from ..factories import MembershipFactory

TODAY = dt.date(2026, 12, 5)  # a Saturday

# Independent counts of the year's figures, in SQL (parameters: association, first day, last day).
SQL = {
    "series": "SELECT COUNT(DISTINCT s.series_id) FROM workshops_workshopsession s"
    " JOIN workshops_workshopseries r ON r.id = s.series_id"
    " WHERE r.association_id = %s AND s.cancelled_at IS NULL AND s.date >= %s AND s.date <= %s",
    "sessions_held": "SELECT COUNT(*) FROM workshops_workshopsession s"
    " JOIN workshops_workshopseries r ON r.id = s.series_id"
    " WHERE r.association_id = %s AND s.cancelled_at IS NULL AND s.date >= %s AND s.date <= %s",
    "participants": "SELECT COUNT(DISTINCT a.person_id) FROM workshops_attendance a"
    " JOIN workshops_workshopsession s ON s.id = a.session_id"
    " JOIN workshops_workshopseries r ON r.id = s.series_id"
    " WHERE a.status = 'present' AND r.association_id = %s AND s.cancelled_at IS NULL AND s.date >= %s"
    " AND s.date <= %s",
    "attendances": "SELECT COUNT(*) FROM workshops_attendance a"
    " JOIN workshops_workshopsession s ON s.id = a.session_id"
    " JOIN workshops_workshopseries r ON r.id = s.series_id"
    " WHERE a.status = 'present' AND r.association_id = %s AND s.cancelled_at IS NULL AND s.date >= %s"
    " AND s.date <= %s",
}


def raw(sql: str, *params) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def sql_figures(association_id: int, first: str, last: str) -> dict[str, int]:
    return {key: raw(sql, association_id, first, last) for key, sql in SQL.items()}


@pytest.mark.django_db
def test_the_demo_year_adds_up_to_the_figures_the_statistics_report(personas):
    colleague = MembershipFactory(organisation=personas.association, role="social_worker")
    with clock.travel_to(dt.date(2025, 6, 2)):
        for _ in range(14):
            personas.person()
    with clock.travel_to(TODAY):
        demo.build_for(
            worker=personas.worker, colleague=colleague, head=personas.head, intern=personas.intern,
            today=TODAY, rng=random.Random(2026),
        )  # fmt: skip
        figures = year_figures(personas.association, 2026)
    org, start, end = personas.association.pk, "2026-01-01", "2026-12-05"
    expected = sql_figures(org, start, end)
    assert figures == expected
    # Literal shape: « Rapport à l'argent », eleven Tuesdays with one cancelled (ten held), and « Savoir-être
    # en entreprise », six Thursdays of which three are held on 5 December 2026.
    assert expected["series"] == 2 and expected["sessions_held"] == 13
    assert 0 < expected["participants"] <= 14 and expected["attendances"] > 50
    money = WorkshopSeries.objects.get(label="Rapport à l'argent")
    assert [s.date.weekday() for s in money.sessions.all()] == [1] * 11
    assert money.sessions.filter(cancelled_at__isnull=False).count() == 1
    assert money.participants.count() == 8
    # Team meetings: three Tuesdays held with a decision noted in each file of the agenda, one to come.
    assert list(TeamMeeting.objects.order_by("held_on").values_list("held_on", flat=True)) == [
        dt.date(2026, 11, 17), dt.date(2026, 11, 24), dt.date(2026, 12, 1), dt.date(2026, 12, 8),
    ]  # fmt: skip
    assert MeetingItem.objects.filter(note__isnull=False).count() == 9
    assert MeetingItem.objects.filter(note__isnull=True, meeting__held_on=dt.date(2026, 12, 8)).count() == 3
    assert Note.objects.filter(held_on=dt.date(2026, 12, 1)).count() == 3
    profile = InternProfile.objects.get(membership=personas.intern)
    assert (profile.school, profile.tutor, profile.starts_on, profile.ends_on) == (
        "École de travail social (fictive)", personas.worker, dt.date(2026, 10, 6), dt.date(2027, 4, 4),
    )  # fmt: skip


@pytest.mark.django_db
def test_every_held_session_of_the_demo_has_the_attendance_of_each_participant(personas):
    colleague = MembershipFactory(organisation=personas.association, role="social_worker")
    with clock.travel_to(dt.date(2025, 6, 2)):
        for _ in range(14):
            personas.person()

    def attendance_pattern():
        from parcours.workshops.models import Attendance

        return list(
            Attendance.objects.order_by("session__date", "person_id").values_list("status", flat=True)
        )

    with clock.travel_to(TODAY):
        demo.build_for(
            worker=personas.worker, colleague=colleague, head=personas.head, intern=personas.intern,
            today=TODAY, rng=random.Random(7),
        )  # fmt: skip
    first = attendance_pattern()
    assert len(first) == 10 * 8 + 3 * 6
    assert set(first) == {"present", "absent", "excused"}
