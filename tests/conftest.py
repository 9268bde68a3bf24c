import datetime as dt
import os
from dataclasses import dataclass

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
        self.intern = MembershipFactory(
            organisation=self.association, role="intern", user__username="stagiaire"
        )
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
        self.national = MembershipFactory(
            organisation=national, role="national_admin", user__username="national"
        )

    def person(self, **kwargs):
        return PersonFactory(association=self.association, **kwargs)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Hashing a password with the production hasher takes about 0.4 s; the personas hash twelve."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _second_factor_not_forced(settings):
    """Tests that are not about the second factor log in with the password alone; tests/accounts/test_mfa.py
    and the security-key journey turn it back on (settings.PARCOURS_MFA_REQUIRED = True)."""
    settings.PARCOURS_MFA_REQUIRED = False


@pytest.fixture(autouse=True)
def _empty_cache():
    """The statistics are cached under a fingerprint of their source rows (counts and largest keys), which
    two tests' rolled-back databases can share: each test starts with an empty cache (and no held search
    keys, no held to-do page, no held summaries of a person's page)."""
    from django.core.cache import cache

    from parcours.desk import caseload_held, person_held, todo_held
    from parcours.pathway import agenda_held
    from parcours.people.search import forget_name_keys

    cache.clear()
    forget_name_keys()  # the search's name keys, held in memory apart from the cache
    todo_held.forget()  # the to-do pages, held in memory too
    person_held.forget()  # and the summaries of the people's pages
    caseload_held.forget()  # and the caseload's lines
    agenda_held.forget()  # and the sessions' agendas


@pytest.fixture(autouse=True)
def _audit_checkpoints_per_test(settings, tmp_path):
    """Each test has its own file of journal checkpoints: the database is rolled back after each test, and a
    checkpoint left by another test would rightly look like a truncated journal."""
    settings.PARCOURS_AUDIT_CHECKPOINT_FILE = str(tmp_path / "audit-checkpoints.log")


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
        t.record_avis(
            req, session, avis, personas.secretariat, reason="" if avis == "favourable" else "Motif"
        )
    req.refresh_from_db()
    return req


def authorised_pathway(personas, person, *, submitted_on, session_on, decided_on, start=None):
    req = walk_to_avis(personas, person, submitted_on=submitted_on, session_on=session_on)
    with clock.travel_to(decided_on):
        period = t.authorise(req, personas.agent, decided_on, start=start)
    return period.pathway


def renew(personas, person, *, submitted_on, session_on, decided_on):
    """Walk a renewal request of `person` to its authorisation; returns the new period."""
    req = walk_to_avis(personas, person, kind="renewal", submitted_on=submitted_on, session_on=session_on)
    with clock.travel_to(decided_on):
        return t.authorise(req, personas.agent, decided_on)


# --- Requests and pathways in a given state ----------------------------------------------------------
@dataclass(frozen=True)
class Calendar:
    opened: dt.date  # opened, validated and submitted that day; the session is planned that day too
    session: dt.date  # the commission examines it
    decided: dt.date  # the préfet decides


# An entry examined on 3 February 2025 and authorised on 10 February (first period: 10 February – 9 August
# 2025), and a renewal of it examined on 1 July and decided on 10 July.
CALENDARS = {
    "entry": Calendar(dt.date(2025, 1, 6), dt.date(2025, 2, 3), dt.date(2025, 2, 10)),
    "renewal": Calendar(dt.date(2025, 6, 2), dt.date(2025, 7, 1), dt.date(2025, 7, 10)),
}

_STEPS_TO = {
    "draft": (),
    "ready": ("submit_for_validation",),
    "validated": ("validate",),
    "submitted": ("validate", "submit"),
    "scheduled": ("validate", "submit", "schedule"),
    "adjourned": ("validate", "submit", "schedule", "adjourn"),
    "avis_given": ("validate", "submit", "schedule", "record_avis"),
    "authorised": ("validate", "submit", "schedule", "record_avis", "authorise"),
    "refused": ("validate", "submit", "schedule", "record_avis", "refuse"),
    "withdrawn": ("withdraw",),
}


def request_in_state(personas, status, *, kind="entry", person=None):
    """A request of `kind` carried to `status` by the right people on the dates of `CALENDARS[kind]`.
    A renewal is preceded by an authorised entry of the same person."""
    person = person or personas.person()
    if kind == "renewal":
        request_in_state(personas, "authorised", person=person)
    days = CALENDARS[kind]
    with clock.travel_to(days.opened):
        req = t.open_request(person, kind, personas.worker, complete_content(signed_on=days.opened))
        session = t.create_session(personas.secretariat, days.session)
    steps = {
        "submit_for_validation": (days.opened, lambda: t.submit_for_validation(req, personas.worker)),
        "validate": (days.opened, lambda: t.validate_request(req, personas.head)),
        "submit": (days.opened, lambda: t.submit_request(req, personas.worker)),
        "schedule": (days.opened, lambda: t.schedule_request(req, session, personas.secretariat)),
        "adjourn": (
            days.session,
            lambda: t.record_avis(req, session, "adjourned", personas.secretariat, "À compléter"),
        ),
        "record_avis": (
            days.session,
            lambda: t.record_avis(req, session, "favourable", personas.secretariat),
        ),
        "authorise": (days.decided, lambda: t.authorise(req, personas.agent, days.decided)),
        "refuse": (
            days.decided,
            lambda: t.refuse(req, personas.agent, days.decided, ["project"], "Motif fictif"),
        ),
        "withdraw": (days.opened, lambda: t.withdraw_request(req, personas.worker)),
    }
    for step in _STEPS_TO[status]:
        day, act = steps[step]
        with clock.travel_to(day):
            act()
    req.refresh_from_db()
    return req


# The first period of an authorised entry of `request_in_state` ends on this day.
FIRST_PERIOD_END = dt.date(2025, 8, 9)


def pathway_in_state(personas, status, *, person=None):
    """A pathway in `status`, built through the services on the dates of `CALENDARS["entry"]`: "lapsed" on
    the day after its first period, "exited" (completed) on 20 March 2025."""
    if status == "preparing":
        return request_in_state(personas, "draft", person=person).pathway
    if status == "refused":
        return request_in_state(personas, "refused", person=person).pathway
    pathway = request_in_state(personas, "authorised", person=person).pathway
    if status == "lapsed":
        t.expire_periods(FIRST_PERIOD_END + dt.timedelta(days=1))
    elif status == "exited":
        with clock.travel_to(dt.date(2025, 3, 20)):
            t.record_exit(pathway, personas.worker, dt.date(2025, 3, 20), "completed")
    pathway.refresh_from_db()
    assert pathway.status == status, f"no builder for a pathway in state {status!r}"
    return pathway
