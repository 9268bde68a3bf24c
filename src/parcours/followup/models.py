"""The daily accompaniment of a person: interview notes, action plan, appointments, referrals to partners.

Models hold data and invariants that never depend on who acts; every change goes through `services.py`,
and who may read a sensitive note is decided in `access.py` alone.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation
from parcours.core import clock
from parcours.core.fields import EncryptedCharField, EncryptedTextField
from parcours.core.versions import version_field
from parcours.directory.models import DirectoryEntry
from parcours.pathway.models import Domain, PlanAction
from parcours.people.models import Consent, Person

from .access import MeetingItemQuerySet, NoteQuerySet, PersonLinkedQuerySet, TeamMeetingQuerySet

# One list of domains for the request's plan and the follow-up (parcours.pathway.models.Domain). Plans
# written before it had a "training" domain of their own, now joined to employment (pathway migration).
PLAN_DOMAIN_TO_DOMAIN = {"training": Domain.EMPLOYMENT}


def domain_of_plan(plan_domain: str) -> str:
    return PLAN_DOMAIN_TO_DOMAIN.get(
        plan_domain, plan_domain if plan_domain in Domain.values else Domain.OTHER
    )


# --- Interview notes ---------------------------------------------------------------------------------
class Note(models.Model):
    """An interview note. A correction never overwrites: the previous wording goes to `NoteVersion`."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notes")
    domain = models.CharField(_("domaine"), max_length=20, choices=Domain.choices)
    held_on = models.DateField(_("date de l'entretien"))
    text = EncryptedTextField(_("compte rendu"))
    sensitive = models.BooleanField(
        _("note confidentielle"),
        default=False,
        help_text=_("Lisible seulement par la référente de la personne et la cheffe de service."),
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("auteur"), on_delete=models.PROTECT,
                               related_name="+")  # fmt: skip
    created_at = models.DateTimeField(default=clock.now, editable=False)
    corrected_at = models.DateTimeField(_("corrigée le"), null=True, blank=True)
    version = version_field()  # optimistic locking of edits (core/locking.py)

    objects = NoteQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-created_at", "-pk"]
        verbose_name = _("note d'entretien")


class NoteVersion(models.Model):
    """A previous wording of a note, kept when the note is corrected. Never edited."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="versions")
    domain = models.CharField(_("domaine"), max_length=20, choices=Domain.choices)
    held_on = models.DateField(_("date de l'entretien"))
    text = EncryptedTextField(_("compte rendu"))
    sensitive = models.BooleanField(_("note confidentielle"))
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()
    replaced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    replaced_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-replaced_at", "-pk"]
        verbose_name = _("version antérieure d'une note")


# --- Action plan -------------------------------------------------------------------------------------
class ActionStatus(models.TextChoices):
    TODO = "todo", _("À faire")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Fait")
    ABANDONED = "abandoned", _("Abandonné")


OPEN_ACTION_STATUSES = (ActionStatus.TODO, ActionStatus.IN_PROGRESS)


class ActionItem(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="action_items")
    domain = models.CharField(_("domaine"), max_length=20, choices=Domain.choices)
    description = EncryptedCharField(_("action"), max_length=300)
    status = models.CharField(
        _("état"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.TODO
    )
    due_date = models.DateField(_("échéance"), null=True, blank=True)
    plan_action = models.ForeignKey(
        PlanAction, verbose_name=_("action du document de parcours"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="follow_up_items",
    )  # fmt: skip
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=clock.now)
    version = version_field()  # optimistic locking of edits (core/locking.py)

    objects = PersonLinkedQuerySet.as_manager()

    class Meta:
        ordering = [F("due_date").asc(nulls_last=True), "pk"]
        verbose_name = _("action du plan d'accompagnement")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    def is_overdue(self, today) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < today


class ActionItemChange(models.Model):
    """The state of an action after each change (creation included): the plan's history is never lost."""

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="changes")
    status = models.CharField(_("état"), max_length=20, choices=ActionStatus.choices)
    due_date = models.DateField(_("échéance"), null=True, blank=True)
    description = EncryptedCharField(_("action"), max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("modification d'une action")


# --- Appointments ------------------------------------------------------------------------------------
class AppointmentStatus(models.TextChoices):
    PLANNED = "planned", _("Prévu")
    HONOURED = "honoured", _("Honoré")
    MISSED = "missed", _("Non honoré")
    CANCELLED = "cancelled", _("Annulé")


class Appointment(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="appointments")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("intervenante"),
                               on_delete=models.PROTECT, related_name="appointments")  # fmt: skip
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    place = EncryptedCharField(_("lieu"), max_length=200, blank=True)
    purpose = models.CharField(_("objet"), max_length=20, choices=Domain.choices)
    status = models.CharField(
        _("état"), max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.PLANNED
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=clock.now)
    version = version_field()  # optimistic locking of edits (core/locking.py)

    objects = PersonLinkedQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("rendez-vous")
        verbose_name_plural = _("rendez-vous")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="appointment_ends_after_start"
            )
        ]


# --- Referrals ---------------------------------------------------------------------------------------
class ReferralOutcome(models.TextChoices):
    PENDING = "pending", _("En attente")
    ACCEPTED = "accepted", _("Acceptée")
    REFUSED = "refused", _("Refusée")
    NO_FOLLOW_UP = "no_follow_up", _("Sans suite")


class Referral(models.Model):
    """A referral to a partner (orientation). Sharing outside the association rests on the person's consent:
    a recorded sharing consent, or her oral agreement noted by the worker."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="referrals")
    partner = models.ForeignKey(
        Organisation, verbose_name=_("partenaire"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", limit_choices_to={"kind": "partner"},
    )  # fmt: skip
    # A service of the département's directory (parcours.directory) that is not an organisation of Parcours.
    entry = models.ForeignKey(
        DirectoryEntry, verbose_name=_("fiche de l'annuaire"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    partner_name = EncryptedCharField(_("partenaire (hors Parcours)"), max_length=200, blank=True)
    reason = EncryptedCharField(_("motif"), max_length=300)
    domain = models.CharField(_("domaine"), max_length=20, choices=Domain.choices)
    referred_on = models.DateField(_("orientée le"))
    consent = models.ForeignKey(Consent, verbose_name=_("consentement au partage"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="+")  # fmt: skip
    oral_agreement = models.BooleanField(_("accord oral de la personne"), default=False)
    outcome = models.CharField(
        _("suite donnée"), max_length=20, choices=ReferralOutcome.choices, default=ReferralOutcome.PENDING
    )
    outcome_on = models.DateField(_("date de la réponse"), null=True, blank=True)
    comment = EncryptedTextField(_("commentaire"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=clock.now)
    version = version_field()  # optimistic locking of edits (core/locking.py)

    objects = PersonLinkedQuerySet.as_manager()

    class Meta:
        ordering = ["-referred_on", "-pk"]
        verbose_name = _("orientation")
        constraints = [
            # partner_name is encrypted: SQL cannot compare it, but an empty name is stored empty.
            models.CheckConstraint(condition=Q(partner__isnull=False) | Q(entry__isnull=False)
                                   | Q(GreaterThan(Length("partner_name"), 0)),
                                   name="referral_names_a_partner"),
            models.CheckConstraint(condition=Q(outcome_on__isnull=True) | Q(outcome_on__gte=F("referred_on")),
                                   name="referral_outcome_after_referral"),
            models.CheckConstraint(condition=Q(outcome="pending", outcome_on__isnull=True)
                                   | (~Q(outcome="pending") & Q(outcome_on__isnull=False)),
                                   name="referral_outcome_dated"),
        ]  # fmt: skip

    @property
    def partner_label(self) -> str:
        if self.partner_id:
            return self.partner.name
        return self.entry.name if self.entry_id else self.partner_name


# --- Team meetings -----------------------------------------------------------------------------------
class TeamMeeting(models.Model):
    """A meeting of the association's staff where the follow-up of people is reviewed (the Tuesday
    mornings of the field): its agenda lists people, and the decision about each is a note in her file."""

    association = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("date de la réunion"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = TeamMeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("réunion d'équipe")
        constraints = [
            models.UniqueConstraint(fields=["association", "held_on"], name="one_team_meeting_a_day"),
        ]


class MeetingItem(models.Model):
    """A person on the agenda of a team meeting; `note` is the decision, written in her file."""

    meeting = models.ForeignKey(TeamMeeting, on_delete=models.CASCADE, related_name="items")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="meeting_items")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=clock.now, editable=False)
    note = models.ForeignKey(Note, verbose_name=_("décision"), on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")  # fmt: skip

    objects = MeetingItemQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("point de l'ordre du jour d'une réunion d'équipe")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="meeting_item_once"),
        ]
