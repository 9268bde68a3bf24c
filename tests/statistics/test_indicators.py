"""Each indicator recomputed from the raw rows with raw SQL (connection.cursor), compared with the module."""

import datetime as dt
import statistics as pystats

import pytest
from django.db import connection

from parcours.core import clock
from parcours.statistics import indicators

START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
ON = dt.date(2025, 9, 30)


def sql(query, *params):
    with connection.cursor() as cur:
        cur.execute(query, params)
        return {tuple(row[:-1]): row[-1] for row in cur.fetchall()}


def totals(atoms):
    out = {}
    for (dep, cat, _assoc), n in atoms.items():
        out[(dep, cat)] = out.get((dep, cat), 0) + n
    return out


def by_dep_assoc(atoms):
    out = {}
    for (dep, _cat, assoc), n in atoms.items():
        out[(dep, assoc)] = out.get((dep, assoc), 0) + n
    return out


@pytest.mark.django_db
def test_requests_avis_decisions_by_type(year):
    assert totals(indicators.requests_by_kind(START, END)) == sql(
        "SELECT p.departement_id, r.kind, COUNT(*) FROM pathway_pathwayrequest r "
        "JOIN pathway_pathway p ON p.id = r.pathway_id "
        "WHERE r.submitted_on BETWEEN %s AND %s GROUP BY p.departement_id, r.kind", START, END)  # fmt: skip
    assert totals(indicators.avis_by_kind(START, END)) == sql(
        "SELECT p.departement_id, a.kind, COUNT(*) FROM pathway_avis a JOIN pathway_commissionsession s "
        "ON s.id = a.session_id JOIN pathway_pathwayrequest r ON r.id = a.request_id JOIN pathway_pathway p "
        "ON p.id = r.pathway_id WHERE s.date BETWEEN %s AND %s GROUP BY p.departement_id, a.kind",
        START, END)  # fmt: skip
    decisions = sql(
        "SELECT p.departement_id, d.kind, COUNT(*) FROM pathway_decision d JOIN pathway_pathwayrequest r "
        "ON r.id = d.request_id JOIN pathway_pathway p ON p.id = r.pathway_id "
        "WHERE d.decided_on BETWEEN %s AND %s "
        "GROUP BY p.departement_id, d.kind", START, END)  # fmt: skip
    assert totals(indicators.decisions_by_kind(START, END)) == decisions
    later = indicators.decisions_by_kind(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert sum(decisions.values()) + sum(later.values()) == 100  # the literal size of the generated year


@pytest.mark.django_db
def test_entries_exits_and_active_by_gender(year):
    assert by_dep_assoc(indicators.entries(START, END)) == sql(
        "SELECT p.departement_id, p.association_id, COUNT(*) FROM pathway_period pe JOIN pathway_pathway p "
        "ON p.id = pe.pathway_id WHERE pe.number = 1 AND pe.start BETWEEN %s AND %s "
        "GROUP BY p.departement_id, p.association_id", START, END)  # fmt: skip
    assert totals(indicators.exits_by_reason(START, END)) == sql(
        "SELECT p.departement_id, e.reason, COUNT(*) FROM pathway_exit e "
        "JOIN pathway_pathway p ON p.id = e.pathway_id "
        "WHERE e.date BETWEEN %s AND %s GROUP BY p.departement_id, e.reason", START, END)  # fmt: skip
    assert totals(indicators.active_by_gender(START, ON)) == sql(
        "SELECT p.departement_id, pp.gender, COUNT(DISTINCT p.id) "
        "FROM pathway_pathway p JOIN people_person pp "
        "ON pp.id = p.person_id JOIN pathway_period pe ON pe.pathway_id = p.id "
        "WHERE pe.start <= %s AND pe.end >= %s AND p.status <> 'exited' GROUP BY p.departement_id, pp.gender",
        ON, ON)  # fmt: skip


@pytest.mark.django_db
def test_nationality_afis_aps(year):
    raw = sql(
        "SELECT p.departement_id, pp.nationality, COUNT(DISTINCT p.id) "
        "FROM pathway_pathway p JOIN people_person pp "
        "ON pp.id = p.person_id JOIN pathway_period pe ON pe.pathway_id = p.id "
        "WHERE pe.start <= %s AND pe.end >= %s AND p.status <> 'exited' GROUP BY p.departement_id, "
        "pp.nationality", ON, ON)  # fmt: skip
    groups = {"NG": "africa", "RO": "eu", "CN": "other", "FR": "france", "": "unknown", "BR": "other"}
    expected = {}
    for (dep, code), n in raw.items():
        expected[(dep, groups[code])] = expected.get((dep, groups[code]), 0) + n
    assert totals(indicators.active_by_nationality(START, ON)) == expected
    assert by_dep_assoc(indicators.aps_issued(START, END)) == sql(
        "SELECT pp.departement_id, pp.association_id, COUNT(*) FROM rights_apsfile a JOIN people_person pp "
        "ON pp.id = a.person_id WHERE a.issued_on BETWEEN %s AND %s GROUP BY pp.departement_id, "
        "pp.association_id", START, END)  # fmt: skip
    assert by_dep_assoc(indicators.afis_paid(START, END)) == sql(
        "SELECT pp.departement_id, pp.association_id, COUNT(DISTINCT a.person_id) FROM rights_afisfile a "
        "JOIN people_person pp ON pp.id = a.person_id WHERE a.first_payment_on <= %s AND "
        "(a.stopped_on IS NULL OR a.stopped_on >= %s) GROUP BY pp.departement_id, pp.association_id",
        END, START)  # fmt: skip


@pytest.mark.django_db
def test_delays_are_durations_from_the_raw_dates(year):
    with connection.cursor() as cursor:  # the dates, subtracted here: the same SQL on SQLite and PostgreSQL
        cursor.execute(
            "SELECT d.id, p.departement_id, p.association_id, d.decided_on, MAX(s.date) "
            "FROM pathway_decision d "
            "JOIN pathway_avis a ON a.request_id = d.request_id JOIN pathway_commissionsession s "
            "ON s.id = a.session_id JOIN pathway_pathwayrequest r ON r.id = d.request_id "
            "JOIN pathway_pathway p ON p.id = r.pathway_id WHERE d.decided_on BETWEEN %s AND %s "
            "GROUP BY d.id, p.departement_id, p.association_id, d.decided_on",
            [START, END],
        )
        rows = cursor.fetchall()
    as_date = dt.date.fromisoformat
    expected = {}
    for _pk, dep, assoc, decided, held in rows:
        expected.setdefault((dep, assoc), []).append((as_date(str(decided)) - as_date(str(held))).days)
    cells = indicators.delay_avis_to_decision(START, END)
    assert cells == {k: sorted(v) for k, v in expected.items()}
    days = indicators.durations(cells)
    assert days == sorted(d for v in expected.values() for d in v)
    assert indicators.durations(cells, "13") == sorted(
        d for (dep, _a), v in expected.items() if dep == "13" for d in v
    )
    summary = indicators.summarise(days, 10)
    assert summary["median"] == pystats.median(days) and summary["n"] == len(days) == 92
    assert all(3 <= d < 40 for d in days)  # what the generator drew


@pytest.mark.django_db
def test_delay_from_submission_to_session_from_the_raw_dates(year):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.id, p.departement_id, p.association_id, r.submitted_on, MAX(s.date) "
            "FROM pathway_avis a JOIN pathway_commissionsession s ON s.id = a.session_id "
            "JOIN pathway_pathwayrequest r ON r.id = a.request_id "
            "JOIN pathway_pathway p ON p.id = r.pathway_id "
            "WHERE s.date BETWEEN %s AND %s AND r.submitted_on IS NOT NULL "
            "GROUP BY r.id, p.departement_id, p.association_id, r.submitted_on",
            [START, END],
        )
        rows = cursor.fetchall()
    as_date = dt.date.fromisoformat
    expected = {}
    for _pk, dep, assoc, submitted, held in rows:
        expected.setdefault((dep, assoc), []).append((as_date(str(held)) - as_date(str(submitted))).days)
    assert indicators.delay_submission_to_session(START, END) == {k: sorted(v) for k, v in expected.items()}
    assert sum(len(v) for v in expected.values()) == 100  # every request of the generated year had its avis


@pytest.mark.django_db
def test_the_cache_follows_new_rows(year):
    with clock.travel_to(dt.date(2026, 1, 10)):
        before = sum(indicators.compute("requests", START, END).values())
        from parcours.pathway.models import PathwayRequest

        req = PathwayRequest.objects.filter(submitted_on__year=2025).first()
        PathwayRequest.objects.create(
            pathway=req.pathway, kind="renewal", status="submitted", commission=req.commission,
            created_by=req.created_by, submitted_on=dt.date(2025, 11, 2),
        )  # fmt: skip
        assert sum(indicators.compute("requests", START, END).values()) == before + 1
