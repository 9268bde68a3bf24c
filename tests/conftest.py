import datetime as dt
import os
from dataclasses import dataclass

import pytest

from parcours.accounts.models import Membership, User
from parcours.core import clock
from parcours.pathway import transitions as t

from .factories import OrganisationFactory, PersonFactory, UserFactory, commission, prefecture

# Playwright's sync API runs an event loop in the test thread; the ORM calls in tests are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class Personas:
    """Named people of a Gard-based setting, so that access tests read like sentences.

    Most tests start from these eleven accounts: they are built with one insert per table (the factories'
    `build`, then `bulk_create`), about a fifth of the time of one factory call per account (CI budget,
    docs/decisions/0065-ci-time-second-pass.md). No signal listens to these models' saves."""

    ACCOUNTS = (  # attribute, organisation attribute, role, username
        ("worker", "association", "social_worker", "travailleuse"),
        ("head", "association", "head_of_service", "cheffe"),
        ("volunteer", "association", "volunteer", "benevole"),
        ("intern", "association", "intern", "stagiaire"),
        ("outsider", "other_association", "social_worker", "autre-travailleuse"),
        ("secretariat", "commission", "secretariat", "secretariat"),
        ("member", "commission", "commission_member", "membre"),
        ("other_secretariat", "other_commission", "secretariat", "secretariat-13"),
        ("agent", "prefecture", "prefecture_agent", "prefecture"),
        ("other_agent", "other_prefecture", "prefecture_agent", "prefecture-13"),
        ("national", "national_organisation", "national_admin", "national"),
    )

    def __init__(self):
        self.association = OrganisationFactory(name="Association fictive du Gard")
        self.other_association = OrganisationFactory(name="Autre association fictive")
        self.commission = commission("30")
        self.prefecture = prefecture("30")
        self.other_commission = commission("13")
        self.other_prefecture = prefecture("13")
        self.national_organisation = OrganisationFactory(
            kind="national", name="Administration nationale", departement=None
        )
        users = User.objects.bulk_create(
            [UserFactory.build(username=username) for _a, _o, _r, username in self.ACCOUNTS]
        )
        memberships = Membership.objects.bulk_create(
            [
                Membership(user=user, organisation=getattr(self, organisation), role=role)
                for user, (_a, organisation, role, _u) in zip(users, self.ACCOUNTS, strict=True)
            ]
        )
        for membership, (attribute, *_rest) in zip(memberships, self.ACCOUNTS, strict=True):
            setattr(self, attribute, membership)

    def person(self, **kwargs):
        return PersonFactory(association=self.association, **kwargs)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """With PARCOURS_TEST_DB_TEMPLATE (the PostgreSQL pass of .ci/run: the database it has just migrated),
    each xdist worker's test database is a copy of that one (CREATE DATABASE … TEMPLATE), then `migrate` finds
    nothing to apply: one migration for the pass instead of one per worker (decision 0065)."""
    from django.conf import settings as django_settings

    template = os.environ.get("PARCOURS_TEST_DB_TEMPLATE")
    database = django_settings.DATABASES["default"]
    if template and database["ENGINE"] == "django.db.backends.postgresql":
        database.setdefault("TEST", {})["TEMPLATE"] = template


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Hashing a password with the production hasher takes about 0.4 s; the personas hash eleven."""
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
    from parcours.pathway import agenda_held, session_held
    from parcours.people.search import forget_name_keys

    cache.clear()
    forget_name_keys()  # the search's name keys, held in memory apart from the cache
    todo_held.forget()  # the to-do pages, held in memory too
    person_held.forget()  # and the summaries of the people's pages
    caseload_held.forget()  # and the caseload's lines
    agenda_held.forget()  # and the sessions' agendas
    session_held.forget()  # and the sessions' pages


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


def scheduled_without_quorum(personas, last_name: str):
    """A request scheduled at a session whose attendance shows no quorum (its only member absent), ready for
    `commission.reconvene`: (the request, its session)."""
    from parcours.pathway import commission as body

    req = request_in_state(personas, "scheduled", person=personas.person(last_name=last_name))
    session = req.agenda_items.get().session
    with clock.travel_to(session.date):
        member = body.appoint_member(
            personas.secretariat,
            body.MemberData(college="state", name="Fictif-Seul", function="Fonction fictive",
                            appointed_on=dt.date(2024, 1, 1), email="seul@example.org"),
        )  # fmt: skip
        body.record_attendance(session, personas.secretariat, {member.pk: ("absent", None)})
    return req, session
