"""The « À faire » page computes the rights deadlines only for the people an SQL filter keeps (issue 15). The
oracle here is the same rules run on every person the association follows, without that filter: on each
week of a year and a half, both must list exactly the same deadlines."""

import datetime as dt
from collections import Counter

from parcours.people.models import LIST_DEFERRED, Person
from parcours.rights import deadlines
from parcours.rights.rules import AfisStopReason
from parcours.rights.services import AfisDates, ApsDates

from ..conftest import pathway_in_state
from .test_deadlines import afis, aps, eligible_person

D = dt.date


def build_people(personas):
    """One person per situation the rules know, built through the services."""
    active = eligible_person(personas)  # AFIS to request from the MSA
    pathway_in_state(personas, "active", person=active)
    no_residence = eligible_person(personas, residence_status="none")  # APS to request
    pathway_in_state(personas, "active", person=no_residence)
    incomplete = eligible_person(personas, monthly_resources=None)  # eligibility to check, undated
    pathway_in_state(personas, "active", person=incomplete)
    chase = eligible_person(personas)  # the MSA to chase
    pathway_in_state(personas, "active", person=chase)
    afis(personas, chase, D(2025, 2, 20), AfisDates(D(2025, 2, 20)))
    paid = eligible_person(personas)  # nothing while the pathway runs, a stop to report once it lapses
    pathway_in_state(personas, "lapsed", person=paid)
    afis(personas, paid, D(2025, 3, 5), AfisDates(D(2025, 2, 20), first_payment_on=D(2025, 3, 5)))
    exited_paid = eligible_person(personas)  # a stop to report after the exit
    afis(personas, exited_paid, D(2025, 3, 5), AfisDates(D(2025, 2, 20), first_payment_on=D(2025, 3, 5)))
    pathway_in_state(personas, "exited", person=exited_paid)
    exited = eligible_person(personas)  # the last period still opens the AFIS for a few weeks
    pathway_in_state(personas, "exited", person=exited)
    stopped = eligible_person(personas)  # a stopped file covering the period: nothing
    pathway_in_state(personas, "active", person=stopped)
    afis(
        personas,
        stopped,
        D(2025, 6, 1),
        AfisDates(D(2025, 2, 20), D(2025, 3, 1), D(2025, 6, 1), AfisStopReason.OTHER),
    )
    receipt = eligible_person(personas)  # a receipt to have extended
    aps(personas, receipt, D(2025, 2, 12), ApsDates(D(2025, 2, 12), D(2025, 2, 12), D(2025, 5, 11)))
    issued = eligible_person(personas)  # an APS renewal to request, then an expired one
    pathway_in_state(personas, "active", person=issued)
    aps(
        personas,
        issued,
        D(2025, 3, 1),
        ApsDates(D(2025, 2, 12), issued_on=D(2025, 3, 1), expires_on=D(2025, 8, 31)),
    )
    renewing = eligible_person(personas)  # renewal requested, new APS to record once expired
    aps(
        personas,
        renewing,
        D(2025, 3, 1),
        ApsDates(
            D(2024, 10, 1),
            issued_on=D(2024, 11, 1),
            expires_on=D(2025, 4, 30),
            renewal_requested_on=D(2025, 3, 1),
        ),
    )
    after_exit = eligible_person(personas)  # an APS after the exit: nothing to renew
    pathway_in_state(personas, "exited", person=after_exit)
    aps(
        personas,
        after_exit,
        D(2025, 3, 21),
        ApsDates(D(2025, 2, 12), issued_on=D(2025, 3, 1), expires_on=D(2025, 6, 30)),
    )
    aps_only = eligible_person(personas)  # an APS renewal to request, outside any pathway
    aps(
        personas,
        aps_only,
        D(2025, 3, 1),
        ApsDates(D(2025, 2, 12), issued_on=D(2025, 3, 1), expires_on=D(2025, 10, 31)),
    )
    personas.person()  # followed, nothing to do


def seen(items):
    return Counter((d.person.pk, d.right, d.label, d.date) for d in items)


def test_the_sql_filter_keeps_every_person_with_a_deadline(personas):
    build_people(personas)
    everyone = deadlines.with_rights(Person.objects.visible_to(personas.worker).defer(*LIST_DEFERRED))
    labels = set()
    day = D(2025, 1, 6)
    while day <= D(2026, 6, 30):
        limit = day + dt.timedelta(days=deadlines.DEFAULT_HORIZON_DAYS)
        oracle = [
            d
            for person in everyone.all()
            for d in deadlines.person_deadlines(person, day)
            if d.date is None or d.date <= limit
        ]
        assert seen(deadlines.due_items(personas.worker, day)) == seen(oracle), day
        labels |= {d.label.split(" ")[0] for d in oracle}
        day += dt.timedelta(days=7)
    # Every kind of deadline was met on the way (the comparison above was not between empty lists).
    assert labels >= {"Demande", "Éligibilité", "Relancer", "Signaler", "Récépissé", "Renouvellement", "APS"}
