"""Reminders through the notifications' daily pass: a month before an agreement ends (its head of service)
and before a person's support under it ends (her referent and the head of service)."""

from __future__ import annotations

import datetime as dt

import pytest

from parcours.core import clock
from parcours.employment import services
from parcours.notifications.due import due_for

from ..factories import OrganisationFactory

D = dt.date


@pytest.mark.django_db
def test_the_end_of_an_agreement_and_of_a_support_are_told_a_month_ahead(personas):
    person = personas.person(referent=personas.worker.user)
    partner = OrganisationFactory(kind="partner", name="France Travail fictif", departement=None)
    with clock.travel_to(D(2026, 1, 5)):
        agreement = services.create_agreement(
            personas.head,
            label="Accompagnement global",
            partner=partner,
            starts_on=D(2026, 1, 1),
            ends_on=D(2027, 3, 31),
            support_months=12,
        )
        services.enrol_under_agreement(agreement, personas.worker, person, D(2026, 3, 1))  # ends 28 Feb 2027

    def kinds(membership, day):
        return sorted((d.kind, d.due_on) for d in due_for(membership, day) if d.kind.endswith("_end"))

    assert kinds(personas.worker, D(2027, 1, 27)) == []
    assert kinds(personas.worker, D(2027, 1, 28)) == [("support_end", D(2027, 2, 28))]
    # The head of service is told of both; on 1 March the support has ended: the agreement remains.
    assert kinds(personas.head, D(2027, 2, 1)) == [("support_end", D(2027, 2, 28))]
    assert kinds(personas.head, D(2027, 3, 1)) == [("agreement_end", D(2027, 3, 31))]
    assert kinds(personas.outsider, D(2027, 3, 1)) == []
