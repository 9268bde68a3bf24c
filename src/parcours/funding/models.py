"""The funding of an association: its funders, their grants (period, amount, purpose, conditions, the
indicators each must report), the posts a grant funds and the expenses or time charged to it.

Nothing here is about a person followed: a post names a role (« conseillère en insertion professionnelle »),
never who holds it, and the texts describe the association's work. Models hold the invariants that never
depend on who acts (a period ends on or after its start, amounts are not negative); every change goes
through `services.py`.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation
from parcours.core import clock

from .visibility import FunderQuerySet, GrantPartQuerySet, GrantQuerySet


class FunderKind(models.TextChoices):
    STATE_WOMEN_RIGHTS = "state_ddfe", _("État — délégation aux droits des femmes et à l'égalité")
    AGRASC = "agrasc", _("AGRASC (fonds des avoirs saisis et confisqués)")
    REGION = "region", _("Région")
    DEPARTEMENT = "departement", _("Département")
    FOUNDATION = "foundation", _("Fondation")
    OTHER = "other", _("Autre financeur")


class Funder(models.Model):
    association = models.ForeignKey(
        Organisation, verbose_name=_("association"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("type de financeur"), max_length=20, choices=FunderKind.choices)
    name = models.CharField(_("nom"), max_length=150)
    # A funder with grants is closed, not deleted: its grants and their reports stay.
    closed_on = models.DateField(_("clos le"), null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = FunderQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("financeur")
        constraints = [
            models.UniqueConstraint(fields=["association", "name"], name="funder_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class Grant(models.Model):
    funder = models.ForeignKey(Funder, verbose_name=_("financeur"), on_delete=models.PROTECT,
                               related_name="grants")  # fmt: skip
    label = models.CharField(_("intitulé"), max_length=150)
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"))
    amount = models.DecimalField(_("montant accordé (€)"), max_digits=12, decimal_places=2)
    purpose = models.TextField(_("objet"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    # Codes of funding.indicators.REGISTRY, in the order the report lists them.
    indicators = models.JSONField(_("indicateurs à rendre"), default=list, blank=True)
    # The report the funder asks for (its date is in the agreement); `funding.reports_due` says when it is
    # due soon or late, on the funding pages.
    report_due_on = models.DateField(_("rapport à rendre avant le"), null=True, blank=True)
    report_sent_on = models.DateField(_("rapport envoyé le"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = GrantQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("subvention")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="grant_period_dates"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="grant_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return self.label


class FundedPost(models.Model):
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="posts")
    role = models.CharField(_("poste"), max_length=150)
    sites = models.CharField(_("sites"), max_length=200, blank=True)
    months = models.PositiveSmallIntegerField(_("mois financés"))
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"))

    objects = GrantPartQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("poste financé")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="funded_post_dates"),
            models.CheckConstraint(condition=Q(months__gte=1), name="funded_post_months"),
        ]


class Charge(models.Model):
    """An expense (an amount) or time (hours) charged to a grant."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="charges")
    date = models.DateField(_("date"))
    label = models.CharField(_("libellé"), max_length=150)
    amount = models.DecimalField(_("montant (€)"), max_digits=12, decimal_places=2, null=True, blank=True)
    hours = models.DecimalField(_("heures"), max_digits=8, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = GrantPartQuerySet.as_manager()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("dépense ou temps imputé")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=False) | Q(hours__isnull=False), name="charge_amount_or_hours"
            ),
            models.CheckConstraint(
                condition=(Q(amount__isnull=True) | Q(amount__gte=0))
                & (Q(hours__isnull=True) | Q(hours__gte=0)),
                name="charge_not_negative",
            ),
        ]
