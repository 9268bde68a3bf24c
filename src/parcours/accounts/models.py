from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.accounts.approval import approval_end
from parcours.core.models import Departement

from .roles import ROLES_BY_KIND, OrganisationKind, Role


class User(AbstractUser):
    """A person who uses Parcours. What she may do comes from her memberships, never from this row."""

    class Meta:
        verbose_name = _("utilisateur·rice")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Organisation(models.Model):
    kind = models.CharField(_("type"), max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(_("nom"), max_length=200)
    departement = models.ForeignKey(
        Departement,
        verbose_name=_("département"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Siège d'une association ; département d'une commission ou d'une préfecture."),
    )
    # SIRET of the establishment (14 digits): ProConnect names the organisation of the agent who logs in by
    # it (claim `siret`), and an account is linked only when it matches (parcours.proconnect).
    siret = models.CharField(
        _("SIRET"),
        max_length=14,
        blank=True,
        validators=[RegexValidator(r"^\d{14}$", _("Le SIRET compte 14 chiffres, sans espace."))],
    )
    # Approved associations only (CASF R121-12-1 ss).
    approval_number = models.CharField(_("numéro d'agrément"), max_length=50, blank=True)
    approval_start = models.DateField(_("début de l'agrément"), null=True, blank=True)
    departements_served = models.ManyToManyField(
        Departement, verbose_name=_("départements d'intervention"), blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        constraints = [
            # One commission and one préfecture per département (CASF L121-9, R121-12-6).
            models.UniqueConstraint(
                fields=["kind", "departement"],
                condition=models.Q(kind__in=["commission", "prefecture"]),
                name="one_commission_and_prefecture_per_departement",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def approval_end(self):
        return approval_end(self.approval_start) if self.approval_start else None


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("rôle"), max_length=30, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("appartenance")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="unique_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organisation}"

    def clean(self):
        if self.role not in ROLES_BY_KIND[OrganisationKind(self.organisation.kind)]:
            raise ValidationError(_("Ce rôle n'existe pas dans ce type d'organisation."))

    @property
    def departement_id(self):
        return self.organisation.departement_id


class InternProfile(models.Model):
    """An intern's school, tutor (a staff member of her association) and the dates of her internship. Set by
    the head of service (onboarding.services.set_intern_profile); about the intern, never about a person
    followed."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="intern_profile")
    school = models.CharField(_("école ou centre de formation"), max_length=150)
    tutor = models.ForeignKey(
        Membership, verbose_name=_("tutrice ou tuteur"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("début du stage"))
    ends_on = models.DateField(_("fin du stage"))

    class Meta:
        verbose_name = _("stage")
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="intern_profile_dates"),
        ]  # fmt: skip


class InvitationQuerySet(models.QuerySet):
    def pending(self, now):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class Invitation(models.Model):
    """An e-mail invited to hold `role` in `organisation` (parcours.onboarding.services).

    The link sent by e-mail carries a random token; only its SHA-256 is stored here, so that a copy of the
    database opens no account. Accepted once, before `expires_at`, unless revoked."""

    email = models.EmailField(_("adresse électronique"))
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="invitations"
    )
    role = models.CharField(_("rôle"), max_length=30, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User, verbose_name=_("invitée par"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("envoyée le"))
    expires_at = models.DateTimeField(_("expire le"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    accepted_user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="accepted_invitations"
    )
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")

    def __str__(self) -> str:
        return f"{self.email} — {self.get_role_display()} — {self.organisation}"

    def clean(self):
        if self.organisation_id and self.role not in ROLES_BY_KIND[OrganisationKind(self.organisation.kind)]:
            raise ValidationError({"role": _("Ce rôle n'existe pas dans ce type d'organisation.")})

    def status(self, now) -> str:
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "pending"

    def status_display(self, now) -> str:
        return str(INVITATION_STATUS[self.status(now)])


INVITATION_STATUS = {
    "pending": _("en attente"),
    "accepted": _("acceptée"),
    "revoked": _("révoquée"),
    "expired": _("expirée"),
}


class Letterhead(models.Model):
    """How an organisation signs its official papers (decisions, certificates, convocations, minutes): the
    heading, the address, the place of signature and the signatory. Organisation settings, never data about a
    person. Without a row, `parcours.accounts.letterhead.letterhead_for` derives a default from the
    organisation."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="letterhead", verbose_name=_("organisation")
    )
    authority = models.CharField(
        _("autorité"),
        max_length=200,
        help_text=_("Première ligne de l'en-tête, par exemple « Préfet de la Gironde »."),
    )
    service_lines = models.TextField(
        _("service"),
        blank=True,
        help_text=_("Lignes sous l'autorité : direction, service, bureau (une par ligne)."),
    )
    address = models.TextField(_("adresse postale"), blank=True)
    city = models.CharField(_("lieu de signature"), max_length=100, blank=True, help_text=_("« Fait à … »"))
    signatory_name = models.CharField(_("nom du ou de la signataire"), max_length=200, blank=True)
    signatory_title = models.CharField(_("qualité du ou de la signataire"), max_length=200)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("en-tête des documents officiels")

    def __str__(self) -> str:
        return self.authority
