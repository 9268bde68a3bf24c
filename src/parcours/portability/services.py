"""Import of an association's caseload (docs/decisions/0051-import.md).

1. `start_import` (the page): the file is checked for size and format, sealed into the documents' storage,
   and a background task `check_task` reads and checks every row: the dry run. Nothing but the job row (its
   counts and its report of rejected rows) is written.
2. `confirm_import` (the page, after reading the report): when every row is valid, or when the head of
   service explicitly chose to import only the valid rows, `import_task` creates each person through
   people.services.create_person (encryption, journal) and her pathway history through
   pathway.transitions.record_history, one transaction per row, and records the row's natural key.
3. Re-importing a file: rows whose external reference was already imported by the association are
   « déjà importées » and change nothing; a file identical to one already imported says so.
"""

from __future__ import annotations

import hashlib
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.utils.translation import gettext as _

from parcours.accounts import policy
from parcours.accounts.models import Membership
from parcours.audit import log as audit
from parcours.core import clock, crypto
from parcours.core.errors import DomainError
from parcours.pathway import transitions
from parcours.people import services as people
from parcours.people.models import Person

from . import columns, reading
from .models import ImportedRow, ImportJob, ImportStatus

PROGRESS_EVERY = 25


# --- Sealed files in the documents' storage ------------------------------------------------------------
def storage():
    return storages["documents"]


def _path(storage_name: str) -> str:
    if not (len(storage_name) == 32 and all(c in "0123456789abcdef" for c in storage_name)):
        raise ValueError("invalid storage name")
    return f"portability/{storage_name}"


def store(content: bytes, purpose: str) -> str:
    name = uuid.uuid4().hex
    storage().save(_path(name), ContentFile(crypto.encrypt_bytes(content, f"portability.{purpose}:{name}")))
    return name


def load(storage_name: str, purpose: str) -> bytes:
    with storage().open(_path(storage_name), "rb") as handle:
        return crypto.decrypt_bytes(handle.read(), f"portability.{purpose}:{storage_name}")


def discard(storage_name: str) -> None:
    if storage_name:
        storage().delete(_path(storage_name))


# --- Import ------------------------------------------------------------------------------------------
def _require(by: Membership | None, action: str = "portability") -> None:
    if not policy.can(by, action):
        raise DomainError(_("Votre rôle ne permet pas cette action."))


def start_import(by: Membership, filename: str, content: bytes) -> ImportJob:
    """Keep the uploaded file (sealed) and queue its check. Raises reading.FileRefused for a file refused
    before any row is read (size, format)."""
    _require(by)
    fmt = reading.format_of(filename or "")
    if fmt is None:
        raise reading.FileRefused(_("Format non pris en charge : déposez un fichier CSV, XLSX ou ODS."))
    reading.check_size(len(content))
    storage_name = store(content, "import")
    with transaction.atomic():
        job = ImportJob.objects.create(
            association=by.organisation, membership=by, filename=(filename or "")[-200:], fmt=fmt,
            file_hash=hashlib.sha256(content).hexdigest(), storage_name=storage_name,
        )  # fmt: skip
        audit.record_event(by, "data_import.check", job)
    from .tasks import check_task

    check_task.enqueue(job.pk)
    return job


def same_file_imported(job: ImportJob) -> ImportJob | None:
    return (
        ImportJob.objects.filter(
            association_id=job.association_id, file_hash=job.file_hash, status=ImportStatus.DONE
        )
        .exclude(pk=job.pk)
        .order_by("created_at")
        .first()
    )


def _check_rows(job: ImportJob, on_progress=None) -> list[columns.Row]:
    content = load(job.storage_name, "import")
    if hashlib.sha256(content).hexdigest() != job.file_hash:
        raise reading.FileRefused(_("Le fichier conservé ne correspond plus au fichier déposé."))
    table = reading.read(content, job.fmt)
    try:
        positions = columns.check_header(table)
    except columns.HeaderRefused as exc:
        raise reading.FileRefused(exc.message) from None
    association = job.association
    known = set(ImportedRow.objects.filter(association=association).values_list("key", flat=True))
    people_here = Person.objects.filter(association=association, anonymised_on__isnull=True)
    checker = columns.Checker(association, people_here, known)
    rows = []
    for n, (line, cells) in enumerate(table.rows, start=1):
        rows.append(checker.check(line, cells, positions))
        if on_progress and n % PROGRESS_EVERY == 0:
            on_progress(n, len(table.rows))
    return rows


def _report(rows: list[columns.Row]) -> list[list]:
    return [[row.line, col, name, message] for row in rows for col, name, message in row.errors]


def _progress(job: ImportJob):
    def save(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(rows_done=done, rows_total=total)

    return save


def run_check(job_pk: int) -> None:
    """The dry run: read and check every row; write nothing but the job's counts and report."""
    job = ImportJob.objects.select_related("association").get(pk=job_pk)
    if job.status != ImportStatus.CHECKING:
        return
    try:
        rows = _check_rows(job, _progress(job))
    except reading.FileRefused as exc:
        _fail(job, exc.message)
        return
    job.rows_total = job.rows_done = len(rows)
    job.rows_valid = sum(1 for r in rows if r.valid and not r.known)
    job.rows_known = sum(1 for r in rows if r.known and r.valid)
    job.report = _report(rows)
    job.status = ImportStatus.CHECKED
    job.finished_at = clock.now()
    job.save()


def _fail(job: ImportJob, message: str) -> None:
    discard(job.storage_name)
    job.storage_name = ""
    job.error = message[:300]
    job.status = ImportStatus.FAILED
    job.finished_at = clock.now()
    job.save()


def confirm_import(job: ImportJob, by: Membership, *, valid_only: bool) -> ImportJob:
    """Queue the import of a checked file: all its rows when all are valid, or, when `valid_only` was
    explicitly chosen, its valid rows only."""
    _require(by)
    if job.association_id != by.organisation_id:
        raise DomainError(_("Cet import appartient à une autre association."))
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ImportStatus.CHECKED:
            raise DomainError(_("Cet import n'attend pas de confirmation."))
        if job.report and not valid_only:
            raise DomainError(
                _(
                    "Des lignes sont refusées : corrigez le fichier, ou choisissez d'importer seulement les "
                    "lignes valides."
                )
            )
        job.status, job.valid_only, job.rows_done = ImportStatus.IMPORTING, bool(job.report), 0
        job.save(update_fields=["status", "valid_only", "rows_done"])
        audit.record_event(by, "data_import.run", job)
    from .tasks import import_task

    import_task.enqueue(job.pk)
    return job


def _person(values: dict) -> Person:
    return Person(
        first_name=values["first_name"], last_name=values["last_name"], birth_date=values["birth_date"],
        gender=values.get("gender") or Person._meta.get_field("gender").default,
        nationality=values.get("nationality", ""), departement_id=values["departement_id"],
        phone=values.get("phone", ""), dependent_children=values.get("dependent_children", 0),
    )  # fmt: skip


def run_import(job_pk: int) -> None:
    """Create the people of a confirmed file, each row in its own transaction through the services of the
    pages. The rows are checked again (the caseload may have changed since the dry run)."""
    job = ImportJob.objects.select_related("association", "membership__user", "membership__organisation").get(
        pk=job_pk
    )
    if job.status != ImportStatus.IMPORTING:
        return
    by = job.membership
    if not policy.can(by, "portability"):
        _fail(job, _("Le compte qui a lancé l'import n'y est plus autorisé."))
        return
    try:
        rows = _check_rows(job)
    except reading.FileRefused as exc:
        _fail(job, exc.message)
        return
    ImportJob.objects.filter(pk=job.pk).update(rows_total=len(rows), rows_done=0)
    created, report = 0, _report(rows)
    if report and not job.valid_only:
        _fail(job, _("Le fichier a des lignes refusées depuis sa vérification : rien n'a été importé."))
        ImportJob.objects.filter(pk=job.pk).update(report=report)
        return
    for n, row in enumerate(rows, start=1):
        if row.valid and not row.known:
            try:
                with transaction.atomic():
                    person = people.create_person(by, _person(row.values), distinct_confirmed=True)
                    if row.values["history"]:
                        start, renewals, exit_date, reason = row.values["history"]
                        transitions.record_history(person, by, start, renewals, exit_date, reason)
                    ImportedRow.objects.create(
                        association=job.association, key=row.key, person=person, job=job, line=row.line
                    )
                created += 1
            except DomainError as exc:
                report.append([row.line, "", "", str(exc)])
        if n % PROGRESS_EVERY == 0:
            ImportJob.objects.filter(pk=job.pk).update(rows_done=n, rows_created=created)
    discard(job.storage_name)
    job.storage_name = ""
    job.rows_done, job.rows_created, job.report = len(rows), created, report
    job.rows_known = sum(1 for r in rows if r.known and r.valid)
    job.status, job.finished_at = ImportStatus.DONE, clock.now()
    job.save()


def template_sheets():
    """The import template: the header row, then a sheet of notes defining each column."""
    from parcours.core.spreadsheet import Sheet

    notes = [[_("Colonne"), _("Intitulé"), _("Obligatoire"), _("Définition"), _("Exemple")]]
    for c in columns.COLUMNS:
        notes.append([c.name, str(c.label), _("oui") if c.required else _("non"), str(c.help), c.example])
    notes += [
        [],
        [
            _(
                "Une ligne par personne ; la première ligne porte les noms de colonnes ci-dessus "
                "(sans accents)."
            )
        ],
        [
            _(
                "Les dates s'écrivent JJ/MM/AAAA. Aucune formule : une cellule qui commence par "
                "= + - @ est refusée."
            )
        ],
        [_("Fichiers acceptés : CSV (UTF-8, séparateur point-virgule ou virgule), XLSX, ODS.")],
        [_("Documentation : docs/import.md ; décision : docs/decisions/0051-import.md.")],
    ]
    return [Sheet(_("Personnes"), [list(columns.NAMES)]), Sheet(_("Définitions des colonnes"), notes)]
