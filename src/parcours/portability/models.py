"""Imports of an association's caseload from a spreadsheet, and full exports of what it holds
(docs/decisions/0051-import.md, 0052-full-export.md). The files themselves are sealed with core/crypto.py in
the documents' storage (core/storage.py) and named here by a random storage name only."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Membership, Organisation
from parcours.core import clock
from parcours.core.fields import EncryptedCharField
from parcours.people.models import Person


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("Vérification en cours")
    CHECKED = "checked", _("Vérifié : en attente de confirmation")
    IMPORTING = "importing", _("Import en cours")
    DONE = "done", _("Importé")
    FAILED = "failed", _("Refusé")


class ImportJob(models.Model):
    association = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)
    filename = EncryptedCharField(_("fichier"), max_length=200)
    fmt = models.CharField(
        _("format"), max_length=4, choices=[("csv", "CSV"), ("xlsx", "XLSX"), ("ods", "ODS")]
    )
    file_hash = models.CharField(max_length=64, db_index=True)  # SHA-256 of the file as uploaded
    storage_name = models.CharField(max_length=32, blank=True)  # emptied once the file is deleted
    status = models.CharField(_("état"), max_length=10, choices=ImportStatus.choices,
                              default=ImportStatus.CHECKING)  # fmt: skip
    valid_only = models.BooleanField(_("seulement les lignes valides"), default=False)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    rows_known = models.PositiveIntegerField(default=0)  # already imported by an earlier file
    rows_created = models.PositiveIntegerField(default=0)
    # [[line, column, message], ...]: French messages written by the code, never a value of the file.
    report = models.JSONField(default=list, blank=True)
    error = models.CharField(max_length=300, blank=True)  # a whole-file refusal, in French, set by the code

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import de personnes")

    @property
    def running(self) -> bool:
        return self.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING)

    @property
    def percent(self) -> int:
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0


class ImportedRow(models.Model):
    """A row of a file already imported: its natural key (the external reference column, as a keyed hash)
    and the file it opened. A later file with the same reference changes nothing (idempotency)."""

    association = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=64)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey(ImportJob, on_delete=models.PROTECT, related_name="imported_rows")
    line = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("ligne importée")
        constraints = [models.UniqueConstraint(fields=["association", "key"], name="imported_key_once")]


class ExportStatus(models.TextChoices):
    BUILDING = "building", _("Préparation en cours")
    READY = "ready", _("Prêt à télécharger")
    FAILED = "failed", _("Échec")
    EXPIRED = "expired", _("Expiré (fichier supprimé)")


class ExportJob(models.Model):
    association = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)
    status = models.CharField(_("état"), max_length=10, choices=ExportStatus.choices,
                              default=ExportStatus.BUILDING)  # fmt: skip
    steps_total = models.PositiveIntegerField(default=0)
    steps_done = models.PositiveIntegerField(default=0)
    storage_name = models.CharField(max_length=32, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    # Downloads are counted by the journal (event data_export.download), not here: a download changes nothing.

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export complet")

    @property
    def running(self) -> bool:
        return self.status == ExportStatus.BUILDING

    @property
    def percent(self) -> int:
        return int(100 * self.steps_done / self.steps_total) if self.steps_total else 0
