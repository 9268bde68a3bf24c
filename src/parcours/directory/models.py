"""The directory of a département: employers, temp agencies, training bodies and social partners (housing,
health, legal, asylum) that the associations of the département share (docs/decisions/0046).

An entry names an organisation, never a person followed: its columns are not about people. Every member of
an association of the département reads it; its staff add and correct entries (`services.py`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.core import clock
from parcours.core.models import Departement

from .visibility import EntryQuerySet


class EntryKind(models.TextChoices):
    EMPLOYER = "employer", _("Employeur")
    TEMP_AGENCY = "temp_agency", _("Agence d'intérim")
    TRAINING = "training", _("Organisme de formation")
    HOUSING = "housing", _("Logement et hébergement")
    HEALTH = "health", _("Santé")
    LEGAL = "legal", _("Accès au droit")
    ASYLUM = "asylum", _("Asile")
    OTHER = "other", _("Autre partenaire")


class DirectoryEntry(models.Model):
    departement = models.ForeignKey(
        Departement, verbose_name=_("département"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=20, choices=EntryKind.choices)
    name = models.CharField(_("nom"), max_length=150)
    town = models.CharField(_("commune"), max_length=100, blank=True)
    contact = models.CharField(_("contact (service, téléphone, courriel)"), max_length=250, blank=True)
    description = models.CharField(_("ce qu'il propose"), max_length=300, blank=True)
    is_active = models.BooleanField(_("en activité"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name", "pk"]
        verbose_name = _("fiche de l'annuaire")
        constraints = [
            models.UniqueConstraint(fields=["departement", "kind", "name"], name="directory_entry_once"),
        ]

    def __str__(self) -> str:
        return self.name
