"""A report owed to a funder reaches the head of service's inbox and digest from 30 days before its date,
once per date, never her social workers nor another association; once sent, it is told no more."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from parcours.core import clock
from parcours.funding import services
from parcours.notifications import services as notifications
from parcours.notifications.models import Notification

from ..factories import MembershipFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 4)


def _grant(head, label, due_on):
    funder = services.create_funder(head, kind="agrasc", name=f"AGRASC fictif {label}")
    return services.create_grant(
        head, funder=funder, label=label, amount=Decimal("1000"), starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31), indicators=["people_followed"], report_due_on=due_on,
    )  # fmt: skip


def _grant_lines(membership):
    return sorted(
        (n.object_key, n.due_on)
        for n in Notification.objects.filter(recipient_id=membership.user_id, kind="funder_report")
    )


def test_a_report_due_within_30_days_reaches_the_head_of_service_once(personas, mailoutbox):
    personas.head.user.email = "cheffe@example.org"
    personas.head.user.save()
    other_head = MembershipFactory(organisation=personas.other_association, role="head_of_service")
    with clock.travel_to(dt.date(2026, 10, 1)):
        soon = _grant(personas.head, "Rapport bientôt", dt.date(2027, 1, 3))  # in 30 days
        late = _grant(personas.head, "Rapport en retard", dt.date(2026, 11, 30))
        _grant(personas.head, "Rapport lointain", dt.date(2027, 1, 4))  # in 31 days: not yet
        theirs = _grant(other_head, "Autre association", dt.date(2026, 12, 10))
    with clock.travel_to(TODAY):
        assert notifications.notify(TODAY) >= 2
        assert notifications.notify(TODAY) == 0  # told once
        notifications.send_digests(TODAY)
    assert _grant_lines(personas.head) == sorted(
        [(f"grant:{soon.pk}", dt.date(2027, 1, 3)), (f"grant:{late.pk}", dt.date(2026, 11, 30))]
    )
    assert _grant_lines(personas.worker) == []
    assert _grant_lines(other_head) == [(f"grant:{theirs.pk}", dt.date(2026, 12, 10))]
    mine = [m for m in mailoutbox if m.to == ["cheffe@example.org"]]
    assert len(mine) == 1 and "- Rapport à rendre à un financeur : 2" in mine[0].body
    assert "AGRASC" not in mine[0].body  # counts and a link only, as for every digest


def test_a_sent_report_is_not_told(personas):
    with clock.travel_to(dt.date(2026, 10, 1)):
        g = _grant(personas.head, "Rapport envoyé", dt.date(2026, 12, 15))
    with clock.travel_to(TODAY):
        services.update_grant(
            g, personas.head, funder=g.funder, label=g.label, starts_on=g.starts_on, ends_on=g.ends_on,
            amount=g.amount, indicators=g.indicators, report_due_on=g.report_due_on,
            report_sent_on=dt.date(2026, 12, 1),
        )  # fmt: skip
        notifications.notify(TODAY)
    assert _grant_lines(personas.head) == []
