"""The funding pages as the head of service uses them: forms that refuse bad input with a French message and
keep what was typed, the report's spreadsheets with their definitions sheet, and another association's grant
a 404."""

from __future__ import annotations

import datetime as dt
import html
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from parcours.core import clock
from parcours.funding import services
from parcours.funding.models import FundedPost, Grant

from ..factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def grant(personas):
    funder = services.create_funder(personas.head, kind="agrasc", name="AGRASC (fictif)")
    g = services.create_grant(
        personas.head, funder=funder, label="Poste CIP", amount=Decimal("36000"),
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31), indicators=["people_followed", "workshop_sessions"],
        purpose="=Poste de conseillère en insertion.",
    )  # fmt: skip
    services.add_charge(g, personas.head, date=dt.date(2026, 2, 1), label="Loyer", amount=Decimal("900.50"))
    services.add_charge(g, personas.head, date=dt.date(2026, 3, 1), label="Salaire", amount=Decimal("2000"),
                        hours=Decimal("151.5"))  # fmt: skip
    return g


def test_the_grant_form_refuses_an_end_before_the_start_and_keeps_the_input(client, personas, grant):
    client.force_login(personas.head.user)
    response = client.post("/financements/subventions/nouvelle/", {
        "funder": grant.funder.pk, "label": "Convention fictive 2026", "starts_on": "2026-06-01",
        "ends_on": "2026-05-31", "amount": "1000", "indicators": ["people_followed"],
    })  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200
    assert "La fin de la subvention (31 mai 2026) précède son début (1er juin 2026)." in page
    assert 'value="Convention fictive 2026"' in page
    assert Grant.objects.count() == 1


def test_a_post_beyond_the_grant_is_refused_on_the_form(client, personas, grant):
    client.force_login(personas.head.user)
    response = client.post(f"/financements/subventions/{grant.pk}/postes/nouveau/", {
        "role": "Conseillère en insertion professionnelle", "sites": "Nîmes", "months": "6",
        "starts_on": "2026-10-01", "ends_on": "2027-03-31",
    })  # fmt: skip
    assert "Le poste doit être financé pendant la subvention" in response.content.decode()
    assert not FundedPost.objects.exists()


def test_the_grant_page_shows_what_was_charged_against_the_amount(client, personas, grant):
    client.force_login(personas.head.user)
    with clock.travel_to(dt.date(2026, 12, 5)):
        page = client.get(f"/financements/subventions/{grant.pk}/").content.decode()
    # French figures: a no-break space between thousands, a decimal comma.
    assert "2\xa0900,50 € imputés sur 36\xa0000,00 € accordés (reste 33\xa0099,50 €) ; 151,50 heures." in page
    home = client.get("/financements/").content.decode()
    assert "Poste CIP" in home and "2\xa0900,50 €" in home


def test_the_spreadsheet_report_has_a_definitions_sheet_and_no_formula(client, personas, grant):
    client.force_login(personas.head.user)
    with clock.travel_to(dt.date(2026, 12, 5)):
        xlsx = client.get(f"/financements/subventions/{grant.pk}/rapport.xlsx")
        ods = client.get(f"/financements/subventions/{grant.pk}/rapport.ods")
        bad = client.get(f"/financements/subventions/{grant.pk}/rapport.pdfx")
    assert bad.status_code == 404
    assert ods.status_code == 200 and ods["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Subvention", "Indicateurs", "Définitions", "Postes financés", "Dépenses"]
    definitions = [[c.value for c in row] for row in book["Définitions"].iter_rows()]
    assert definitions[1][:2] == ["people_followed", "Personnes suivies"]
    assert definitions[1][2].startswith("Personnes dont le dossier était ouvert")
    summary = {row[0].value: row[1] for row in book["Subvention"].iter_rows()}
    assert summary["Objet"].value == "=Poste de conseillère en insertion."
    assert summary["Objet"].data_type == "s"  # text, never a formula
    assert summary["Dépenses imputées (€)"].value == 2900.5
    assert [c.value for c in list(book["Dépenses"].iter_rows())[-1]] == ["Total", None, 2900.5, 151.5]


def test_another_association_grant_is_a_404_and_the_staff_get_403(client, personas, grant):
    other_head = MembershipFactory(organisation=personas.other_association, role="head_of_service")
    client.force_login(other_head.user)
    assert client.get(f"/financements/subventions/{grant.pk}/").status_code == 404
    assert client.post(f"/financements/subventions/{grant.pk}/supprimer/").status_code == 404
    client.force_login(personas.worker.user)
    assert client.get("/financements/").status_code == 403
    assert Grant.objects.filter(pk=grant.pk).exists()


def test_the_menu_shows_financements_to_the_head_of_service_only(client, personas):
    client.force_login(personas.head.user)
    assert 'href="/financements/"' in client.get("/financements/").content.decode()
    client.force_login(personas.worker.user)
    assert 'href="/financements/"' not in client.get("/ateliers/").content.decode()


def test_a_funder_is_closed_from_its_page(client, personas, grant):
    client.force_login(personas.head.user)
    response = client.post(f"/financements/financeurs/{grant.funder.pk}/clore/")
    assert response.status_code == 302
    grant.funder.refresh_from_db()
    assert grant.funder.closed_on is not None


def _dates(client, grant, due, sent=""):
    return client.post(f"/financements/subventions/{grant.pk}/modifier/", {
        "funder": grant.funder.pk, "label": grant.label, "starts_on": "2026-01-01", "ends_on": "2026-12-31",
        "amount": "36000", "indicators": ["people_followed"], "report_due_on": due, "report_sent_on": sent,
    })  # fmt: skip


def test_the_report_due_is_announced_a_month_ahead_then_late_until_sent(client, personas, grant):
    # The session's idle timeout follows the clock: log in again on each day travelled to.
    with clock.travel_to(dt.date(2027, 1, 15)):
        client.force_login(personas.head.user)
        assert _dates(client, grant, "2027-03-31").status_code == 302
    for day, expected in (
        (dt.date(2027, 2, 28), "rapport dû le 31 mars 2027"),  # 31 days ahead: only the date
        (dt.date(2027, 3, 1), "rapport à rendre avant le 31 mars 2027"),  # 30 days ahead
        (dt.date(2027, 4, 1), "rapport en retard (dû le 31 mars 2027)"),
    ):
        with clock.travel_to(day):
            client.force_login(personas.head.user)
            home = client.get("/financements/").content.decode()
            assert expected in home, day
            assert ("Rapports à rendre" in home) == (day >= dt.date(2027, 3, 1))
            assert expected in client.get(f"/financements/subventions/{grant.pk}/").content.decode()
    with clock.travel_to(dt.date(2027, 4, 3)):
        client.force_login(personas.head.user)
        assert _dates(client, grant, "2027-03-31", "2027-04-02").status_code == 302
        home = client.get("/financements/").content.decode()
    assert "rapport envoyé le 2 avril 2027" in home and "Rapports à rendre" not in home


def test_report_dates_are_checked_and_the_input_kept(client, personas, grant):
    client.force_login(personas.head.user)
    with clock.travel_to(dt.date(2026, 12, 5)):
        early = html.unescape(_dates(client, grant, "2025-12-31").content.decode())
        future = html.unescape(_dates(client, grant, "2027-03-31", "2026-12-06").content.decode())
    assert "Le rapport ne peut pas être dû avant le début de la subvention (1er janvier 2026)." in early
    assert 'value="2025-12-31"' in early
    assert "La date d'envoi du rapport ne peut pas être dans le futur." in future
    grant.refresh_from_db()
    assert grant.report_due_on is None and grant.report_sent_on is None
