"""The commission's annual review for the préfet and the national review, in PDF, read back by pdftotext
(an oracle independent of WeasyPrint) and checked against counts recomputed with raw SQL from the rows of
the generated year (conftest.year): figures published, small counts never printed."""

import datetime as dt
import re
import statistics as pystats

import pytest
from django.db import connection
from django.urls import reverse

from parcours.core import clock

from ..tools import pdf_text

TODAY = dt.date(2026, 3, 20)  # not a day from 1 to 10: the date printed on the letter is no small count
START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


def fetch(query, *params):
    with connection.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def review(client, membership, name, **params):
    client.force_login(membership.user)
    with clock.travel_to(TODAY):
        return client.get(reverse(f"statistics:{name}"), params)


def flat(text: str) -> str:
    return " ".join(text.split())


BOILERPLATE = [
    r"loi n° 51-711 du 7 juin 1951, art\. 6",
    r"de 1 à 10\b",
    r"annexe [67]",
    r"plus de 10 demandes",
    r"page \d+ / \d+",
    r"\d{2}/\d{2}/\d{4}",
]


def small_numbers(text: str) -> list[int]:
    """Every number from 1 to 10 printed outside the fixed sentences (law, threshold, page numbers)."""
    body = flat(text)
    for pattern in BOILERPLATE:
        body = re.sub(pattern, " ", body)
    return [int(n) for n in re.findall(r"(?<![\w,/.-])\d+(?![\w,/])", body) if 1 <= int(n) <= 10]


def nearest_rank_p90(values):
    ordered = sorted(values)
    return ordered[-(-len(ordered) * 90 // 100) - 1]


def shares_publishable(shares) -> bool:
    """The secrecy rule's condition, restated: no association's share and no total from 1 to 10."""
    return all(n == 0 or n > 10 for n in [*shares, sum(shares)])


def gard_decision_delays():
    rows = fetch(
        "SELECT d.id, p.association_id, d.decided_on, MAX(s.date) FROM pathway_decision d "
        "JOIN pathway_pathwayrequest r ON r.id = d.request_id JOIN pathway_pathway p ON p.id = r.pathway_id "
        "JOIN pathway_avis a ON a.request_id = d.request_id JOIN pathway_commissionsession s "
        "ON s.id = a.session_id WHERE p.departement_id = '30' AND d.decided_on BETWEEN %s AND %s "
        "GROUP BY d.id, p.association_id, d.decided_on",
        START, END)  # fmt: skip
    as_date = dt.date.fromisoformat
    by_assoc = {}
    for _pk, assoc, decided, held in rows:
        by_assoc.setdefault(assoc, []).append((as_date(str(decided)) - as_date(str(held))).days)
    return by_assoc


@pytest.mark.django_db
def test_the_commission_review_gives_the_prefet_the_departements_year(client, year):
    response = review(client, year.secretariat, "commission_review", annee="2025")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == 'attachment; filename="bilan-commission-30-2025.pdf"'
    text = flat(pdf_text(response.content))
    assert "Bilan de l'année 2025 de la commission départementale" in text and "Gard (30)" in text
    assert "Bouches-du-Rhône" not in text
    # Sessions held: a public body's meetings, counted as they are (11 held in 2025 by the fixture).
    held = fetch(
        "SELECT COUNT(*) FROM pathway_commissionsession s JOIN accounts_organisation o "
        "ON o.id = s.commission_id WHERE o.departement_id = '30' AND s.status = 'held' "
        "AND s.date BETWEEN %s AND %s", START, END)  # fmt: skip
    assert held[0][0] == 11 and "Séances tenues dans l'année 11" in text
    # Requests by kind: 60 + 15 entry requests in the Gard, no renewal.
    shares = dict(fetch(
        "SELECT p.association_id, COUNT(*) FROM pathway_pathwayrequest r JOIN pathway_pathway p "
        "ON p.id = r.pathway_id WHERE p.departement_id = '30' AND r.kind = 'entry' "
        "AND r.submitted_on BETWEEN %s AND %s GROUP BY p.association_id", START, END))  # fmt: skip
    assert sorted(shares.values()) == [15, 60]
    assert "Demande d'engagement Demande de renouvellement Total 75 0 75" in text
    # Entries: shown when every association's share is 0 or above 10, otherwise « s ». (Rule 4 of
    # secrecy.py hides them too when they alone could give a hidden number away; in this year the Gard's
    # exits are hidden already, so it adds nothing: checked first.)
    exits = text[text.index("Sorties enregistrées pendant la période") :]
    assert exits[: exits.index("Personnes en parcours")].split()[-1] == "s"
    entries = dict(fetch(
        "SELECT p.association_id, COUNT(*) FROM pathway_period pe JOIN pathway_pathway p "
        "ON p.id = pe.pathway_id "
        "WHERE p.departement_id = '30' AND pe.number = 1 AND pe.start BETWEEN %s AND %s "
        "GROUP BY p.association_id", START, END))  # fmt: skip
    n = sum(entries.values())
    expected = f"Entrées Total {n} {n}" if shares_publishable(entries.values()) else "Entrées Total s s"
    assert expected in text
    # Delay avis → decision: median and 90th percentile of the Gard's durations, when the count is published.
    delays = gard_decision_delays()
    durations = sorted(d for v in delays.values() for d in v)
    if shares_publishable([len(v) for v in delays.values()]):
        median = pystats.median(durations)
        median = int(median) if median == int(median) else str(median).replace(".", ",")
        assert (
            f"Délai de l'avis à la décision {len(durations)} {median} {nearest_rank_p90(durations)}" in text
        )
    else:
        assert "Délai de l'avis à la décision s s s" in text
    # Counts of people: none from 1 to 10 (the collective activity, last, also counts sessions and hours).
    people = pdf_text(response.content).split("Activité collective des associations du département")[0]
    assert small_numbers(people) == []
    assert "Activité collective des associations du département" in text


@pytest.mark.django_db
def test_the_departements_collective_activity_hides_an_associations_small_share(monkeypatch, year):
    """Two associations seated in the Gard (the fixture's and « Deuxième association fictive 30 »): their
    figures are added; a count of people is hidden when one share is 1 to 10, sessions and hours never."""
    from parcours.statistics import reports

    figures = {
        year.association.pk: {"outreach": {"visits": 24, "sessions_held": 3, "contacts": 30},
                              "workshops": {"participants": 0}, "employment": {}},
    }  # fmt: skip
    other = {"outreach": {"visits": 6, "sessions_held": 4, "contacts": 12}, "workshops": {}, "employment": {}}
    monkeypatch.setattr(reports, "_sources", lambda org, y, t: figures.get(org.pk, other))
    others = len(fetch("SELECT id FROM accounts_organisation WHERE kind = 'association' "
                       "AND departement_id = '30'")) - 1  # fmt: skip
    assert others >= 1
    got = dict(reports.departement_activity("30", 2025, TODAY))
    assert got["Passages aux permanences"] is None  # 24 + 6: the first association reads the other's 6
    assert got["Permanences (accueils) tenues"] == 3 + 4 * others  # sessions: as they are
    assert got["Contacts en maraude"] == 30 + 12 * others
    assert got["Participantes aux ateliers"] == 0


@pytest.mark.django_db
def test_the_prefecture_reads_the_same_review_and_nobody_else_reads_it(client, year):
    gard = pdf_text(review(client, year.secretariat, "commission_review", annee="2025").content)
    agent = pdf_text(review(client, year.agent, "commission_review", annee="2025").content)

    def figures(text):  # from the sessions to the delays: the signatory differs, the figures do not
        return flat(text).split("Séances", 1)[1].split("Délai de la transmission à la séance :")[0]

    assert figures(gard) == figures(agent) and "75 0 75" in figures(agent)
    # Another département's secretariat reads its own figures (25 requests in the Bouches-du-Rhône).
    bouches = flat(
        pdf_text(review(client, year.other_secretariat, "commission_review", annee="2025").content)
    )
    assert "Bouches-du-Rhône (13)" in bouches and "Total 25 0 25" in bouches and "Gard" not in bouches
    for who in (year.head, year.worker, year.national):
        assert review(client, who, "commission_review", annee="2025").status_code in (403, 404)
    assert review(client, year.secretariat, "commission_review", annee="2016").status_code == 404
    assert review(client, year.secretariat, "commission_review", annee="deux").status_code == 404


@pytest.mark.django_db
def test_the_national_review_has_the_shape_of_the_official_figures(client, year):
    response = review(client, year.national, "national_review", annee="2025")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    raw = pdf_text(response.content)
    text = flat(raw)
    assert "Bilan national du parcours de sortie de la prostitution — année 2025" in text
    # 2017–2024: nobody in a pathway, no AFIS, no decision (no rate), both commissions without a session.
    for y in range(2017, 2025):
        assert f"{y} 0 0 s 0 2" in text
    assert "2026" not in text.split("L'année 2025 en détail")[0].replace("20 mars 2026", "")
    # 2025: both commissions met; people on 31 December and AFIS as the rule allows (recomputed).
    active = dict(fetch(
        "SELECT p.association_id, COUNT(DISTINCT p.id) FROM pathway_pathway p JOIN pathway_period pe "
        "ON pe.pathway_id = p.id WHERE pe.start <= %s AND pe.end >= %s AND p.status <> 'exited' "
        "GROUP BY p.association_id", END, END))  # fmt: skip
    shown = str(sum(active.values())) if shares_publishable(active.values()) else "s"
    assert re.search(rf"2025 {shown} \S+ \S+ 2 0", text)
    assert "Demande d'engagement Demande de renouvellement Total 100 0 100" in text
    # The national delay from transmission to session over the 100 requests.
    rows = fetch(
        "SELECT r.id, r.submitted_on, MAX(s.date) FROM pathway_avis a JOIN pathway_commissionsession s "
        "ON s.id = a.session_id JOIN pathway_pathwayrequest r ON r.id = a.request_id "
        "WHERE s.date BETWEEN %s AND %s GROUP BY r.id, r.submitted_on", START, END)  # fmt: skip
    days = sorted((dt.date.fromisoformat(str(h)) - dt.date.fromisoformat(str(s))).days for _i, s, h in rows)
    median = pystats.median(days)
    median = int(median) if median == int(median) else str(median).replace(".", ",")
    assert len(days) == 100
    assert f"Délai de la transmission à la séance 100 {median} {nearest_rank_p90(days)}" in text
    # Commissions are public bodies, counted as they are (2): every other number hides 1 to 10.
    people = re.sub(r"\b(20\d\d) (\S+) (\S+) (\S+) \d+ \d+\b", r"\1 \2 \3 \4", text)
    assert small_numbers(people) == [] and small_numbers("2024 0 0 s 0 7") == [7]
    for who in (year.head, year.secretariat, year.agent):
        assert review(client, who, "national_review", annee="2025").status_code in (403, 404)


def test_the_small_number_finder_is_not_blind():
    assert small_numbers("Total 7 s 12") == [7]
    assert (
        small_numbers("loi n° 51-711 du 7 juin 1951, art. 6 ; page 1 / 3 ; du 01/01/2025 ; 17,5 ; 90e") == []
    )
