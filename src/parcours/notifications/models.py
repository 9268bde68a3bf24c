"""The inbox (one row per user, kind, object and deadline: the pass never tells the same thing twice), the
e-mail preference of each user, and her calendar feed's secret (stored hashed)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation
from parcours.core import clock
from parcours.people.models import Person

from .rules import Frequency, Kind


class NotificationQuerySet(models.QuerySet):
    def for_membership(self, membership):
        """The notifications of the logged-in user in the organisation she is working for."""
        if membership is None or not getattr(membership, "is_active", False):
            return self.none()
        mine = self.filter(recipient_id=membership.user_id, organisation_id=membership.organisation_id)
        # A notification about a person she no longer sees (the file was transferred to another association,
        # erased, or her role changed) is not shown: its link would only answer 404.
        return mine.filter(
            Q(person__isnull=True) | Q(person__in=Person.objects.visible_to(membership).values("pk"))
        )

    def unread(self):
        return self.filter(done_at__isnull=True)


class Notification(models.Model):
    """Carries no identity: the person's reference (P-000012) only, the kind and the date; the label is
    written from them when shown."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    due_on = models.DateField(_("échéance"), null=True, blank=True)
    # "pathway:12", "document:7", "session:3": the object the deadline is about.
    object_key = models.CharField(max_length=40)
    person_reference = models.CharField(_("référence"), max_length=20, blank=True)
    # The person the deadline is about (none for a commission session): the inbox shows the notification only
    # while she is visible to the recipient (NotificationQuerySet.for_membership).
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    url = models.CharField(max_length=200)
    # kind|object|deadline: with the recipient, unique (the pass writes a deadline once per person).
    dedup_key = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    done_at = models.DateTimeField(_("traitée le"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["done_at", "due_on", "pk"]
        verbose_name = _("notification")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedup_key"], name="notification_once_per_deadline")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.person_reference} {self.due_on or ''}".strip()


class Preference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    frequency = models.CharField(
        _("résumé par courriel"), max_length=10, choices=Frequency.choices, default=Frequency.DAILY
    )
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("préférence de notification")


class CalendarFeed(models.Model):
    """The secret address of a user's calendar: only the SHA-256 of its token is kept."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=clock.now)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("agenda personnel (abonnement)")
