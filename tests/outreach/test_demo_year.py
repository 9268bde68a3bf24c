"""A year of generated activity adds up (issue 11, « done when »): the demo's year 2026 of Horizon Fictif,
counted three ways — what the generator says it wrote, plain SQL on the raw rows, and
`outreach.figures.year_figures` (what the statistics report) — gives the same figures."""

import datetime as dt
import random

import pytest
from django.db import connection

from parcours.core import clock
from parcours.demo import outreach as demo
from parcours.outreach import figures

from ..factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


HELD = (
    "SELECT s.id FROM outreach_dropinsession s WHERE s.organisation_id = %(org)s AND s.status <> 'cancelled' "
    "AND s.day >= '2026-01-01' AND s.day < '2027-01-01'"
)
# The rounds of 2026 in Paris: from 2025-12-31 23:00 UTC to 2026-12-31 23:00 UTC.
ROUNDS = (
    "SELECT r.id FROM outreach_round r WHERE r.organisation_id = %(org)s "
    "AND r.starts_at >= '2025-12-31 23:00:00' AND r.starts_at < '2026-12-31 23:00:00'"
)
MINUTES = (
    "SELECT SUM(p.minutes) FROM outreach_presence p "
    "LEFT JOIN outreach_dropinsession s ON p.session_id = s.id "
    "LEFT JOIN outreach_round r ON p.round_id = r.id "
    "WHERE (s.organisation_id = %(org)s OR r.organisation_id = %(org)s) AND p.role IN (%(a)s, %(b)s) "
    "AND p.day >= '2026-01-01' AND p.day < '2027-01-01'"
)
# Constant texts put together (no value in them: the organisation is a query parameter).
QUERIES = {
    "sessions_held": "SELECT COUNT(*) FROM (" + HELD + ") held",  # noqa: S608
    "visits": "SELECT COUNT(*) FROM outreach_visit v WHERE v.session_id IN (" + HELD + ")",  # noqa: S608
    "rounds": "SELECT COUNT(*) FROM (" + ROUNDS + ") rounds",  # noqa: S608
    "contacts": "SELECT COUNT(*) FROM outreach_visit v WHERE v.round_id IN (" + ROUNDS + ")",  # noqa: S608
    "minutes_staff": MINUTES,
    "minutes_volunteer": MINUTES,
    "minutes_intern": MINUTES,
}
ROLES = {
    "minutes_staff": ("social_worker", "head_of_service"),
    "minutes_volunteer": ("volunteer", "volunteer"),
    "minutes_intern": ("intern", "intern"),
}


def raw_figures(org_id: int) -> dict[str, int]:
    """Independent of the code under test: plain SQL on the tables."""
    out = {}
    with connection.cursor() as cursor:
        for name, query in QUERIES.items():
            a, b = ROLES.get(name, ("", ""))
            cursor.execute(query, {"org": org_id, "a": a, "b": b})
            out[name] = cursor.fetchone()[0] or 0
    return out


def test_the_generated_year_adds_up_to_the_figures_the_statistics_report():
    org = OrganisationFactory(name="Association Horizon Fictif")
    roles = {"cheffe": "head_of_service", "travailleuse": "social_worker", "travailleuse2": "social_worker",
             "benevole": "volunteer", "stagiaire": "intern"}  # fmt: skip
    members = {u: MembershipFactory(organisation=org, role=r, user__username=u) for u, r in roles.items()}
    with clock.travel_to(dt.date(2027, 1, 15)):  # the whole year is past
        written = demo.build_year(org, members, random.Random("outreach-2026"))
        reported = figures.year_figures(org, 2026)
    raw = raw_figures(org.pk)
    # 52 Tuesdays in 2026, the 14th of July skipped, three cancelled: the seed's 48 sessions.
    assert raw["sessions_held"] == 48
    assert reported["sessions_cancelled"] == 3
    assert 48 * 40 <= raw["visits"] <= 48 * 80
    assert raw["rounds"] == 24
    for name, value in raw.items():
        assert reported[name] == value, name
        assert written.get(name, 0) == value, name
    assert reported["first_visits"] == written["first_visits"]
    assert reported["callbacks"] == written.get("callbacks", 0)
