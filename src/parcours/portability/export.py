"""The full export of an association (docs/decisions/0052-full-export.md): everything it holds, in open
formats, for reversibility.

One ZIP:
- `parcours-export.json`: the association, then each person as privacy/export.py exports her for the right
  of access (her file decrypted, and every row that points at her, nested: pathways, requests, avis,
  decisions, periods, notes, actions, appointments, documents…), then the association's own tables;
- `tables/<app.model>.csv` and `.ods`: the same rows, one table per model, each row with the reference of
  the person it belongs to (core/spreadsheet.py: text never written as a formula);
- `documents/<reference>/<n>-<file name>`: each document's file, decrypted.

Built by a background task (`export_task`), sealed into the documents' storage, downloadable by the head of
service until `expires_at` (settings.PARCOURS_EXPORT_HOURS), then deleted by the daily task.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import policy
from parcours.accounts.models import Membership, Organisation
from parcours.audit import log as audit
from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.core.spreadsheet import Sheet, write
from parcours.people.models import Person
from parcours.privacy import export as person_export

from .models import ExportJob, ExportStatus
from .services import discard, load, store

FORMAT = "parcours-export-association-1"
# The association's own tables (rows with a foreign key to it), besides its people. Machinery and the
# journal (its own export, audit app) are left out, as are this app's jobs.
SKIPPED_APPS = frozenset({"audit", "portability", "accounts", "django_tasks_database", "otp_totp",
                          "otp_static", "otp_webauthn", "axes", "sessions", "admin"})  # fmt: skip


def start_export(by: Membership) -> ExportJob:
    if not policy.can(by, "portability_export"):
        raise DomainError(_("Votre rôle ne permet pas cette action."))
    with transaction.atomic():
        if ExportJob.objects.filter(association=by.organisation, status=ExportStatus.BUILDING).exists():
            raise DomainError(_("Un export est déjà en préparation : attendez qu'il soit prêt."))
        job = ExportJob.objects.create(association=by.organisation, membership=by)
        audit.record_event(by, "data_export.create", job)
    from .tasks import export_task

    export_task.enqueue(job.pk)
    return job


def _cell(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, (int, float, str)):
        return value
    return str(value)


def _association_models() -> list[type[models.Model]]:
    found = []
    for model in apps.get_models():
        if model._meta.app_label in SKIPPED_APPS or model is Person:
            continue
        fields = model._meta.concrete_fields
        if any(f.is_relation and f.related_model is Person for f in fields):
            continue  # exported with each person (privacy/export.py walks the rows that point at her)
        if any(f.is_relation and f.related_model is Organisation and f.name == "association" for f in fields):
            found.append(model)
    return sorted(found, key=lambda m: m._meta.label_lower)


def _safe(name: str) -> str:
    return re.sub(r"[^0-9A-Za-z._-]+", "_", name).strip("._")[:80] or "fichier"


def build(association: Organisation, on_step=None) -> bytes:
    from parcours.records import files
    from parcours.records.models import Document

    people = list(Person.objects.filter(association=association).order_by("pk"))
    org_models = _association_models()
    total = len(people) + len(org_models) + 1
    tables: dict[str, dict] = {}
    step = 0

    def advance():
        nonlocal step
        step += 1
        if on_step:
            on_step(step, total)

    def add(label: str, title: str, data: dict, reference: str) -> None:
        table = tables.setdefault(label, {"title": title, "columns": ["personne"], "rows": []})
        row = {"personne": reference}
        for key, value in data.items():
            if key == "liees":
                continue
            if key not in table["columns"]:
                table["columns"].append(key)
            row[key] = value
        table["rows"].append(row)

    def collect(sections: dict, reference: str) -> None:
        for label, section in sections.items():
            for data in section["lignes"]:
                add(label, section["libelle"], data, reference)
                collect(data.get("liees", {}), reference)

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        exported_people = []
        for person in people:
            data = person_export.build(person)["json"]
            exported_people.append(data)
            add("people.person", str(Person._meta.verbose_name_plural), data["personne"], person.reference)
            collect(data["donnees"], person.reference)
            for document in Document.objects.filter(person=person).order_by("pk"):
                try:
                    content = files.read(document.storage_name)
                except OSError:
                    content = b""
                name = f"documents/{person.reference}/{document.pk}-{_safe(document.original_name)}"
                archive.writestr(name, content)
            advance()
        own = {}
        reached = set(tables)
        for model in org_models:
            label = model._meta.label_lower
            if label in reached:
                advance()
                continue
            rows = []
            for obj in model._default_manager.filter(association=association).order_by("pk"):
                data, _lines = person_export.describe(obj)
                rows.append(data)
                add(label, str(model._meta.verbose_name_plural), data, "")
            own[label] = rows
            advance()
        document = {
            "format": FORMAT,
            "genere_le": timezone.localtime(clock.now(), clock.PARIS).isoformat(),
            "association": {"nom": association.name, "identifiant": association.pk},
            "personnes": exported_people,
            "tables_de_l_association": own,
        }
        archive.writestr(
            "parcours-export.json", json.dumps(document, ensure_ascii=False, indent=2, default=str).encode()
        )
        for label, table in sorted(tables.items()):
            rows = [table["columns"]] + [[_cell(r.get(c)) for c in table["columns"]] for r in table["rows"]]
            sheet = [Sheet(table["title"], rows)]
            archive.writestr(f"tables/{label}.csv", write("csv", sheet))
            archive.writestr(f"tables/{label}.ods", write("ods", sheet))
        archive.writestr("LISEZMOI.txt", _readme())
        advance()
    return buffer.getvalue()


def _readme() -> str:
    return _(
        "Export complet des données de l'association (Parcours).\n"
        "- parcours-export.json : toutes les données, personne par personne, puis les tables de "
        "l'association ;\n"
        "- tables/ : les mêmes données, une table par type de données, en CSV (UTF-8, point-virgule) "
        "et ODS ;\n"
        "- documents/ : les pièces déposées, déchiffrées, rangées par référence de personne.\n"
        "Ce fichier contient des données personnelles sensibles : conservez-le chiffré et supprimez-le dès "
        "qu'il n'est plus utile.\n"
    )


def run_export(job_pk: int) -> None:
    job = ExportJob.objects.select_related("association", "membership").get(pk=job_pk)
    if job.status != ExportStatus.BUILDING:
        return
    if not policy.can(job.membership, "portability_export"):
        job.status = ExportStatus.FAILED
        job.save(update_fields=["status"])
        return

    def on_step(done: int, total: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(steps_done=done, steps_total=total)

    try:
        content = build(job.association, on_step)
    except Exception:
        ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.FAILED)
        raise
    job.storage_name = store(content, "export")
    job.size = len(content)
    job.status = ExportStatus.READY
    job.expires_at = clock.now() + dt.timedelta(hours=settings.PARCOURS_EXPORT_HOURS)
    job.steps_done = job.steps_total = max(job.steps_total, 1)
    ExportJob.objects.filter(pk=job.pk).update(
        storage_name=job.storage_name, size=job.size, status=job.status, expires_at=job.expires_at,
        steps_done=ExportJob.objects.get(pk=job.pk).steps_total,
    )  # fmt: skip


def expired(job: ExportJob) -> bool:
    return job.expires_at is not None and job.expires_at <= clock.now()


def expire(job: ExportJob) -> None:
    """Delete the file of an export past its time (journaled as a system action)."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ExportStatus.READY:
            return
        discard(job.storage_name)
        job.storage_name, job.status = "", ExportStatus.EXPIRED
        job.save(update_fields=["storage_name", "status"])
        audit.record_event(None, "data_export.delete", job)


def download(job: ExportJob, by: Membership) -> bytes:
    """The ZIP of a ready export, journaled. DomainError once expired (the file is then deleted)."""
    if not policy.can(by, "portability_export") or job.association_id != by.organisation_id:
        raise DomainError(_("Votre rôle ne permet pas cette action."))
    if job.status == ExportStatus.READY and expired(job):
        expire(job)
        job.refresh_from_db()
    if job.status != ExportStatus.READY:
        raise DomainError(_("Cet export n'est plus disponible : lancez un nouvel export."))
    content = load(job.storage_name, "export")
    with transaction.atomic():
        audit.record_event(by, "data_export.download", job)
    return content


def purge() -> int:
    """Daily: delete the exports past their time, and the files of imports left unconfirmed for a day."""
    from .models import ImportJob, ImportStatus

    count = 0
    for job in ExportJob.objects.filter(status=ExportStatus.READY, expires_at__lte=clock.now()):
        expire(job)
        count += 1
    stale = ImportJob.objects.filter(
        status=ImportStatus.CHECKED, created_at__lte=clock.now() - dt.timedelta(days=1)
    )
    for job in stale.exclude(storage_name=""):
        discard(job.storage_name)
        ImportJob.objects.filter(pk=job.pk).update(
            storage_name="", status=ImportStatus.FAILED,
            error=_("Import non confirmé dans la journée : fichier supprimé."),
        )  # fmt: skip
        count += 1
    return count
