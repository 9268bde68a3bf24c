"""The dashboard as each role sees it: her level only, French messages for bad periods, no small count."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from parcours.core import clock

from ..factories import MembershipFactory, OrganisationFactory

URL = reverse("statistics:dashboard")
TODAY = dt.date(2026, 3, 10)


def get(client, membership, **params):
    client.force_login(membership.user)
    with clock.travel_to(TODAY):
        return client.get(URL, params)


def numbers(page):
    return [int(n) for n in re.findall(r"<td>(\d+)</td>", page)]


@pytest.mark.django_db
def test_each_level_reads_what_its_role_allows(client, year):
    national = get(client, year.national, debut="2025-01-01", fin="2025-12-31").content.decode()
    assert "Bouches-du-Rhône (13)" in national and "Gard (30)" in national
    assert "Personnes en parcours au 31 décembre" in national
    gard = get(client, year.secretariat, debut="2025-01-01", fin="2025-12-31").content.decode()
    assert "Gard (30)" in gard and "Bouches-du-Rhône (13)" not in gard
    head = get(client, year.head, debut="2025-01-01", fin="2025-12-31").content.decode()
    assert "Bouches-du-Rhône (13)" not in head
    # Commissions are public bodies, counted as they are; every count of people hides 1 to 10.
    for page in (national, gard, head):
        about_people = page[page.index('<h2 id="requests"') :]
        assert not [n for n in numbers(about_people) if 1 <= n <= 10]
    series = national[national.index("Chiffres nationaux par année") : national.index('<h2 id="requests"')]
    assert '<th scope="row">2025</th>' in series


@pytest.mark.django_db
def test_another_departement_or_association_is_a_404(client, year):
    assert get(client, year.secretariat, departement="13").status_code == 404
    assert get(client, year.agent, departement="13").status_code == 404
    assert get(client, year.head, departement="30").status_code == 404
    assert get(client, year.national, departement="13").status_code == 200
    assert get(client, year.worker).status_code in (403, 404)
    outsider = MembershipFactory(organisation=OrganisationFactory(), role="social_worker")
    assert get(client, outsider).status_code in (403, 404)


@pytest.mark.django_db
def test_a_period_ending_before_it_starts_is_a_french_message_and_no_figure(client, year):
    response = get(client, year.national, debut="2025-12-31", fin="2025-01-01")
    page = response.content.decode()
    assert response.status_code == 400
    assert "La fin de la période est antérieure à son début." in page and "<tfoot>" not in page
    page = get(client, year.national, debut="2025-03-01", fin="2025-09-30").content.decode()
    assert "par année civile" in page and "<tfoot>" not in page


@pytest.mark.django_db
def test_the_xlsx_export_has_the_page_values_and_the_definitions(client, year):
    response = get(client, year.national, debut="2025-01-01", fin="2025-12-31", format="xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="statistiques-2025.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert "Définitions" in book.sheetnames
    values = [c for ws in book.worksheets[:-1] for row in ws.iter_rows(values_only=True) for c in row]
    assert "s" in values
    assert not [v for v in values if isinstance(v, int | str) and str(v).isdigit() and 1 <= int(v) <= 10]
    for fmt in ("csv", "ods"):
        assert (
            get(client, year.secretariat, debut="2025-01-01", fin="2025-12-31", format=fmt).status_code == 200
        )
    assert get(client, year.national, format="pdf").status_code == 404


@pytest.mark.django_db
def test_the_association_report_is_a_pdf_for_the_head_of_service_only(client, year):
    client.force_login(year.head.user)
    with clock.travel_to(TODAY):
        response = client.get(reverse("statistics:association_report"), {"annee": "2025"})
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
        assert client.get(reverse("statistics:association_report"), {"annee": "1990"}).status_code == 404
    client.force_login(year.national.user)
    assert client.get(reverse("statistics:association_report")).status_code in (403, 404)


@pytest.mark.django_db
def test_the_report_hides_small_counts_of_people(year):
    from parcours.statistics.reports import association_report

    report = association_report(year.association, 2025, TODAY)
    people = report["people"]
    assert all(v is None or v == 0 or v > 10 for v in people.cells.values())
    # 60 people of the Gard association, all created before the end of the year: the oracle is the fixture.
    assert sum(v for v in people.row_totals.values() if v is not None) in (0, 60) or people.total is None


def band_by_hand(born, on):
    """The bands written out once more, from the person's age on the day (Person.age)."""
    if born is None:
        return "unknown"
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    for upper, band in ((18, "under_18"), (25, "18_24"), (35, "25_34"), (45, "35_44")):
        if age < upper:
            return band
    return "45_plus"


BIRTHS = [None, dt.date(2008, 10, 1), dt.date(2007, 9, 30), dt.date(2001, 1, 1), dt.date(1991, 5, 2),
          dt.date(1980, 10, 1), dt.date(1962, 3, 3)]  # fmt: skip


@pytest.mark.django_db
def test_age_bands_are_the_age_reached_on_the_last_day(year):
    import random

    from parcours.pathway.models import Pathway
    from parcours.people.models import Person
    from parcours.statistics import indicators

    rng = random.Random(7)
    on = dt.date(2025, 9, 30)
    for person in Person.objects.all():
        person.birth_date = rng.choice(BIRTHS)
        person.save()
    expected = {}
    for pathway in Pathway.objects.exclude(status="exited").select_related("person"):
        if any(p.start <= on <= p.end for p in pathway.periods.all()):
            key = (pathway.departement_id, band_by_hand(pathway.person.birth_date, on))
            expected[key] = expected.get(key, 0) + 1
    got = {}
    for (dep, band, _assoc), n in indicators.active_by_age(dt.date(2025, 1, 1), on).items():
        got[(dep, band)] = got.get((dep, band), 0) + n
    assert got == expected and sum(got.values()) > 30
    assert indicators.age_band(dt.date(2007, 9, 30), on) == "18_24"  # 18 on that very day
    assert indicators.age_band(dt.date(2007, 10, 1), on) == "under_18"
    assert indicators.age_band(dt.date(1980, 10, 1), on) == "35_44"  # 45 the next day


@pytest.mark.django_db
def test_the_secretariat_reads_its_departements_delays_and_the_head_her_activity(client, year):
    gard = get(client, year.secretariat, debut="2025-01-01", fin="2025-12-31").content.decode()
    delays = gard[gard.index('<h2 id="delais">') :]
    assert "Gard (30)" in delays and "Bouches-du-Rhône" not in delays and "France entière" not in delays
    national = get(client, year.national, debut="2025-01-01", fin="2025-12-31").content.decode()
    national_delays = national[national.index('<h2 id="delais">') :]
    assert "France entière" in national_delays and "Bouches-du-Rhône (13)" in national_delays
    # The Bouches-du-Rhône: 25 requests of one association, all examined in 2025 (the fixture).
    row = re.search(r"Bouches-du-Rhône \(13\)</th><td>(\d+|s)</td>", national_delays)
    assert row.group(1) == "25"
    assert "Activité collective de l'association" not in gard + national
    head = get(client, year.head, debut="2025-01-01", fin="2025-12-31").content.decode()
    assert "Activité collective de l'association" in head and "Permanences (accueils) tenues" in head
    # The bars are SVG rectangles sized by attribute: the content security policy (style-src 'self') drops
    # inline styles, which is how the first charts lost their bars.
    assert ' style="' not in head + gard + national and "statistics/charts" in head
    assert "Bilan 2025 de la commission pour le préfet (PDF)" in gard
    assert "Bilan national 2025 (PDF)" in national and "Bilan national" not in gard


@pytest.mark.django_db
def test_the_balance_table_hides_a_flow_that_the_identity_would_give_away(client, year):
    """The Gard on 31 December 2025 and its exits: whatever is hidden, never exactly one of the four."""
    page = get(client, year.secretariat, debut="2025-01-01", fin="2025-12-31").content.decode()
    balance = page[page.index('<h2 id="balance">') :]
    balance = balance[balance.index("<tbody>") : balance.index("</tbody>")]
    cells = re.findall(r"<td>([^<]*)</td>", balance)
    assert len(cells) == 4 and cells.count("s") != 1
    assert cells[0] == "0"  # nobody was in a pathway on 31 December 2024
    assert not [c for c in cells if c.isdigit() and 1 <= int(c) <= 10]
