"""The year's workshop figures against literal numbers counted by hand on a small dataset."""

from __future__ import annotations

import datetime as dt

import pytest

from parcours.core import clock
from parcours.workshops import services
from parcours.workshops.figures import year_figures

from ..factories import MembershipFactory, PersonFactory

D = dt.date
T = dt.time


@pytest.mark.django_db
def test_year_figures_count_held_sessions_present_attendances_and_distinct_people(personas):
    w = personas.worker
    a, b, c, d = (personas.person() for _ in range(4))
    with clock.travel_to(D(2025, 11, 3)):
        money = services.create_series(
            w,
            topic="money",
            label="Argent",
            starts_on=D(2025, 11, 4),
            ends_on=D(2026, 3, 31),
            external_facilitator="Organisme fictif",
        )
        french = services.create_series(
            w,
            topic="french",
            label="FLE",
            starts_on=D(2026, 1, 5),
            ends_on=D(2026, 12, 31),
            facilitator=personas.head,
        )
        never = services.create_series(
            w,
            topic="mobility",
            label="Mobilité",
            starts_on=D(2026, 5, 1),
            ends_on=D(2026, 5, 31),
            facilitator=w,
        )
        m2025 = services.add_session(money, w, date=D(2025, 12, 2), starts_at=T(9), ends_at=T(11))
        m1 = services.add_session(money, w, date=D(2026, 1, 6), starts_at=T(9), ends_at=T(11))
        m2 = services.add_session(money, w, date=D(2026, 1, 13), starts_at=T(9), ends_at=T(11))
        m3 = services.add_session(money, w, date=D(2026, 1, 20), starts_at=T(9), ends_at=T(11))
        f1 = services.add_session(french, w, date=D(2026, 2, 2), starts_at=T(14), ends_at=T(16))
        f_future = services.add_session(french, w, date=D(2026, 10, 5), starts_at=T(14), ends_at=T(16))
        services.add_session(never, w, date=D(2026, 5, 5), starts_at=T(9), ends_at=T(10))
        for p in (a, b, c):
            services.enrol(money, w, p)
        for p in (c, d):
            services.enrol(french, w, p)
    services.cancel_session(m3, w)
    services.cancel_session(
        services.add_session(never, w, date=D(2026, 5, 12), starts_at=T(9), ends_at=T(10)), w
    )
    with clock.travel_to(D(2026, 3, 1)):
        services.record_attendance(m2025, w, {a.pk: "present", b.pk: "present", c.pk: "present"})
        services.record_attendance(m1, w, {a.pk: "present", b.pk: "absent", c.pk: "excused"})
        services.record_attendance(m2, w, {a.pk: "present", b.pk: "present", c.pk: "absent"})
        services.record_attendance(f1, w, {c.pk: "present", d.pk: "excused"})
    # Another association's workshop counts for it, not here.
    elsewhere = MembershipFactory(organisation=personas.other_association, role="social_worker")
    with clock.travel_to(D(2026, 1, 5)):
        other = services.create_series(
            elsewhere,
            topic="money",
            label="Ailleurs",
            starts_on=D(2026, 1, 6),
            ends_on=D(2026, 2, 6),
            external_facilitator="Organisme fictif",
        )
        o1 = services.add_session(other, elsewhere, date=D(2026, 1, 6), starts_at=T(9), ends_at=T(10))
        stranger = PersonFactory(association=personas.other_association)
        services.enrol(other, elsewhere, stranger)
    with clock.travel_to(D(2026, 1, 7)):
        services.record_attendance(o1, elsewhere, {stranger.pk: "present"})
    assert f_future.date > D(2026, 6, 30)

    # On 30 June 2026, 2026: m1, m2, f1 held (m3 cancelled, f_future to come, "never" has a session held on
    # 5 May with nobody noted); present: a (m1, m2), b (m2), c (f1) -> 4 attendances, 3 people; series with a
    # held session: money, french, never.
    assert year_figures(personas.association, 2026, today=D(2026, 6, 30)) == {
        "series": 3,
        "sessions_held": 4,
        "participants": 3,
        "attendances": 4,
    }
    assert year_figures(personas.association, 2025, today=D(2026, 6, 30)) == {
        "series": 1,
        "sessions_held": 1,
        "participants": 3,
        "attendances": 3,
    }
    # On 1 February 2026, f1 and the "never" session are still to come.
    assert year_figures(personas.association, 2026, today=D(2026, 2, 1)) == {
        "series": 1,
        "sessions_held": 2,
        "participants": 2,
        "attendances": 3,
    }
    assert year_figures(personas.other_association, 2026, today=D(2026, 6, 30)) == {
        "series": 1,
        "sessions_held": 1,
        "participants": 1,
        "attendances": 1,
    }
