"""When a grant's report to its funder is due: shown on the funding pages to the head of service.

The date comes from the funder's agreement (AGRASC, the State, local authorities each set their own); Parcours
only reminds. A report is « à rendre » from REMINDER_DAYS before its date, « en retard » after it, until the
date it was sent is noted."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from django.urls import reverse

from parcours.accounts import policy
from parcours.notifications.due import Due
from parcours.notifications.rules import Kind

from .models import Grant

REMINDER_DAYS = 30


class ReportState(StrEnum):
    NONE = "none"  # no date known
    PLANNED = "planned"
    DUE_SOON = "due_soon"
    LATE = "late"
    SENT = "sent"


def report_state(grant, today: dt.date) -> ReportState:
    if grant.report_sent_on is not None:
        return ReportState.SENT
    if grant.report_due_on is None:
        return ReportState.NONE
    if grant.report_due_on < today:
        return ReportState.LATE
    if (grant.report_due_on - today).days <= REMINDER_DAYS:
        return ReportState.DUE_SOON
    return ReportState.PLANNED


def reports_to_write(grants, today: dt.date) -> list:
    """The grants whose report is late or due within REMINDER_DAYS, the most urgent first."""
    urgent = [g for g in grants if report_state(g, today) in (ReportState.LATE, ReportState.DUE_SOON)]
    return sorted(urgent, key=lambda g: (g.report_due_on, g.pk))


def due_items(membership, today: dt.date) -> list:
    """The reports to write (reports_to_write), in the head of service's inbox and digest
    (notifications/due.py): each grant once per due date, until the date it was sent is noted."""
    if not policy.can(membership, "funding"):
        return []
    return [
        Due(Kind.FUNDER_REPORT, f"grant:{g.pk}", g.report_due_on, reverse("funding:grant", args=[g.pk]))
        for g in reports_to_write(Grant.objects.visible_to(membership), today)
    ]
