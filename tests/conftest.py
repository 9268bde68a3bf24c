import datetime as dt
import os

import pytest

from parcours.core import clock
from parcours.pathway import transitions as t

from .factories import MembershipFactory, OrganisationFactory, PersonFactory, commission, prefecture

# Playwright's sync API runs an event loop in the test thread; the ORM calls in tests are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class Personas:
    """Named people of a Gard-based setting, so that access tests read like sentences."""

    def __init__(self):
        self.association = OrganisationFactory(name="Association fictive du Gard")
        self.other_association = OrganisationFactory(name="Autre association fictive")
        self.commission = commission("30")
        self.prefecture = prefecture("30")
        self.other_commission = commission("13")
        self.other_prefecture = prefecture("13")
        self.worker = MembershipFactory(organisation=self.association, role="social_worker",
                                        user__username="travailleuse")  # fmt: skip
        self.head = MembershipFactory(organisation=self.association, role="head_of_service",
                                      user__username="cheffe")  # fmt: skip
        self.volunteer = MembershipFactory(organisation=self.association, role="volunteer",
                                           user__username="benevole")  # fmt: skip
        self.intern = MembershipFactory(organisation=self.association, role="intern", user__username="stagiaire")
        self.outsider = MembershipFactory(organisation=self.other_association, role="social_worker",
                                          user__username="autre-travailleuse")  # fmt: skip
        self.secretariat = MembershipFactory(organisation=self.commission, role="secretariat",
                                             user__username="secretariat")  # fmt: skip
        self.member = MembershipFactory(organisation=self.commission, role="commission_member",
                                        user__username="membre")  # fmt: skip
        self.other_secretariat = MembershipFactory(organisation=self.other_commission, role="secretariat",
                                                   user__username="secretariat-13")  # fmt: skip
        self.agent = MembershipFactory(organisation=self.prefecture, role="prefecture_agent",
                                       user__username="prefecture")  # fmt: skip
        self.other_agent = MembershipFactory(organisation=self.other_prefecture, role="prefecture_agent",
                                             user__username="prefecture-13")  # fmt: skip
        national = OrganisationFactory(kind="national", name="Administration nationale", departement=None)
        self.national = MembershipFactory(organisation=national, role="national_admin", user__username="national")

    def person(self, **kwargs):
        return PersonFactory(association=self.association, **kwargs)


@pytest.fixture
def personas(db):
    return Personas()


def complete_content(signed_on=dt.date(2025, 1, 5), **overrides) -> t.RequestContent:
    values = dict(
        situation="Situation fictive.",
        motivation="Projet fictif : formation d'agente de propreté.",
        evaluation="Évaluation fictive.",
        sworn_statement=True,
        signed_on=signed_on,
        actions=[t.PlanLine("housing", "Accès à un hébergement stable", dt.date(2025, 6, 1))],
        commitments=["Suivre les cours de français"],
    )
    values.update(overrides)
    return t.RequestContent(**values)


def walk_to_avis(personas, person, *, kind="entry", submitted_on, session_on, avis="favourable"):
    """Carry a request from draft to the commission's avis, travelling in time."""
    with clock.travel_to(submitted_on):
        req = t.open_request(person, kind, personas.worker, complete_content(signed_on=submitted_on))
        t.validate_request(req, personas.head)
        t.submit_request(req, personas.worker)
        session = t.create_session(personas.secretariat, session_on)
        t.schedule_request(req, session, personas.secretariat)
    with clock.travel_to(session_on):
        t.record_avis(req, session, avis, personas.secretariat, reason="" if avis == "favourable" else "Motif")
    req.refresh_from_db()
    return req


def authorised_pathway(personas, person, *, submitted_on, session_on, decided_on, start=None):
    req = walk_to_avis(personas, person, submitted_on=submitted_on, session_on=session_on)
    with clock.travel_to(decided_on):
        period = t.authorise(req, personas.agent, decided_on, start=start)
    return period.pathway
