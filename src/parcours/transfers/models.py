"""The transfer of a person's file from one association to another (docs/decisions/0034-file-transfer.md).

A transfer is requested by the sending association with the person's consent (date, how it was obtained),
then accepted or refused by the receiving one; the sender may cancel it while it is pending. Once decided it
is never edited: it stays as the sending association's anonymous trace (reference, dates, associations,
départements), the only thing of the file it keeps after the acceptance.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation
from parcours.core import clock
from parcours.core.fields import EncryptedTextField
from parcours.core.models import Departement
from parcours.people.models import Person

from .visibility import TransferQuerySet


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("En attente de réponse")
    ACCEPTED = "accepted", _("Accepté")
    REFUSED = "refused", _("Refusé")
    CANCELLED = "cancelled", _("Annulé")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("Accord écrit signé par la personne")
    ORAL = "oral", _("Accord oral recueilli en entretien, en présence de la personne")


# The version of the consent text read to the person (as people.Consent.text_version).
CONSENT_TEXT_VERSION = "2026-1"


class Transfer(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="transfers")
    from_association = models.ForeignKey(
        Organisation, verbose_name=_("association qui transfère"), on_delete=models.PROTECT, related_name="+"
    )
    to_association = models.ForeignKey(
        Organisation, verbose_name=_("association qui reçoit"), on_delete=models.PROTECT, related_name="+"
    )
    from_departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="+")
    to_departement = models.ForeignKey(
        Departement, verbose_name=_("département de résidence après le transfert"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    status = models.CharField(
        _("statut"), max_length=20, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    consent_given_on = models.DateField(_("consentement de la personne recueilli le"))
    consent_method = models.CharField(
        _("forme du consentement"), max_length=20, choices=ConsentMethod.choices
    )
    consent_text_version = models.CharField(
        _("version du texte présenté"), max_length=20, default=CONSENT_TEXT_VERSION
    )
    message = EncryptedTextField(_("message à l'association qui reçoit"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=clock.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = EncryptedTextField(_("motif du refus"), blank=True)
    new_referent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("nouvelle référente"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="+",
    )  # fmt: skip

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("transfert de dossier")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # No double transfer: one pending transfer per person.
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="pending"), name="one_pending_transfer_per_person"
            ),
            models.CheckConstraint(
                condition=~Q(from_association=models.F("to_association")),
                name="transfer_to_another_association",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"T-{self.pk:06d}"

    @property
    def moves(self) -> bool:
        """She moves to another département (otherwise she changes association in the same one)."""
        return self.from_departement_id != self.to_departement_id

    @property
    def pending(self) -> bool:
        return self.status == TransferStatus.PENDING
