"""What the association records of the rights opened by the pathway: the AFIS file sent to the MSA and the
APS file followed with the préfecture. Every change goes through `services.py`, which checks the dates."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from parcours.core import clock
from parcours.core.fields import EncryptedTextField
from parcours.core.versions import version_field
from parcours.people.models import Person

from .rules import AfisStopReason


class AfisFile(models.Model):
    """One request of the AFIS to the MSA and what followed it (first payment, stop)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="afis_files")
    requested_on = models.DateField(_("demande adressée à la MSA le"))
    first_payment_on = models.DateField(_("premier versement le"), null=True, blank=True)
    stopped_on = models.DateField(_("arrêt du versement le"), null=True, blank=True)
    stop_reason = models.CharField(
        _("motif de l'arrêt"), max_length=20, choices=AfisStopReason.choices, blank=True
    )
    comment = EncryptedTextField(_("commentaire"), blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now, editable=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = version_field()  # optimistic locking of edits (core/locking.py)

    class Meta:
        verbose_name = _("dossier d'AFIS")
        verbose_name_plural = _("dossiers d'AFIS")
        ordering = ["-requested_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_payment_on__isnull=True) | Q(first_payment_on__gte=F("requested_on")),
                name="afis_payment_after_request",
            ),
            models.CheckConstraint(
                condition=Q(stopped_on__isnull=True) | Q(stopped_on__gte=F("requested_on")),
                name="afis_stop_after_request",
            ),
        ]

    @property
    def running(self) -> bool:
        return self.stopped_on is None


class ApsFile(models.Model):
    """One autorisation provisoire de séjour (CESEDA L425-4): request, receipt, issue, expiry, renewal
    request. A renewed APS is a new file."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="aps_files")
    requested_on = models.DateField(_("demande déposée à la préfecture le"))
    receipt_on = models.DateField(_("récépissé délivré le"), null=True, blank=True)
    receipt_expires_on = models.DateField(_("récépissé valable jusqu'au"), null=True, blank=True)
    issued_on = models.DateField(_("APS délivrée le"), null=True, blank=True)
    expires_on = models.DateField(_("APS valable jusqu'au"), null=True, blank=True)
    renewal_requested_on = models.DateField(_("renouvellement demandé le"), null=True, blank=True)
    comment = EncryptedTextField(_("commentaire"), blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now, editable=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = version_field()  # optimistic locking of edits (core/locking.py)

    class Meta:
        verbose_name = _("dossier d'APS")
        verbose_name_plural = _("dossiers d'APS")
        ordering = ["-requested_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(receipt_on__isnull=True) | Q(receipt_on__gte=F("requested_on")),
                name="aps_receipt_after_request",
            ),
            models.CheckConstraint(
                condition=Q(issued_on__isnull=True) | Q(issued_on__gte=F("requested_on")),
                name="aps_issued_after_request",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(issued_on__isnull=True)
                | Q(expires_on__gt=F("issued_on")),
                name="aps_expires_after_issue",
            ),
        ]

    def valid_on(self, day) -> bool:
        return (
            self.issued_on is not None
            and self.issued_on <= day
            and (self.expires_on is None or day <= self.expires_on)
        )
