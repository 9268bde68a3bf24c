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
