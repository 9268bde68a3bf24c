"""The national dashboard through the browser (issue 13): the national administration opens it, reads the
official-shaped series, and downloads the XLSX export, which holds the definitions sheet."""

import io
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from .test_request_journey import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_national_administration_opens_the_dashboard_and_downloads_an_export(page, personas):
    log_in(page, "national")
    page.goto("/statistiques/")
    expect(page.get_by_role("heading", name="Tableau de bord statistique", level=1)).to_be_visible()
    expect(page.get_by_role("table", name="Chiffres nationaux par année")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger (XLSX)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert "Définitions" in book.sheetnames


def test_the_secretariat_downloads_the_commissions_review_for_the_prefet(page, personas):
    from ..tools import pdf_text

    log_in(page, "secretariat")
    page.goto("/statistiques/?debut=2025-01-01&fin=2025-12-31")
    expect(page.get_by_role("heading", name="Délais", level=2)).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Bilan 2025 de la commission pour le préfet (PDF)").click()
    assert download.value.suggested_filename == "bilan-commission-30-2025.pdf"
    text = " ".join(pdf_text(Path(download.value.path()).read_bytes()).split())
    assert "Bilan de l'année 2025 de la commission départementale" in text and "Gard (30)" in text
