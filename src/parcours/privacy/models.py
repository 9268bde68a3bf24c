"""The record of each erasure on request: when, by whom, on which ground of GDPR art. 17. It holds no
identity (the person's file it points to is anonymised by the erasure itself)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.core import clock


class ErasureGround(models.TextChoices):
    """The grounds of GDPR art. 17(1) that apply to a social accompaniment."""

    NO_LONGER_NEEDED = "no_longer_needed", _("Les données ne sont plus nécessaires (art. 17.1 a)")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("La personne a retiré son consentement (art. 17.1 b)")
    OBJECTION = "objection", _("La personne s'oppose au traitement (art. 17.1 c)")
    UNLAWFUL = "unlawful", _("Les données ont été traitées illicitement (art. 17.1 d)")
    SAFETY = "safety", _("La sécurité de la personne l'exige (demande de la personne)")


class Erasure(models.Model):
    person = models.OneToOneField(
        "people.Person", on_delete=models.PROTECT, related_name="erasure", verbose_name=_("personne")
    )
    ground = models.CharField(_("motif"), max_length=30, choices=ErasureGround.choices)
    erased_on = models.DateField(_("effacé le"))
    erased_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("effacement sur demande")
        verbose_name_plural = _("effacements sur demande")
