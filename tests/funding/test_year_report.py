"""Done when (issue 12, item 6): a grant report over a year of generated data — the demo's workshops and its
year of drop-in sessions and outreach rounds, people followed and pathways of the PSP — gives, indicator by
indicator, what an independent recomputation in raw SQL on the rows gives; and so does a grant over an
arbitrary period (15 March – 30 September)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection

from parcours.core import clock
from parcours.demo import outreach as demo_outreach
from parcours.demo import workshops as demo_workshops
from parcours.employment import services as employment
from parcours.funding import indicators, report
from parcours.funding import services as funding
from parcours.people.models import Person

from ..conftest import authorised_pathway
from ..factories import MembershipFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 5)
UTC = dt.UTC

HELD = (
    "SELECT s.id FROM outreach_dropinsession s WHERE s.organisation_id = %(org)s AND s.status <> 'cancelled' "
    "AND s.day >= %(start)s AND s.day <= %(held_end)s"
)
ROUNDS = (
    "SELECT r.id FROM outreach_round r WHERE r.organisation_id = %(org)s "
    "AND r.starts_at >= %(start_utc)s AND r.starts_at < %(held_end_utc)s"
)
WORKSHOP_HELD = (
    "SELECT s.id FROM workshops_workshopsession s JOIN workshops_workshopseries r ON r.id = s.series_id "
    "WHERE r.association_id = %(org)s AND s.cancelled_at IS NULL AND s.date >= %(start)s "
    "AND s.date <= %(held_end)s"
)
PRESENT_HEAD = "SELECT {} FROM workshops_attendance a WHERE a.status = 'present' AND a.session_id IN ("
PRESENT = PRESENT_HEAD + WORKSHOP_HELD + ")"
# Constant texts put together (no value in them: every value is a query parameter).
SQL = {
    "people_followed": "SELECT COUNT(*) FROM people_person WHERE association_id = %(org)s "
    "AND created_at < %(end_utc)s AND (archived_on IS NULL OR archived_on >= %(start)s)",
    "psp_people": "SELECT COUNT(DISTINCT w.person_id) FROM pathway_period p JOIN pathway_pathway w "
    'ON w.id = p.pathway_id WHERE w.association_id = %(org)s AND p.start <= %(end)s AND p."end" >= %(start)s',
    "psp_new": "SELECT COUNT(*) FROM pathway_period p JOIN pathway_pathway w ON w.id = p.pathway_id "
    "WHERE w.association_id = %(org)s AND p.number = 1 AND p.start >= %(start)s AND p.start <= %(end)s",
    "workshop_sessions": "SELECT COUNT(*) FROM (" + WORKSHOP_HELD + ") held",  # noqa: S608
    "workshop_attendances": PRESENT.format("COUNT(*)"),
    "workshop_participants": PRESENT.format("COUNT(DISTINCT a.person_id)"),
    "dropin_sessions": "SELECT COUNT(*) FROM (" + HELD + ") held",  # noqa: S608
    "dropin_visits": "SELECT COUNT(*) FROM outreach_visit v WHERE v.session_id IN (" + HELD + ")",  # noqa: S608
    "volunteer_hours": "SELECT SUM(p.minutes) FROM outreach_presence p "
    "LEFT JOIN outreach_dropinsession s ON p.session_id = s.id "
    "LEFT JOIN outreach_round r ON p.round_id = r.id "
    "WHERE (s.organisation_id = %(org)s OR r.organisation_id = %(org)s) AND p.role = 'volunteer' "
    "AND p.day >= %(start)s AND p.day <= %(end)s",
    "outreach_rounds": "SELECT COUNT(*) FROM (" + ROUNDS + ") rounds",  # noqa: S608
    "outreach_contacts": "SELECT COUNT(*) FROM outreach_visit v WHERE v.round_id IN (" + ROUNDS + ")",  # noqa: S608
    "employment_participants": "SELECT COUNT(DISTINCT p.person_id) FROM employment_participant p "
    "JOIN employment_cohort c ON c.id = p.cohort_id JOIN employment_programme g ON g.id = c.programme_id "
    "JOIN people_person pe ON pe.id = p.person_id WHERE g.association_id = %(org)s "
    "AND pe.association_id = %(org)s AND EXISTS (SELECT 1 FROM employment_step s WHERE s.cohort_id = c.id "
    "AND s.starts_on >= %(start)s AND s.starts_on <= %(end)s)",
    "employment_placements": "SELECT COUNT(DISTINCT p.person_id) FROM employment_outcome o "
    "JOIN employment_participant p ON p.id = o.participant_id JOIN people_person pe ON pe.id = p.person_id "
    "WHERE pe.association_id = %(org)s AND o.kind IN ('hired_at_once', 'employed') "
    'AND o."on" >= %(start)s AND o."on" <= %(end)s',
    "employment_supports": "SELECT COUNT(*) FROM employment_support s JOIN people_person pe "
    "ON pe.id = s.person_id WHERE pe.association_id = %(org)s AND s.status = 'granted' "
    "AND s.decided_on >= %(start)s AND s.decided_on <= %(end)s",
}


def utc_midnight(day: dt.date) -> str:
    """Midnight in Paris at the start of `day`, as the UTC text the database stores."""
    moment = dt.datetime.combine(day, dt.time(0), tzinfo=clock.PARIS).astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def raw(org_id: int, start: dt.date, end: dt.date) -> dict[str, object]:
    held_end = min(end, TODAY)
    params = {
        "org": org_id, "start": start.isoformat(), "end": end.isoformat(), "held_end": held_end.isoformat(),
        "start_utc": utc_midnight(start), "end_utc": utc_midnight(end + dt.timedelta(days=1)),
        "held_end_utc": utc_midnight(held_end + dt.timedelta(days=1)),
    }  # fmt: skip
    out = {}
    with connection.cursor() as cursor:
        for code, query in SQL.items():
            cursor.execute(query, params)
            out[code] = cursor.fetchone()[0] or 0
    out["volunteer_hours"] = (Decimal(out["volunteer_hours"]) / 60).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return out


@pytest.fixture
def year(personas):
    """A year of the association: people, pathways, the demo's workshops and outreach year."""
    colleague = MembershipFactory(organisation=personas.association, role="social_worker",
                                  user__username="travailleuse2")  # fmt: skip
    with clock.travel_to(dt.date(2025, 6, 2)):
        people = [personas.person(last_name=f"Nomcanari{i}") for i in range(14)]
    with clock.travel_to(dt.date(2026, 4, 7)):
        people += [personas.person(last_name=f"Nomcanari{14 + i}") for i in range(3)]
    with clock.travel_to(dt.date(2027, 1, 3)):
        personas.person(last_name="Nomcanariapres")  # after the period: not counted
    # Archived before 2026 (not followed in 2026) and during 2026 (followed).
    Person.objects.filter(pk=people[0].pk).update(archived_on=dt.date(2025, 11, 30))
    Person.objects.filter(pk=people[1].pk).update(archived_on=dt.date(2026, 2, 15))
    # Pathways: authorised in 2025 for six months (over before 2026), in October 2025 (its period runs into
    # 2026), in March 2026 (new in 2026), in October 2026 (new, after 30 September).
    authorised_pathway(personas, people[2], submitted_on=dt.date(2025, 1, 6), session_on=dt.date(2025, 2, 3),
                       decided_on=dt.date(2025, 2, 10))  # fmt: skip
    authorised_pathway(personas, people[3], submitted_on=dt.date(2025, 9, 1), session_on=dt.date(2025, 10, 6),
                       decided_on=dt.date(2025, 10, 13))  # fmt: skip
    authorised_pathway(personas, people[4], submitted_on=dt.date(2026, 2, 2), session_on=dt.date(2026, 3, 2),
                       decided_on=dt.date(2026, 3, 9))  # fmt: skip
    authorised_pathway(personas, people[5], submitted_on=dt.date(2026, 9, 7), session_on=dt.date(2026, 10, 5),
                       decided_on=dt.date(2026, 10, 12))  # fmt: skip
    members = {"cheffe": personas.head, "travailleuse": personas.worker, "travailleuse2": colleague,
               "benevole": personas.volunteer, "stagiaire": personas.intern}  # fmt: skip
    with clock.travel_to(TODAY):
        demo_outreach.build_year(personas.association, members, random.Random("outreach-2026"), year=2026)
        demo_workshops.build_for(
            worker=personas.worker, colleague=colleague, head=personas.head, intern=personas.intern,
            today=TODAY, rng=random.Random(2026),
        )  # fmt: skip
    # An employment programme: a job-dating in March 2026 (two hired at once, one in training, employed in
    # October), a cohort of 2025 (an outcome before the period) and aids granted in 2025 and 2026.
    w, day = personas.worker, dt.date
    with clock.travel_to(day(2025, 5, 5)):
        programme = employment.create_programme(w, name="Programme fictif")
        old = employment.create_cohort(programme, w, label="2025", starts_on=day(2025, 5, 5))
        old_step = employment.add_step(old, w, kind="job_dating", starts_on=day(2025, 5, 5))
        employment.enrol(old, w, people[6])
        employment.record_outcome(old_step, w, people[6], kind="hired_at_once", on=day(2025, 5, 5),
                                  contract="temp_mission", weekly_hours=35)  # fmt: skip
        employment.record_support(people[6], w, kind="mobility", body="Fonds fictif", status="granted",
                                  requested_on=day(2025, 5, 5), decided_on=day(2025, 6, 1))  # fmt: skip
    with clock.travel_to(day(2026, 3, 16)):
        cohort = employment.create_cohort(programme, w, label="2026", starts_on=day(2026, 3, 16))
        step = employment.add_step(cohort, w, kind="job_dating", starts_on=day(2026, 3, 16))
        for person in people[7:10]:
            employment.enrol(cohort, w, person)
        for person in people[7:9]:
            employment.record_outcome(step, w, person, kind="hired_at_once", on=day(2026, 3, 16),
                                      contract="fixed_term", weekly_hours=24)  # fmt: skip
        employment.record_outcome(step, w, people[9], kind="in_training", on=day(2026, 3, 16))
        employment.record_support(people[9], w, kind="training_pay", body="Région fictive", status="granted",
                                  requested_on=day(2026, 3, 16), decided_on=day(2026, 4, 1))  # fmt: skip
    with clock.travel_to(day(2026, 10, 5)):
        employment.record_outcome(step, w, people[9], kind="employed", on=day(2026, 10, 5),
                                  contract="permanent", weekly_hours=35)  # fmt: skip
    return personas


def grant_over(personas, start: dt.date, end: dt.date):
    with clock.travel_to(dt.date(2025, 12, 1)):
        funder = funding.create_funder(personas.head, kind="state_ddfe", name=f"État {start}")
        return funding.create_grant(
            personas.head, funder=funder, label=f"Convention {start}", starts_on=start, ends_on=end,
            amount=Decimal("48000"), indicators=list(indicators.REGISTRY),
        )  # fmt: skip


def test_a_year_grant_report_matches_raw_sql_indicator_by_indicator(year):
    start, end = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    grant = grant_over(year, start, end)
    with clock.travel_to(TODAY):
        lines = {line.indicator.code: line.value for line in report.build(grant, TODAY).lines}
    expected = raw(year.association.pk, start, end)
    assert list(lines) == list(indicators.REGISTRY)  # every indicator of the registry is checked
    for code, value in expected.items():
        assert lines[code] == value, code
    # Literal: 17 files open in 2026 (18 created, one archived in 2025; the one of 2027 not yet); two people
    # with a period in 2026 and one of them new; the demo's 13 workshop sessions held by 5 December; 48
    # drop-in Tuesdays of the seed's year, of which those after 5 December are not yet held.
    assert (lines["people_followed"], lines["psp_people"], lines["psp_new"]) == (16, 3, 2)
    assert lines["workshop_sessions"] == 13
    employment_lines = ("employment_participants", "employment_placements", "employment_supports")
    assert [lines[code] for code in employment_lines] == [3, 3, 1]
    assert 40 < lines["dropin_sessions"] < 48 and lines["dropin_visits"] > 1000
    assert lines["volunteer_hours"] > 100 and lines["outreach_rounds"] > 0


def test_a_grant_over_an_arbitrary_period_matches_raw_sql(year):
    start, end = dt.date(2026, 3, 15), dt.date(2026, 9, 30)
    grant = grant_over(year, start, end)
    with clock.travel_to(TODAY):
        lines = {line.indicator.code: line.value for line in report.build(grant, TODAY).lines}
    year_lines = raw(year.association.pk, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert lines == raw(year.association.pk, start, end)
    # The period is a part of the year: its counts of sessions are smaller.
    assert lines["dropin_sessions"] < year_lines["dropin_sessions"]
    # The pathway of October 2025 (period to 12 April 2026) and that of 9 March 2026, which started before
    # the 15th: two people in a pathway, none new.
    assert (lines["psp_people"], lines["psp_new"]) == (2, 0)


def test_the_reports_leaving_the_association_hide_small_counts_and_name_nobody(year, client):
    from tests.tools import pdf_text

    grant = grant_over(year, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    client.force_login(year.head.user)
    with clock.travel_to(TODAY):
        pdf = client.get(f"/financements/subventions/{grant.pk}/rapport.pdf")
        csv = client.get(f"/financements/subventions/{grant.pk}/rapport.csv")
        page = client.get(f"/financements/subventions/{grant.pk}/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(pdf.content).split())
    table = csv.content.decode("utf-8-sig")
    # 3 people in a pathway and 2 new: « moins de 11 » outside; 16 files open: shown.
    assert "Personnes en parcours de sortie de la prostitution moins de 11 personnes" in text
    assert "Personnes suivies 16 personnes" in text
    assert "psp_people;Personnes en parcours de sortie de la prostitution;moins de 11;personnes" in table
    assert "people_followed;Personnes suivies;16;personnes" in table
    # The page, for the head of service only, shows the exact value and says it will be hidden.
    assert "« moins de 11 » dans le rapport" in page.content.decode()
    for shown in (text, table):
        assert "Nomcanari" not in shown and "Prénomfictif" not in shown
        assert year.head.user.last_name not in shown and year.worker.user.last_name not in shown
