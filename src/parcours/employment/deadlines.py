"""What ends soon, for the notifications' daily pass (parcours.notifications.due): an agreement of the
association (not ended early), and a person's support under an agreement, ending within the horizon, not yet
closed."""

from __future__ import annotations

import datetime as dt

from .models import Agreement, Enrolment

# A month ahead: time to prepare the renewal of the agreement, or the hand-over of her support.
HORIZON_DAYS = 31


def agreements_ending(membership, today: dt.date, horizon_days: int = HORIZON_DAYS):
    limit = today + dt.timedelta(days=horizon_days)
    return Agreement.objects.visible_to(membership).filter(
        ends_on__gte=today, ends_on__lte=limit, ended_on__isnull=True
    )


def supports_ending(membership, today: dt.date, horizon_days: int = HORIZON_DAYS):
    limit = today + dt.timedelta(days=horizon_days)
    return (
        Enrolment.objects.visible_to(membership)
        .filter(ends_on__gte=today, ends_on__lte=limit, outcome="")
        .select_related("person", "agreement")
    )
