"""The one spreadsheet writer: what a reader opens is what was written, and text never becomes a formula."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from odf.opendocument import load
from odf.table import Table, TableCell, TableRow
from openpyxl import load_workbook

from parcours.core.spreadsheet import Sheet, response, write

SHEETS = [
    Sheet(
        "Participants : étape/sortie",
        [
            ["Étape", "Nombre", "Date", "Montant"],
            ["Information", 9, dt.date(2026, 2, 28), Decimal("1234.50")],
            ['=HYPERLINK("http://x")', None, None, -3],
        ],
    ),
    Sheet("Définitions", [["Indicateur", "Définition"], ["Embauchées", "+ de 20 h par semaine"]]),
]


def test_xlsx_reads_back_with_types_and_safe_sheet_names():
    book = load_workbook(io.BytesIO(write("xlsx", SHEETS)))
    assert book.sheetnames == ["Participants   étape sortie", "Définitions"]
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[1] == ("Information", 9, dt.datetime(2026, 2, 28), 1234.5)
    assert rows[2] == ('=HYPERLINK("http://x")', None, None, -3)


def test_no_formula_is_ever_written_in_xlsx_or_ods():
    xlsx = zipfile.ZipFile(io.BytesIO(write("xlsx", SHEETS)))
    sheet_xml = xlsx.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # no formula element: the words are an inline string
    assert '<is><t>=HYPERLINK("http://x")</t></is>' in sheet_xml
    ods = zipfile.ZipFile(io.BytesIO(write("ods", SHEETS))).read("content.xml").decode()
    assert "table:formula" not in ods and "HYPERLINK" in ods


def test_ods_reads_back_cell_by_cell():
    document = load(io.BytesIO(write("ods", SHEETS)))
    tables = document.spreadsheet.getElementsByType(Table)
    assert [t.getAttribute("name") for t in tables] == ["Participants   étape sortie", "Définitions"]
    second_row = tables[0].getElementsByType(TableRow)[1].getElementsByType(TableCell)
    assert [str(c) for c in second_row] == ["Information", "9", "28/02/2026", "1234.50"]
    assert second_row[1].getAttribute("valuetype") == "float"
    assert second_row[2].getAttribute("datevalue") == "2026-02-28"


def test_csv_is_utf8_with_semicolons_and_neutralised_formulas():
    text = write("csv", SHEETS[:1]).decode("utf-8")
    assert text.startswith("\ufeffÉtape;Nombre;Date;Montant\r\n")
    assert "Information;9;28/02/2026;1234.50" in text
    assert "'=HYPERLINK" in text
    assert text.rstrip().endswith(";;;-3")  # a negative number is a number, not text to neutralise


def test_the_download_is_an_attachment_that_is_not_cached():
    reply = response("ods", "programme-2026", SHEETS)
    assert reply["Content-Disposition"] == 'attachment; filename="programme-2026.ods"'
    assert reply["Cache-Control"] == "no-store"
    with pytest.raises(ValueError):
        write("pdf", SHEETS)
