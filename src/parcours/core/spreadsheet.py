"""Tables written as CSV, XLSX (openpyxl) or ODS (odfpy): one writer for every export of Parcours.

A table is a title and rows of cells (str, int, float, Decimal, date or None); the first row is the header.
Text is always written as text, never as a formula: a cell that starts with « = », « + », « - » or « @ »
stays the words it is (XLSX and ODS store it as a string; CSV, which has no types, prefixes it with an
apostrophe, as OWASP advises against CSV injection). docs/decisions/0044-spreadsheets.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
Cell = str | int | float | Decimal | dt.date | None


@dataclass(frozen=True)
class Sheet:
    title: str
    rows: list[list[Cell]]


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _csv(sheets: list[Sheet]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for index, sheet in enumerate(sheets):
        if index:
            writer.writerow([])
        if len(sheets) > 1:
            writer.writerow([sheet.title])
        for row in sheet.rows:
            cells = []
            for value in row:
                text = _text(value)
                if isinstance(value, str) and text.startswith(_FORMULA_START):
                    text = "'" + text
                cells.append(text)
            writer.writerow(cells)
    # A byte-order mark so that spreadsheet programs read the accents as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _sheet_title(title: str, taken: set[str]) -> str:
    clean = "".join(" " if c in "[]:*?/\\" else c for c in title)[:31] or "Feuille"
    name, n = clean, 2
    while name in taken:
        suffix = f" ({n})"
        name, n = clean[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def _xlsx(sheets: list[Sheet]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for sheet in sheets:
        ws = workbook.create_sheet(_sheet_title(sheet.title, taken))
        for r, row in enumerate(sheet.rows, start=1):
            for c, value in enumerate(row, start=1):
                cell = ws.cell(row=r, column=c)
                if isinstance(value, str):
                    cell.value = value
                    cell.data_type = "s"  # never a formula
                elif isinstance(value, dt.date):
                    cell.value = value
                    cell.number_format = "DD/MM/YYYY"
                else:
                    cell.value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _ods(sheets: list[Sheet]) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    taken: set[str] = set()
    for sheet in sheets:
        table = Table(name=_sheet_title(sheet.title, taken))
        for row in sheet.rows:
            table_row = TableRow()
            for value in row:
                if isinstance(value, bool) or value is None or isinstance(value, str):
                    cell = TableCell(valuetype="string")
                elif isinstance(value, dt.date):
                    cell = TableCell(valuetype="date", datevalue=value.isoformat())
                else:
                    cell = TableCell(valuetype="float", value=str(value))
                if value is not None:
                    cell.addElement(P(text=_text(value)))
                table_row.addElement(cell)
            table.addElement(table_row)
        document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def write(fmt: str, sheets: list[Sheet]) -> bytes:
    if fmt == "csv":
        return _csv(sheets)
    if fmt == "xlsx":
        return _xlsx(sheets)
    if fmt == "ods":
        return _ods(sheets)
    raise ValueError(f"unknown spreadsheet format {fmt!r}")


def response(fmt: str, filename_stem: str, sheets: list[Sheet]) -> HttpResponse:
    """A download of `sheets`; `fmt` must be one of FORMATS (views check it and answer 404 otherwise)."""
    reply = HttpResponse(write(fmt, sheets), content_type=FORMATS[fmt])
    reply["Content-Disposition"] = f'attachment; filename="{filename_stem}.{fmt}"'
    reply["Cache-Control"] = "no-store"
    return reply
