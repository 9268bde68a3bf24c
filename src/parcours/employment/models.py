"""Employment and training (issue 12, docs/decisions/0045): a person's professional project (versioned), the
programmes of an association with their ordered steps and cohorts, each participant's status per step and
the outcomes that conclude a step, the partnership agreements (e.g. 12 months of global support with France
Travail) and the people enrolled under them, and the supports a person asked for or obtained.

Models hold the invariants that never depend on who acts; every change goes through `services.py`, who sees
what through `visibility.py`. Free text about a person is encrypted (core/fields.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation
from parcours.core import clock
from parcours.core.fields import EncryptedCharField, EncryptedTextField
from parcours.directory.models import DirectoryEntry
from parcours.people.models import Person

from .visibility import AssociationQuerySet, PersonRowQuerySet


class Cefr(models.TextChoices):
    UNKNOWN = "", _("Non évalué")
    A1 = "A1", _("A1 (découverte)")
    A2 = "A2", _("A2 (survie)")
    B1 = "B1", _("B1 (seuil)")
    B2 = "B2", _("B2 (avancé)")
    C1 = "C1", _("C1 (autonome)")
    C2 = "C2", _("C2 (maîtrise)")


class Readiness(models.TextChoices):
    NOT_YET = "not_yet", _("Pas encore prête : autres priorités")
    BUILDING = "building", _("Projet en construction")
    READY = "ready", _("Prête pour une formation ou un emploi")
    WORKING = "working", _("En emploi")


class ProjectVersion(models.Model):
    """One version of her professional project: each save writes a new version, none is changed."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="employment_projects")
    number = models.PositiveIntegerField(_("version"))
    target_trades = EncryptedCharField(_("métiers visés"), max_length=300, blank=True)
    french_level = models.CharField(
        _("niveau de français (CECRL)"), max_length=2, choices=Cefr.choices, blank=True
    )
    qualifications = EncryptedTextField(_("diplômes et qualifications"), blank=True)
    childcare = models.BooleanField(_("contrainte de garde d'enfants"), default=False)
    mobility = models.BooleanField(_("contrainte de mobilité"), default=False)
    health = models.BooleanField(_("contrainte de santé"), default=False)
    constraints_note = EncryptedTextField(_("précisions sur les contraintes"), blank=True)
    readiness = models.CharField(_("disponibilité"), max_length=10, choices=Readiness.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = PersonRowQuerySet.as_manager()

    class Meta:
        ordering = ["person", "-number"]
        verbose_name = _("version du projet professionnel")
        constraints = [
            models.UniqueConstraint(fields=["person", "number"], name="employment_project_version_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="employment_project_version_positive"),
        ]


class StepKind(models.TextChoices):
    INFORMATION = "information", _("Réunion d'information")
    COACHING = "coaching", _("Coaching")
    JOB_DATING = "job_dating", _("Job-dating")
    TRAINING = "training", _("Formation")
    PLACEMENT = "placement", _("Mise à l'emploi")
    FOLLOW_UP = "follow_up", _("Suivi dans l'emploi")


class Programme(models.Model):
    association = models.ForeignKey(
        Organisation, verbose_name=_("association"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("nom"), max_length=150)
    description = models.CharField(_("description"), max_length=300, blank=True)
    partners = models.ManyToManyField(
        Organisation, verbose_name=_("partenaires de Parcours"), blank=True, related_name="+"
    )
    directory_entries = models.ManyToManyField(
        DirectoryEntry, verbose_name=_("partenaires de l'annuaire"), blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = AssociationQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("programme emploi")

    def __str__(self) -> str:
        return self.name


class Cohort(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="cohorts")
    label = models.CharField(_("intitulé"), max_length=150)
    starts_on = models.DateField(_("début"))
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = AssociationQuerySet.as_manager()
    association_path = "programme__association_id"

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("promotion")

    def __str__(self) -> str:
        return self.label


class Step(models.Model):
    """One dated step of a cohort, in order (information, coaching, job-dating, training…). A job-dating
    names the employers and agencies present (directory entries) and the interviews held."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("ordre"))
    kind = models.CharField(_("type d'étape"), max_length=20, choices=StepKind.choices)
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"))
    employers = models.ManyToManyField(
        DirectoryEntry, verbose_name=_("employeurs et agences présents"), blank=True, related_name="+"
    )
    interviews = models.PositiveSmallIntegerField(_("entretiens tenus"), null=True, blank=True)

    class Meta:
        ordering = ["cohort", "order"]
        verbose_name = _("étape")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "order"], name="employment_step_order_once"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="employment_step_dates"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class Participant(models.Model):
    """A person of the association enrolled in a cohort (by reference: her file stays in parcours.people)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="employment_participations")
    enrolled_on = models.DateField(_("inscrite le"), default=clock.today)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = PersonRowQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("participante d'un programme")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "person"], name="employment_participant_once"),
        ]


class StepStatus(models.TextChoices):
    DONE = "done", _("Réalisée")
    IN_PROGRESS = "in_progress", _("En cours")
    ABSENT = "absent", _("Absente")


class StepParticipation(models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="steps")
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="participations")
    status = models.CharField(_("statut"), max_length=12, choices=StepStatus.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["step__order", "pk"]
        verbose_name = _("statut à une étape")
        constraints = [
            models.UniqueConstraint(fields=["participant", "step"], name="employment_step_status_once"),
        ]

    @property
    def person_id(self):
        return self.participant.person_id


class OutcomeKind(models.TextChoices):
    HIRED_AT_ONCE = "hired_at_once", _("Embauchée d'emblée")
    IN_TRAINING = "in_training", _("Entrée en formation")
    DROPPED_OUT = "dropped_out", _("Abandon")
    EMPLOYED = "employed", _("En emploi")
    WAITING = "waiting", _("En attente de mission")


class Contract(models.TextChoices):
    FIXED_TERM = "fixed_term", _("CDD")
    PERMANENT = "permanent", _("CDI")
    TEMP_MISSION = "temp_mission", _("Mission d'intérim")
    SUBSIDISED = "subsidised", _("Contrat aidé")


EMPLOYMENT_OUTCOMES = (OutcomeKind.HIRED_AT_ONCE, OutcomeKind.EMPLOYED)


class Outcome(models.Model):
    """What a step led to for a participant, dated on or after the step's first day. A person may have
    several outcomes over the steps (in training after the job-dating, employed after the training)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="outcomes")
    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="outcomes")
    kind = models.CharField(_("issue"), max_length=20, choices=OutcomeKind.choices)
    on = models.DateField(_("date"))
    contract = models.CharField(_("contrat"), max_length=20, choices=Contract.choices, blank=True)
    weekly_hours = models.PositiveSmallIntegerField(_("heures par semaine"), null=True, blank=True)
    reason = EncryptedTextField(_("motif de l'abandon"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["on", "pk"]
        verbose_name = _("issue d'une étape")
        constraints = [
            models.UniqueConstraint(fields=["participant", "step", "kind"], name="employment_outcome_once"),
            models.CheckConstraint(
                condition=~Q(kind__in=["hired_at_once", "employed"])
                | (~Q(contract="") & Q(weekly_hours__gte=1) & Q(weekly_hours__lte=48)),
                name="employment_outcome_contract",
            ),
        ]

    @property
    def person_id(self):
        return self.participant.person_id


class Agreement(models.Model):
    """A partnership agreement of the association (e.g. 12 months of global support with France Travail).
    `ends_on` is the end agreed; `ended_on` the day it was ended early, if it was (no enrolment after it)."""

    association = models.ForeignKey(
        Organisation, verbose_name=_("association"), on_delete=models.PROTECT, related_name="+"
    )
    label = models.CharField(_("intitulé"), max_length=150)
    partner = models.ForeignKey(
        Organisation,
        verbose_name=_("partenaire de Parcours"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    partner_entry = models.ForeignKey(
        DirectoryEntry,
        verbose_name=_("partenaire de l'annuaire"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"))
    support_months = models.PositiveSmallIntegerField(_("durée de l'accompagnement par personne (mois)"))
    terms = models.TextField(_("termes de la convention"), blank=True)
    ended_on = models.DateField(_("terminée le"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = AssociationQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("convention de partenariat")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="employment_agreement_dates"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | (Q(ended_on__gte=F("starts_on")) & Q(ended_on__lte=F("ends_on"))),
                name="employment_agreement_ended_within",
            ),
            models.CheckConstraint(
                condition=Q(support_months__gte=1) & Q(support_months__lte=36),
                name="employment_agreement_months",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def partner_label(self) -> str:
        if self.partner_id:
            return self.partner.name
        return self.partner_entry.name if self.partner_entry_id else ""


class AgreementOutcome(models.TextChoices):
    EMPLOYED = "employed", _("En emploi")
    TRAINING = "training", _("En formation")
    SEARCHING = "searching", _("En recherche d'emploi")
    STOPPED = "stopped", _("Accompagnement interrompu")


class Enrolment(models.Model):
    """A person supported under an agreement from `starts_on` to `ends_on`; where she stands at the end."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="employment_enrolments")
    starts_on = models.DateField(_("début de l'accompagnement"))
    ends_on = models.DateField(_("fin prévue"))
    outcome = models.CharField(
        _("situation à la fin"), max_length=12, choices=AgreementOutcome.choices, blank=True
    )
    outcome_on = models.DateField(_("constatée le"), null=True, blank=True)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = PersonRowQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("personne accompagnée sous convention")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "person"], name="employment_enrolment_once"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="employment_enrolment_dates"
            ),
        ]


class SupportKind(models.TextChoices):
    HOUSING = "housing", _("Aide au logement")
    MOBILITY = "mobility", _("Aide à la mobilité")
    CHILDCARE = "childcare", _("Aide à la garde d'enfants")
    TRAINING_PAY = "training_pay", _("Rémunération de formation")
    OTHER = "other", _("Autre aide")


class SupportStatus(models.TextChoices):
    REQUESTED = "requested", _("Demandée")
    GRANTED = "granted", _("Accordée")
    REFUSED = "refused", _("Refusée")


class Support(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="employment_supports")
    kind = models.CharField(_("aide"), max_length=15, choices=SupportKind.choices)
    body = EncryptedCharField(_("organisme qui l'accorde"), max_length=150)
    status = models.CharField(_("statut"), max_length=10, choices=SupportStatus.choices)
    requested_on = models.DateField(_("demandée le"))
    decided_on = models.DateField(_("décidée le"), null=True, blank=True)
    ends_on = models.DateField(_("jusqu'au"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    objects = PersonRowQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_on", "pk"]
        verbose_name = _("aide obtenue")
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=F("requested_on")),
                name="employment_support_decided_after_request",
            ),
            models.CheckConstraint(
                condition=Q(status="requested") | Q(decided_on__isnull=False),
                name="employment_support_decision_dated",
            ),
        ]
