"""Reading an uploaded spreadsheet (CSV, XLSX, ODS) safely, before any row is looked at.

- Size: refused above settings.PARCOURS_IMPORT_MAX_BYTES (views check it before reading; `read` again).
- XLSX and ODS are ZIP archives: their member count and declared uncompressed size are checked against
  PARCOURS_IMPORT_MAX_MEMBERS and PARCOURS_IMPORT_MAX_UNCOMPRESSED_BYTES before any parser opens them (a
  « zip bomb » is refused; Python's zipfile never inflates a member beyond its declared size).
- CSV: UTF-8 with or without a byte-order mark; a file that is not UTF-8 is refused, with a message naming
  Windows-1252 when it decodes as such (the « CSV » of older spreadsheet programs).
- Formulas are never evaluated: openpyxl is opened with data_only=False (a formula comes back as its text,
  « =… ») and an ODS cell's table:formula attribute is read as a `Formula`; validation refuses both.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _


class FileRefused(Exception):
    """The whole file is refused; `message` says why, in French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Formula:
    """A spreadsheet cell holding a formula (never evaluated)."""

    text: str


Cell = str | int | float | dt.date | Formula | None


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[Cell]]]  # (line number as the spreadsheet shows it, cells)


FORMATS = ("csv", "xlsx", "ods")
MAX_COLUMNS = 60


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return _("%(n)s Mo") % {"n": f"{size / 1024 / 1024:.1f}".replace(".", ",").replace(",0", "")}
    return _("%(n)s ko") % {"n": max(1, size // 1024)}


def format_of(filename: str) -> str | None:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return ext if ext in FORMATS else None


def check_size(size: int) -> None:
    limit = settings.PARCOURS_IMPORT_MAX_BYTES
    if size > limit:
        raise FileRefused(
            _(
                "Le fichier pèse %(size)s, au-delà de la limite de %(limit)s : "
                "découpez-le en plusieurs fichiers."
            )
            % {"size": human_size(size), "limit": human_size(limit)}
        )


def read(content: bytes, fmt: str) -> Table:
    check_size(len(content))
    if not content.strip():
        raise FileRefused(_("Le fichier est vide."))
    if fmt == "csv":
        raw = _read_csv(content)
    elif fmt in ("xlsx", "ods"):
        _check_archive(content)
        raw = _read_xlsx(content) if fmt == "xlsx" else _read_ods(content)
    else:
        raise FileRefused(_("Format non pris en charge : déposez un fichier CSV, XLSX ou ODS."))
    return _table(raw)


def _table(raw) -> Table:
    header, rows, limit = None, [], settings.PARCOURS_IMPORT_MAX_ROWS
    for line, cells in raw:
        cells = list(cells[:MAX_COLUMNS])
        while cells and (cells[-1] is None or cells[-1] == ""):
            cells.pop()
        if not cells:
            continue
        if header is None:
            header = [
                ("" if c is None else str(c.text if isinstance(c, Formula) else c)).strip() for c in cells
            ]
            continue
        rows.append((line, cells))
        if len(rows) > limit:
            raise FileRefused(
                _("Le fichier compte plus de %(n)s lignes : découpez-le en plusieurs fichiers.")
                % {"n": limit}
            )
    if header is None:
        raise FileRefused(_("Le fichier est vide."))
    return Table(header, rows)


# --- CSV ---------------------------------------------------------------------------------------------------
def _decode(content: bytes) -> str:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileRefused(
            _(
                "Le fichier est encodé en UTF-16 : enregistrez-le au format « CSV UTF-8 » "
                "et déposez-le à nouveau."
            )
        )
    if content.startswith(codecs.BOM_UTF8):
        content = content[len(codecs.BOM_UTF8) :]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        content.decode("cp1252")
    except UnicodeDecodeError:
        raise FileRefused(
            _(
                "Le fichier n'est pas encodé en UTF-8 : enregistrez-le au format « CSV UTF-8 » et déposez-le "
                "à nouveau."
            )
        ) from None
    raise FileRefused(
        _(
            "Le fichier semble encodé en Windows-1252 (ANSI), pas en UTF-8 : les accents seraient mal lus. "
            "Enregistrez-le au format « CSV UTF-8 » et déposez-le à nouveau."
        )
    )


def _read_csv(content: bytes):
    text = _decode(content)
    if "\x00" in text:
        raise FileRefused(_("Le fichier est illisible : ce n'est pas un fichier CSV valide."))
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return list(enumerate(reader, start=1))
    except csv.Error:
        raise FileRefused(_("Le fichier est illisible : ce n'est pas un fichier CSV valide.")) from None


# --- Archives ----------------------------------------------------------------------------------------------
def _check_archive(content: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise FileRefused(
            _("Le fichier est illisible : ce n'est pas un classeur XLSX ou ODS valide.")
        ) from None
    if len(members) > settings.PARCOURS_IMPORT_MAX_MEMBERS:
        raise FileRefused(
            _(
                "Le classeur contient %(n)s éléments, bien plus qu'un tableau ordinaire : il est refusé par "
                "précaution."
            )
            % {"n": len(members)}
        )
    total = sum(m.file_size for m in members)
    limit = settings.PARCOURS_IMPORT_MAX_UNCOMPRESSED_BYTES
    if total > limit:
        raise FileRefused(
            _(
                "Une fois décompressé, le classeur ferait %(size)s, au-delà de la limite de %(limit)s : "
                "il est "
                "refusé (archive anormalement compressée)."
            )
            % {"size": human_size(total), "limit": human_size(limit)}
        )


def _read_xlsx(content: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
        rows = []
        for n, row in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            cells = []
            for value in row:
                if isinstance(value, dt.datetime):
                    value = value.date()
                elif isinstance(value, str) and value.startswith("="):
                    value = Formula(value)
                cells.append(value)
            rows.append((n, cells))
        workbook.close()
        return rows
    except FileRefused:
        raise
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise FileRefused(_("Le fichier est illisible : ce n'est pas un classeur XLSX valide.")) from None


def _read_ods(content: bytes):
    from odf import teletype
    from odf.opendocument import load
    from odf.table import Table as OdfTable
    from odf.table import TableRow

    try:
        document = load(io.BytesIO(content))
        tables = document.spreadsheet.getElementsByType(OdfTable)
        if not tables:
            raise FileRefused(_("Le classeur ne contient aucune feuille."))
        rows, line = [], 0
        for table_row in tables[0].getElementsByType(TableRow):
            repeat = int(table_row.getAttribute("numberrowsrepeated") or 1)
            cells: list[Cell] = []
            for cell in table_row.childNodes:
                if len(cells) >= MAX_COLUMNS:
                    break
                times = min(int(cell.getAttribute("numbercolumnsrepeated") or 1), MAX_COLUMNS)
                value: Cell
                formula = cell.getAttribute("formula") if cell.qname[1] == "table-cell" else None
                kind = cell.getAttribute("valuetype") if cell.qname[1] == "table-cell" else None
                if formula:
                    value = Formula(formula)
                elif kind == "date":
                    value = dt.date.fromisoformat(cell.getAttribute("datevalue")[:10])
                elif kind in ("float", "percentage", "currency"):
                    number = float(cell.getAttribute("value"))
                    value = int(number) if number.is_integer() else number
                else:
                    value = "\n".join(teletype.extractText(p) for p in cell.childNodes) or None
                cells.extend([value] * times)
            if any(c not in (None, "") for c in cells):
                if repeat > settings.PARCOURS_IMPORT_MAX_ROWS:
                    raise FileRefused(
                        _("Le fichier compte plus de %(n)s lignes : découpez-le en plusieurs fichiers.")
                        % {"n": settings.PARCOURS_IMPORT_MAX_ROWS}
                    )
                rows.extend((line + 1 + k, cells) for k in range(repeat))
            line += repeat
        return rows
    except FileRefused:
        raise
    except Exception:  # odfpy raises many kinds on a damaged file
        raise FileRefused(_("Le fichier est illisible : ce n'est pas un classeur ODS valide.")) from None
