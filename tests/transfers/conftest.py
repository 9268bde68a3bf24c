import datetime as dt
from types import SimpleNamespace

import pytest

from parcours.core import clock
from parcours.followup import services as followup

from ..conftest import request_in_state
from ..factories import MembershipFactory, OrganisationFactory, departement

TODAY = dt.date(
    2025, 9, 15
)  # inside the second period of the authorised entry and renewal (tests/conftest.py)


@pytest.fixture
def transfer_world(personas):
    """The Gard association of the personas sends; another association of the Gard (its head and a worker)
    and one of the Bouches-du-Rhône receive. The person has an authorised entry and renewal (two periods) and
    a sensitive note by her referent."""
    w = SimpleNamespace(p=personas)
    w.receiver = OrganisationFactory(name="Association fictive d'accueil")
    w.receiver_head = MembershipFactory(organisation=w.receiver, role="head_of_service",
                                        user__username="cheffe-accueil")  # fmt: skip
    w.receiver_worker = MembershipFactory(organisation=w.receiver, role="social_worker",
                                          user__username="travailleuse-accueil")  # fmt: skip
    w.far = OrganisationFactory(
        name="Association fictive des Bouches-du-Rhône", departement=departement("13")
    )
    w.far_head = MembershipFactory(organisation=w.far, role="head_of_service", user__username="cheffe-13")
    with clock.travel_to(dt.date(2025, 1, 6)):
        w.person = personas.person(referent=personas.worker.user, first_name="Transferina",
                                   last_name="Démo-Voyageuse")  # fmt: skip
    w.renewal = request_in_state(personas, "authorised", kind="renewal", person=w.person)
    w.pathway = w.renewal.pathway
    with clock.travel_to(dt.date(2025, 3, 3)):
        w.note = followup.add_note(w.person, personas.worker, domain="health", held_on=dt.date(2025, 3, 3),
                                   text="Note confidentielle fictive.", sensitive=True)  # fmt: skip
    return w
