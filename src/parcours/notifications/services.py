"""The daily notification pass, the digest e-mails, and the user's own actions (mark as done, e-mail
preference, calendar address). Each change commits with its journal row."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections import Counter

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parcours.accounts.models import Membership
from parcours.accounts.roles import Role
from parcours.audit import log as audit
from parcours.core import clock
from parcours.core.errors import DomainError

from . import rules
from .due import due_for
from .models import CalendarFeed, Notification, Preference
from .rules import Frequency, Kind

logger = logging.getLogger(__name__)
NOTIFIED_ROLES = (Role.SOCIAL_WORKER, Role.HEAD_OF_SERVICE, Role.SECRETARIAT)


# --- The pass ----------------------------------------------------------------------------------------------
def notify(today: dt.date | None = None) -> int:
    """Write in each inbox what is due for its user, once per (user, kind, object, deadline): the unique
    constraint makes a second run (or two concurrent ones) write nothing. Returns the number written."""
    today = today or clock.today()
    written = 0
    memberships = Membership.objects.filter(
        is_active=True, user__is_active=True, role__in=NOTIFIED_ROLES
    ).select_related("user", "organisation")
    for membership in memberships:
        withdraw_unseen(membership)
        items = {item.dedup_key: item for item in due_for(membership, today)}
        if not items:
            continue
        with transaction.atomic():
            known = set(
                Notification.objects.filter(
                    recipient_id=membership.user_id, dedup_key__in=list(items)
                ).values_list("dedup_key", flat=True)
            )
            new = [
                Notification(
                    recipient_id=membership.user_id, organisation_id=membership.organisation_id,
                    kind=i.kind, due_on=i.due_on, object_key=i.object_key, url=i.url,
                    person_reference=i.person_reference, person_id=i.person_id, dedup_key=key,
                    created_at=clock.now(),
                )
                for key, i in items.items() if key not in known
            ]  # fmt: skip
            if new:
                Notification.objects.bulk_create(new, ignore_conflicts=True)
                written += len(new)
    return written


def withdraw_unseen(membership) -> int:
    """Delete the unread notifications about people the membership no longer sees (her file was transferred
    to another association or her referent changed role): the inbox hides them already, the digest must not
    count them. Returns how many were withdrawn."""
    unseen = Notification.objects.filter(
        recipient_id=membership.user_id, organisation_id=membership.organisation_id, done_at__isnull=True,
        person__isnull=False,
    ).exclude(pk__in=Notification.objects.for_membership(membership).values("pk"))  # fmt: skip
    return unseen.delete()[0]


def send_digests(today: dt.date | None = None) -> int:
    """Send each user whose frequency falls today one e-mail: a count per kind and the inbox link, never an
    identity nor a reference. A notification is e-mailed once; returns the number of e-mails sent."""
    today = today or clock.today()
    preferences = dict(Preference.objects.values_list("user_id", "frequency"))
    pending = Notification.objects.filter(emailed_at__isnull=True, done_at__isnull=True).select_related(
        "recipient"
    )
    by_user: dict[int, list[Notification]] = {}
    for n in pending:
        by_user.setdefault(n.recipient_id, []).append(n)
    sent = 0
    for user_id, notifications in by_user.items():
        frequency = preferences.get(user_id, Frequency.DAILY)
        if not rules.digest_due(frequency, today):
            continue
        user = notifications[0].recipient
        if not user.email:
            continue
        subject, body = digest(notifications)
        with transaction.atomic():
            Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=clock.now())
            send_mail(subject, body, None, [user.email], fail_silently=False)
        sent += 1
    return sent


def digest(notifications) -> tuple[str, str]:
    counts = Counter(n.kind for n in notifications)
    total = sum(counts.values())
    subject = ngettext(
        "%(site)s : %(n)d nouvelle échéance", "%(site)s : %(n)d nouvelles échéances", total
    ) % {"site": settings.PARCOURS_SITE_TITLE, "n": total}
    lines = [f"- {Kind(kind).label} : {count}" for kind, count in sorted(counts.items())]
    body = _(
        "Bonjour,\n\nDe nouvelles échéances vous attendent dans %(site)s :\n%(lines)s\n\n"
        "Pour les voir, connectez-vous :\n%(link)s\n\n"
        "Ce message ne contient volontairement aucun nom. Vous pouvez choisir de recevoir ce résumé chaque "
        "jour, chaque semaine ou jamais depuis la page « Préférences de notification ».\n"
    ) % {
        "site": settings.PARCOURS_SITE_TITLE,
        "lines": "\n".join(lines),
        "link": site_url("notifications:inbox"),
    }
    return subject, body


def site_url(name: str, **kwargs) -> str:
    base = settings.PARCOURS_PUBLIC_URL or "http://127.0.0.1:8000"
    return base + reverse(name, kwargs=kwargs or None)


def daily_pass(today: dt.date | None = None) -> dict[str, int]:
    today = today or clock.today()
    written = notify(today)
    sent = send_digests(today)
    logger.info("Notifications : %s écrites, %s résumés envoyés", written, sent)
    return {"written": written, "sent": sent}


# --- The user's actions ------------------------------------------------------------------------------------
def mark_done(membership, notification_id: int) -> Notification:
    with transaction.atomic():
        notification = (
            Notification.objects.for_membership(membership)
            .select_for_update()
            .filter(pk=notification_id)
            .first()
        )
        if notification is None:
            raise DomainError(_("Cette notification n'existe pas."))
        if notification.done_at is None:
            notification.done_at = clock.now()
            notification.save(update_fields=["done_at"])
            audit.record_event(membership, "notification.done", notification)
    return notification


def set_frequency(membership, frequency: str) -> Preference:
    if frequency not in Frequency.values:
        raise DomainError(_("Choisissez chaque jour, chaque semaine ou jamais."))
    with transaction.atomic():
        preference, _created = Preference.objects.select_for_update().get_or_create(
            user_id=membership.user_id
        )
        preference.frequency = frequency
        preference.updated_at = clock.now()
        preference.save()
        audit.record_event(membership, "notification.preference", preference)
    return preference


def frequency_of(user) -> str:
    preference = Preference.objects.filter(user=user).first()
    return preference.frequency if preference else Frequency.DAILY


# --- The calendar address ----------------------------------------------------------------------------------
def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def renew_feed(membership) -> str:
    """A new secret address (the old one stops working); returns the token, shown once."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        feed, _created = CalendarFeed.objects.select_for_update().get_or_create(
            user_id=membership.user_id, defaults={"token_hash": hash_token(token)}
        )
        feed.token_hash = hash_token(token)
        feed.created_at = clock.now()
        feed.last_read_at = None
        feed.save()
        audit.record_event(membership, "calendar.renew", feed)
    return token


def revoke_feed(membership) -> bool:
    with transaction.atomic():
        deleted, _detail = CalendarFeed.objects.filter(user_id=membership.user_id).delete()
        if deleted:
            audit.record_event(membership, "calendar.revoke", membership.user_id)
    return bool(deleted)


def feed_for_token(token: str) -> CalendarFeed | None:
    if not token or len(token) > 100:
        return None
    return (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=hash_token(token), user__is_active=True)
        .first()
    )


def record_feed_read(feed: CalendarFeed) -> None:
    with transaction.atomic():
        CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=clock.now())
        audit.record_event(feed.user, "calendar.read", feed)
