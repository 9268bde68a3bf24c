"""Funding in the association's statistics: the grants running in the year, their amount and the charges
booked in the year, on the dashboard, in its spreadsheet export and in the annual activity report (PDF);
another association's head never reads them, and the secretariat's dashboard has no such section."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from parcours.core import clock
from parcours.funding import services

from ..factories import MembershipFactory
from ..tools import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def grants(personas):
    with clock.travel_to(dt.date(2026, 1, 5)):
        agrasc = services.create_funder(personas.head, kind="agrasc", name="AGRASC (fictif)")
        city = services.create_funder(personas.head, kind="other", name="Ville fictive")
        g = services.create_grant(
            personas.head, funder=agrasc, label="Poste CIP", amount=Decimal("36000"),
            starts_on=dt.date(2025, 7, 1), ends_on=dt.date(2026, 12, 31), indicators=["people_followed"],
        )  # fmt: skip
        services.create_grant(  # ended before the year: not in the 2026 figures
            personas.head, funder=city, label="Ancienne convention", amount=Decimal("5000"),
            starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2024, 12, 31), indicators=["people_followed"],
        )  # fmt: skip
        services.add_charge(g, personas.head, date=dt.date(2025, 12, 1), label="Loyer", amount=Decimal("700"))
        services.add_charge(
            g, personas.head, date=dt.date(2026, 2, 1), label="Loyer", amount=Decimal("900.50")
        )
        services.add_charge(
            g, personas.head, date=dt.date(2026, 3, 1), label="Salaire", amount=Decimal("2000")
        )


def _cells(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def test_the_dashboard_and_its_export_show_the_year_s_grants_and_charges(client, personas, grants):
    client.force_login(personas.head.user)
    with clock.travel_to(dt.date(2026, 12, 4)):
        page = client.get("/statistiques/", {"debut": "2026-01-01", "fin": "2026-12-31"})
        sheet = client.get("/statistiques/", {"debut": "2026-01-01", "fin": "2026-12-31", "format": "xlsx"})
    body = _cells(page.content.decode())
    assert page.status_code == 200
    assert "AGRASC (fictif)" in body and "36 000,00 €" in body
    assert "2 900,50 €" in body  # 900.50 + 2,000 in 2026; the 700 of December 2025 is not in the year
    assert "Ancienne convention" not in body
    workbook = load_workbook(io.BytesIO(sheet.content))
    rows = [[c for c in r] for r in workbook["Financements"].iter_rows(values_only=True)]
    assert tuple(rows[1][:2]) == ("AGRASC (fictif)", "Poste CIP")
    assert _cells(rows[-1][4]) == "2 900,50 €"


def test_the_annual_activity_report_has_the_funding_section(client, personas, grants):
    client.force_login(personas.head.user)
    with clock.travel_to(dt.date(2026, 12, 4)):
        pdf = client.get("/statistiques/rapport-activite/", {"annee": "2026"})
    assert pdf["Content-Type"] == "application/pdf"
    text = _cells(pdf_text(pdf.content))
    assert "Financements" in text and "AGRASC (fictif)" in text and "2 900,50 €" in text


def test_another_association_and_the_secretariat_never_read_the_grants(client, personas, grants):
    other_head = MembershipFactory(organisation=personas.other_association, role="head_of_service")
    for reader in (other_head, personas.secretariat):
        client.force_login(reader.user)
        with clock.travel_to(dt.date(2026, 12, 4)):
            page = client.get("/statistiques/", {"debut": "2026-01-01", "fin": "2026-12-31"})
        assert page.status_code == 200
        assert "AGRASC" not in page.content.decode() and "36 000" not in _cells(page.content.decode())
