"""A filled inbox for the demo accounts (issue 10): the daily notification pass played a week ago and today,
a few notifications already marked as done, one head of service on the weekly digest and one secretariat
without e-mail. The demo accounts get fictional addresses (example.org); the digests of `manage.py demo` go to
files in <data folder>/mails (settings: demo mode without EMAIL_HOST)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parcours.core import clock
from parcours.notifications import services
from parcours.notifications.models import Notification

from .common import D

if TYPE_CHECKING:
    from .generator import Generator

DONE_PER_USER = 2


def build(g: Generator) -> None:
    for username, membership in g.members.items():
        user = membership.user
        if not user.email:
            user.email = f"{username}@example.org"
            user.save(update_fields=["email"])
    with clock.travel_to(g.today - D(days=7)):
        services.set_frequency(g.members["cheffe"], "weekly")
        services.set_frequency(g.members["secretariat13"], "none")
        services.daily_pass()
        for username in ("travailleuse", "cheffe"):
            membership = g.members[username]
            for notification in Notification.objects.for_membership(membership).unread()[:DONE_PER_USER]:
                services.mark_done(membership, notification.pk)
    with clock.travel_to(g.today):
        services.daily_pass()
