"""Workshop series (a topic, a facilitator, dates), their sessions, the people enrolled in a series (known
people of the association, by reference) and their attendance at each session.

Models hold the invariants that never depend on who acts (a session ends after it starts, a series ends on or
after its first day); every change goes through `services.py`, who sees what through `visibility.py`.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Membership, Organisation
from parcours.core import clock
from parcours.people.models import Person

from .visibility import ParticipationQuerySet, SeriesQuerySet, SessionQuerySet


class Topic(models.TextChoices):
    SELF_ESTEEM = "self_esteem", _("Estime de soi")
    MONEY = "money", _("Rapport à l'argent")
    WORKPLACE = "workplace", _("Savoir-être en entreprise")
    MOBILITY = "mobility", _("Mobilité")
    TRADES = "trades", _("Connaissance des métiers")
    PROJECT = "project", _("Projet professionnel réaliste")
    FRENCH = "french", _("Cours de français (FLE)")
    OTHER = "other", _("Autre thème")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Présente")
    ABSENT = "absent", _("Absente")
    EXCUSED = "excused", _("Excusée")


class WorkshopSeries(models.Model):
    """A series of sessions on one topic. Its facilitator is a member of the association or an external
    organisation (a label): nothing about the people followed is written here."""

    association = models.ForeignKey(
        Organisation, verbose_name=_("association"), on_delete=models.PROTECT, related_name="+"
    )
    topic = models.CharField(_("thème"), max_length=20, choices=Topic.choices)
    label = models.CharField(_("intitulé"), max_length=150)
    facilitator = models.ForeignKey(
        Membership, verbose_name=_("animatrice (membre de l'association)"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    external_facilitator = models.CharField(_("organisme animateur extérieur"), max_length=150, blank=True)
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = SeriesQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("série d'ateliers")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="workshop_series_dates"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def facilitator_label(self) -> str:
        if self.facilitator_id:
            return str(self.facilitator.user)
        return self.external_facilitator


class WorkshopSession(models.Model):
    series = models.ForeignKey(WorkshopSeries, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("début"))
    ends_at = models.TimeField(_("fin"))
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["date", "starts_at", "pk"]
        verbose_name = _("séance d'atelier")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="workshop_session_times"),
        ]

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class Participant(models.Model):
    """A known person enrolled in a series (by reference: her file stays in parcours.people)."""

    series = models.ForeignKey(WorkshopSeries, on_delete=models.CASCADE, related_name="participants")
    # A named reverse relation: the anonymisation and the export (parcours.privacy) find the rows by it.
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="workshop_enrolments")
    enrolled_on = models.DateField(_("inscrite le"), default=clock.today)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("participante")
        constraints = [
            models.UniqueConstraint(fields=["series", "person"], name="workshop_participant_once"),
        ]


class Attendance(models.Model):
    session = models.ForeignKey(WorkshopSession, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="workshop_attendances")
    status = models.CharField(_("présence"), max_length=10, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("présence à une séance")
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="workshop_attendance_once"),
        ]
