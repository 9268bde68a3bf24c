import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from parcours.accounts.models import Organisation
from parcours.core.models import Departement

from .visibility import PersonQuerySet


class Gender(models.TextChoices):
    WOMAN = "woman", _("Femme")
    MAN = "man", _("Homme")
    TRANS_WOMAN = "trans_woman", _("Femme trans")
    TRANS_MAN = "trans_man", _("Homme trans")
    NON_BINARY = "non_binary", _("Non binaire")
    UNDISCLOSED = "undisclosed", _("Non précisé")


class Person(models.Model):
    """A person followed by an approved association (personne accompagnée). Minimal record; the full file
    (contacts, safe-contact rules, consents, encryption at rest) comes with the person's-file issue."""

    association = models.ForeignKey(
        Organisation, verbose_name=_("association"), on_delete=models.PROTECT, related_name="people"
    )
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("référente"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    alias = models.CharField(_("nom d'usage ou alias"), max_length=200, blank=True)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    nationality = CountryField(_("nationalité"), blank=True)
    gender = models.CharField(_("genre"), max_length=20, choices=Gender.choices, default=Gender.UNDISCLOSED)
    languages = models.CharField(_("langues parlées"), max_length=200, blank=True)
    departement = models.ForeignKey(
        Departement,
        verbose_name=_("département de résidence"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("personne accompagnée")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(birth_date__isnull=True) | models.Q(birth_date__gte=dt.date(1900, 1, 1)),
                name="person_birth_date_plausible",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}"

    @property
    def reference(self) -> str:
        """A case number that says nothing about the person, for URLs, exports and commission members."""
        return f"P-{self.pk:06d}"

    @property
    def initials(self) -> str:
        return f"{self.first_name[:1]}. {self.last_name[:1]}.".upper()
