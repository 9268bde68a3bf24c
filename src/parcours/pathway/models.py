"""The PSP: pathways, requests and their plan, commission sessions, avis, decisions, periods, exits, events.

Models hold data and invariants that never depend on who acts; every change of state goes through
`transitions.py`.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation
from parcours.core import clock
from parcours.core.fields import EncryptedCharField, EncryptedTextField
from parcours.core.models import Departement
from parcours.core.versions import version_field
from parcours.people.models import Person

from . import rules
from .visibility import PathwayQuerySet, RequestQuerySet, SessionQuerySet


class Pathway(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="pathways")
    association = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="pathways")
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("statut"), max_length=20, choices=rules.PathwayStatus.choices, default=rules.PathwayStatus.PREPARING
    )
    rule_version = models.CharField(_("version des règles"), max_length=20)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = PathwayQuerySet.as_manager()

    class Meta:
        verbose_name = _("parcours de sortie")
        ordering = ["-created_at"]
        constraints = [
            # One pathway in progress per person (earlier ones may have ended).
            models.UniqueConstraint(
                fields=["person"], condition=~Q(status="exited"), name="one_open_pathway_per_person"
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"PSP-{self.departement_id}-{self.pk:05d}"

    @property
    def rule(self) -> rules.RuleVersion:
        return rules.rule_version(self.rule_version)


# The request's free text, encrypted: lists and deadlines read statuses and dates only and defer these.
REQUEST_TEXT = ("situation", "motivation", "evaluation")


class PathwayRequest(models.Model):
    """A request to enter (annex 6) or renew (annex 7) the pathway, with the plan that formalises it."""

    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT, related_name="requests")
    kind = models.CharField(_("type de demande"), max_length=10, choices=rules.RequestKind.choices)
    status = models.CharField(
        _("statut"), max_length=20, choices=rules.RequestStatus.choices, default=rules.RequestStatus.DRAFT
    )
    situation = EncryptedTextField(_("situation de la personne"), blank=True)
    motivation = EncryptedTextField(_("motivation et projet d'insertion"), blank=True)
    evaluation = EncryptedTextField(
        _("évaluation de la période écoulée"),
        blank=True,
        help_text=_("Renouvellement : actions réalisées, engagements tenus, prochaines étapes."),
    )
    sworn_statement = models.BooleanField(
        _("attestation sur l'honneur de cessation de l'activité de prostitution signée"), default=False
    )
    # Recorded when signed; its absence is shown to the commission and the préfet, never a bar
    # (rules.SWORN_STATEMENT).
    sworn_statement_on = models.DateField(_("attestation sur l'honneur signée le"), null=True, blank=True)
    signed_on = models.DateField(
        _("date de signature par la personne et l'association"), null=True, blank=True
    )
    commission = models.ForeignKey(
        Organisation,
        verbose_name=_("commission"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests_received",
    )
    submitted_on = models.DateField(_("transmise le"), null=True, blank=True)
    version = version_field()  # optimistic locking of edits (core/locking.py)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = RequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("demande")
        ordering = ["-created_at"]
        constraints = [
            # At most one open request per pathway: no double submission.
            models.UniqueConstraint(
                fields=["pathway"],
                condition=Q(status__in=sorted(rules.OPEN_REQUEST_STATUSES)),
                name="one_open_request_per_pathway",
            )
        ]
        indexes = [
            # A commission's requests in a status, oldest first: those waiting for an agenda (the session
            # page's list shows twenty, issue 15) and the inbox.
            models.Index(
                fields=["commission", "status", "submitted_on", "id"], name="request_commission_queue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.pathway.reference}"


class Domain(models.TextChoices):
    """The domains of the accompaniment: one list for the request's planned actions and for the action plan,
    notes, appointments and referrals of the follow-up (parcours.followup uses this one)."""

    HEALTH = "health", _("Santé")
    HOUSING = "housing", _("Logement, hébergement")
    RIGHTS = "rights", _("Accès aux droits, papiers")
    RESIDENCE = "residence", _("Séjour, asile")
    JUSTICE = "justice", _("Plainte, justice")
    EMPLOYMENT = "employment", _("Emploi, formation")
    FRENCH = "french", _("Cours de français")
    SOCIAL = "social", _("Vie sociale, autonomie")
    OTHER = "other", _("Autre")


PlanDomain = Domain  # the name the pathway code used


class PlanAction(models.Model):
    request = models.ForeignKey(PathwayRequest, on_delete=models.CASCADE, related_name="actions")
    domain = models.CharField(_("domaine"), max_length=20, choices=PlanDomain.choices)
    description = EncryptedCharField(_("action prévue"), max_length=300)
    target_date = models.DateField(_("échéance"), null=True, blank=True)

    class Meta:
        ordering = ["target_date", "pk"]
        verbose_name = _("action prévue")


class Commitment(models.Model):
    request = models.ForeignKey(PathwayRequest, on_delete=models.CASCADE, related_name="commitments")
    text = EncryptedCharField(_("engagement de la personne"), max_length=300)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("engagement")


class CommissionMember(models.Model):
    """One seat of the commission's composition, dated (rules.College; docs/decisions/0039). The holder's and
    the substitute's names, functions and e-mails are professional data of public officials and
    representatives, not data about an accompanied person."""

    commission = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="commission_members")
    college = models.CharField(_("collège"), max_length=20, choices=rules.College.choices)
    name = models.CharField(_("nom du membre titulaire"), max_length=150)
    function = models.CharField(_("fonction"), max_length=200)
    email = models.EmailField(_("adresse électronique"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte Parcours"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commission_seats",
    )
    association = models.ForeignKey(
        Organisation,
        verbose_name=_("association représentée"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commission_seats",
        help_text=_("Le membre ne siège pas sur les demandes préparées par cette association."),
    )
    substitute_name = models.CharField(_("nom du suppléant"), max_length=150, blank=True)
    substitute_function = models.CharField(_("fonction du suppléant"), max_length=200, blank=True)
    substitute_email = models.EmailField(_("adresse électronique du suppléant"), blank=True)
    appointed_on = models.DateField(_("nommé le"))
    ended_on = models.DateField(_("fin du mandat le"), null=True, blank=True)

    class Meta:
        ordering = ["college", "name", "pk"]
        verbose_name = _("membre de la commission")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("appointed_on")),
                name="member_ends_after_appointment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.function})"


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Prévue")
    HELD = "held", _("Tenue")
    CANCELLED = "cancelled", _("Annulée")


class CommissionSession(models.Model):
    commission = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="sessions")
    date = models.DateField(_("date"))
    place = EncryptedCharField(_("lieu"), max_length=200, blank=True)
    status = models.CharField(_("statut"), max_length=20, choices=SessionStatus.choices, default="planned")
    attendance = EncryptedTextField(_("membres présents"), blank=True)
    # A second meeting on the same agenda after one without quorum: it sits without quorum (rules.QUORUM).
    reconvenes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reconvened_as"
    )
    version = version_field()  # optimistic locking of edits (core/locking.py)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-date"]
        verbose_name = _("séance de la commission")

    def __str__(self) -> str:
        return f"{self.commission} — {self.date:%d/%m/%Y}"


class AgendaItem(models.Model):
    session = models.ForeignKey(CommissionSession, on_delete=models.CASCADE, related_name="agenda")
    request = models.ForeignKey(PathwayRequest, on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveIntegerField(_("rang"))

    class Meta:
        ordering = ["position"]
        verbose_name = _("point de l'ordre du jour")
        constraints = [
            models.UniqueConstraint(fields=["session", "request"], name="request_once_per_session")
        ]


class Avis(models.Model):
    request = models.ForeignKey(PathwayRequest, on_delete=models.PROTECT, related_name="avis")
    session = models.ForeignKey(CommissionSession, on_delete=models.PROTECT, related_name="avis")
    kind = models.CharField(_("avis"), max_length=20, choices=rules.AvisKind.choices)
    reason = EncryptedTextField(_("motif"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now, editable=False)
    # The vote (docs/decisions/0039): empty on avis recorded before the composition was kept in Parcours.
    votes_for = models.PositiveSmallIntegerField(_("voix pour"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("voix contre"), null=True, blank=True)
    abstentions = models.PositiveSmallIntegerField(_("abstentions"), null=True, blank=True)

    class Meta:
        verbose_name = _("avis")
        verbose_name_plural = _("avis")
        constraints = [models.UniqueConstraint(fields=["request", "session"], name="one_avis_per_session")]


class Attendance(models.Model):
    """A member's attendance at one session, with the mandate she gave (rules.Presence, ONE_MANDATE)."""

    session = models.ForeignKey(CommissionSession, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(CommissionMember, on_delete=models.PROTECT, related_name="attendances")
    presence = models.CharField(_("présence"), max_length=20, choices=rules.Presence.choices)
    mandate_to = models.ForeignKey(
        CommissionMember,
        verbose_name=_("mandat donné à"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mandates_held",
    )

    class Meta:
        ordering = ["member__college", "member__name", "pk"]
        verbose_name = _("présence à une séance")
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="attendance_once_per_session")
        ]


class Recusal(models.Model):
    """A member who does not sit on one agenda item (rules.CONFLICT_OF_INTEREST)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="recusals")
    member = models.ForeignKey(CommissionMember, on_delete=models.PROTECT, related_name="recusals")

    class Meta:
        verbose_name = _("récusation")
        constraints = [models.UniqueConstraint(fields=["item", "member"], name="recusal_once_per_item")]


class Convocation(models.Model):
    """The convocation of a session's members, sent by e-mail with a link (no identity)."""

    session = models.ForeignKey(CommissionSession, on_delete=models.PROTECT, related_name="convocations")
    sent_at = models.DateTimeField(_("envoyée le"), default=clock.now)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recipients = models.PositiveSmallIntegerField(_("destinataires"))

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("convocation")


class DecisionKind(models.TextChoices):
    AUTHORISED = "authorised", _("Autorisation")
    REFUSED = "refused", _("Refus")


class Decision(models.Model):
    request = models.OneToOneField(PathwayRequest, on_delete=models.PROTECT, related_name="decision")
    kind = models.CharField(_("décision"), max_length=20, choices=DecisionKind.choices)
    decided_on = models.DateField(_("date de la décision"))
    refusal_reasons = models.JSONField(_("motifs de refus"), default=list, blank=True)
    motivation = EncryptedTextField(_("motivation"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("décision du préfet")


class Period(models.Model):
    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT, related_name="periods")
    request = models.OneToOneField(PathwayRequest, on_delete=models.PROTECT, related_name="period")
    number = models.PositiveSmallIntegerField(_("numéro"))
    start = models.DateField(_("début"))
    end = models.DateField(_("fin"))
    months = models.PositiveSmallIntegerField(_("durée en mois"))
    # Set when an exit or an early end closes the period before its authorised end (rules.CLOSING_PERIOD):
    # `end` then is the exit date, and this keeps the end that was authorised.
    planned_end = models.DateField(_("fin initialement autorisée"), null=True, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("période autorisée")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="period_ends_after_start"),
            models.UniqueConstraint(fields=["pathway", "number"], name="period_number_unique"),
        ]


class OutcomeHousing(models.TextChoices):
    UNKNOWN = "", _("Non renseigné")
    OWN = "own", _("Logement autonome")
    SOCIAL = "social", _("Logement social ou adapté")
    SHELTER = "shelter", _("Hébergement")
    NONE = "none", _("Sans solution")


class OutcomeActivity(models.TextChoices):
    UNKNOWN = "", _("Non renseigné")
    EMPLOYED = "employed", _("En emploi")
    TRAINING = "training", _("En formation")
    SEEKING = "seeking", _("En recherche d'emploi")
    NONE = "none", _("Sans activité")


class Exit(models.Model):
    pathway = models.OneToOneField(Pathway, on_delete=models.PROTECT, related_name="exit")
    date = models.DateField(_("date de sortie"))
    reason = models.CharField(_("motif de sortie"), max_length=20, choices=rules.ExitReason.choices)
    housing = models.CharField(
        _("logement à la sortie"), max_length=20, choices=OutcomeHousing.choices, blank=True
    )
    activity = models.CharField(
        _("activité à la sortie"), max_length=20, choices=OutcomeActivity.choices, blank=True
    )
    comment = EncryptedTextField(_("commentaire"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("sortie du parcours")


class StepCounter(models.Model):
    """How many steps (`Event`) have been recorded on an association's pathways. Written only by
    `transitions._record`, in the step's own transaction; the held to-do page is keyed by it
    (desk/todo_held.py, decision 0057): one read by primary key, where the largest event of the
    association's pathways cost a join over all of them."""

    association = models.OneToOneField(Organisation, on_delete=models.CASCADE, primary_key=True,
                                       related_name="+")  # fmt: skip
    steps = models.PositiveBigIntegerField(default=0)


class Event(models.Model):
    """One step of a pathway: who did what, when, from which state to which. Never edited."""

    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT, related_name="events")
    request = models.ForeignKey(
        PathwayRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    action = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    comment = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("événement")
