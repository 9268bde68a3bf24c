"""Drop-in sessions (permanences) and outreach rounds (maraudes) of an association: the weekly schedule, the
sessions generated from it, who was there and for how long, and the visits (passages) and contacts counted
anonymously at the counter. Nothing here names a person: a visit may be linked to a known person's file by
her association's staff only (services.link_visit), and a callback asked for during a round carries no
identity."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.accounts import policy
from parcours.accounts.models import Membership, Organisation
from parcours.core import clock

from .rules import (
    AgeBand,
    CallbackStatus,
    Language,
    RoundKind,
    SessionStatus,
    VisitorGender,
    Weekday,
)

# A presence or a visit belongs to a drop-in session or to a round, never both.
ONE_OF_SESSION_OR_ROUND = Q(session__isnull=False, round__isnull=True) | Q(
    session__isnull=True, round__isnull=False
)


class OwnAssociationQuerySet(models.QuerySet):
    def visible_to(self, membership):
        """The rows of her own association, for the roles of the `outreach` rule; nothing for the others."""
        if not policy.active(membership) or membership.role not in policy.roles("outreach"):
            return self.none()
        return self.filter(organisation_id=membership.organisation_id)


class Schedule(models.Model):
    """A recurring drop-in: every <weekday> from <start> to <end>, at a place (a label, never a person's)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(_("jour"), choices=Weekday.choices)
    starts_at = models.TimeField(_("début"))
    ends_at = models.TimeField(_("fin"))
    place = models.CharField(_("lieu"), max_length=120)
    active = models.BooleanField(_("en vigueur"), default=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = OwnAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["weekday", "starts_at", "pk"]
        verbose_name = _("planning de permanence")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}, {self.place}"


class DropInSession(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    schedule = models.ForeignKey(
        Schedule, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    day = models.DateField(_("date"))
    starts_at = models.TimeField(_("début"))
    ends_at = models.TimeField(_("fin"))
    place = models.CharField(_("lieu"), max_length=120)
    status = models.CharField(
        _("état"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    cancel_reason = models.CharField(_("motif d'annulation"), max_length=200, blank=True)
    # The schedule's date this session replaces when it was moved (the generator never recreates it).
    moved_from = models.DateField(_("déplacée du"), null=True, blank=True)
    extra = models.BooleanField(_("permanence supplémentaire"), default=False)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = OwnAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["day", "starts_at", "pk"]
        verbose_name = _("permanence")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="dropin_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    @property
    def cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def length_minutes(self) -> int:
        return (self.ends_at.hour * 60 + self.ends_at.minute) - (
            self.starts_at.hour * 60 + self.starts_at.minute
        )


class Round(models.Model):
    """An outreach round, in the street (places) or online (platforms): labels, never a person."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("type"), max_length=10, choices=RoundKind.choices)
    places = models.CharField(_("lieux ou plateformes"), max_length=200)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    condoms = models.PositiveIntegerField(_("préservatifs"), default=0)
    lubricant = models.PositiveIntegerField(_("gels lubrifiants"), default=0)
    leaflets = models.PositiveIntegerField(_("brochures et cartes de contact"), default=0)
    hygiene = models.PositiveIntegerField(_("kits d'hygiène"), default=0)
    food = models.PositiveIntegerField(_("boissons et collations"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = OwnAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("maraude")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="round_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {timezone.localtime(self.starts_at, clock.PARIS):%d/%m/%Y %H:%M}"

    @property
    def length_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def day(self):
        return timezone.localtime(self.starts_at, clock.PARIS).date()

    @property
    def cancelled(self) -> bool:
        return False


class Presence(models.Model):
    """A member of the association at a session or on a round, with her hours (in minutes). The role is the
    one she held then (the figures split staff, volunteers and interns)."""

    session = models.ForeignKey(
        DropInSession, on_delete=models.CASCADE, null=True, blank=True, related_name="presences"
    )
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, null=True, blank=True, related_name="presences"
    )
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(
        _("rôle"), max_length=20, choices=[(r, r) for r in sorted(policy.roles("outreach"))]
    )
    minutes = models.PositiveIntegerField(_("durée (minutes)"))
    day = models.DateField(_("date"))  # the session's or the round's (start) day: hours are summed by it
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["day", "pk"]
        verbose_name = _("présence")
        constraints = [
            models.CheckConstraint(
                condition=ONE_OF_SESSION_OR_ROUND,
                name="presence_session_xor_round",
            ),
            models.UniqueConstraint(fields=["session", "membership"], name="presence_once_per_session",
                                    condition=Q(session__isnull=False)),
            models.UniqueConstraint(fields=["round", "membership"], name="presence_once_per_round",
                                    condition=Q(round__isnull=False)),
        ]  # fmt: skip


class VisitQuerySet(models.QuerySet):
    def visible_to(self, membership):
        """The visits of her association's sessions and rounds, for the staff who may link them to a file."""
        if not policy.active(membership) or membership.role not in policy.roles("visit_link"):
            return self.none()
        org = membership.organisation_id
        return self.filter(Q(session__organisation_id=org) | Q(round__organisation_id=org))


class Visit(models.Model):
    """One visit at the desk (passage) or one contact on a round: anonymous tallies only. The key is made by
    the phone for each tap: a double tap or a replayed offline queue finds it and counts once."""

    session = models.ForeignKey(
        DropInSession, on_delete=models.CASCADE, null=True, blank=True, related_name="visits"
    )
    round = models.ForeignKey(Round, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts")
    key = models.UUIDField(_("clé d'idempotence"))
    gender = models.CharField(_("genre"), max_length=12, choices=VisitorGender.choices, blank=True)
    age_band = models.CharField(_("âge"), max_length=10, choices=AgeBand.choices, blank=True)
    language = models.CharField(_("langue"), max_length=10, choices=Language.choices, blank=True)
    first_visit = models.BooleanField(_("première venue"), null=True, blank=True)
    services = models.JSONField(_("services"), default=list, blank=True)  # codes of rules.Service
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)
    # A known person's file, linked by her association's staff only (services.link_visit).
    person = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("passage")
        constraints = [
            models.CheckConstraint(
                condition=ONE_OF_SESSION_OR_ROUND,
                name="visit_session_xor_round",
            ),
            models.UniqueConstraint(fields=["session", "key"], name="visit_once_per_key_session",
                                    condition=Q(session__isnull=False)),
            models.UniqueConstraint(fields=["round", "key"], name="visit_once_per_key_round",
                                    condition=Q(round__isnull=False)),
        ]  # fmt: skip


class Callback(models.Model):
    """« Demande de rappel »: someone met on a round asked to be contacted, and is not (yet) known. No
    identity, no number: the team gave her the association's card, or she calls the number on it; the staff
    see that a callback is expected and close it when she came or called."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="callbacks")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("état"), max_length=10, choices=CallbackStatus.choices, default=CallbackStatus.WAITING
    )
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(default=clock.now)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")  # fmt: skip
    done_at = models.DateTimeField(null=True, blank=True)

    objects = OwnAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["status", "asked_at", "pk"]
        verbose_name = _("demande de rappel")
