"""The access matrix, generated: every URL of the URLconf × every role × an object of the user's own side or
of the other side, against what the rule table (PAGE_RULES) and the visibility rule say.

- A role outside the page's rule gets 403; an allowed role gets 200 or 302 on an object of its own side and
  404 on an object of the other side (a 403 would confirm it exists).
- A POST-only endpoint refuses GET (405, or 403 first for a role outside the rule).
- A POST by a refused role, or on an object of the other side, is refused (403/404) and changes nothing.
- Every URL name must be declared in ENDPOINTS below with a builder of its arguments: adding a page without
  declaring it (and so without a rule) fails `test_every_url_of_the_urlconf_is_declared`.

The world is built once for the module, through the domain services, on two sides: side A in the Gard
(association, commission, préfecture, partner) and side B in the Bouches-du-Rhône.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from parcours.accounts.permissions import PAGE_RULES
from parcours.core import clock
from parcours.followup import services as followup
from parcours.pathway import transitions as t
from parcours.people import services as people
from parcours.records import samples
from parcours.records import services as records

from ..conftest import complete_content
from ..factories import (
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    commission,
    departement,
    prefecture,
)
from .test_page_rules import named_patterns

PERSONAS = {
    # persona: (side, role)
    "worker": ("A", "social_worker"),
    "head": ("A", "head_of_service"),
    "volunteer": ("A", "volunteer"),
    "intern": ("A", "intern"),
    "outsider": ("B", "social_worker"),  # a social worker of the other association
    "secretariat": ("A", "secretariat"),
    "member": ("A", "commission_member"),
    "agent": ("A", "prefecture_agent"),
    "national": ("A", "national_admin"),
    "partner": ("A", "partner_counsellor"),
    # Special cases: a social worker of the same association who is not the person's referent.
    "colleague": ("A", "social_worker"),
}
OTHER = {"A": "B", "B": "A"}
SENSITIVE_TEXT = "Texte confidentiel fictif de la note"
OK = frozenset({200, 302})
FORBIDDEN = frozenset({403})
NOT_FOUND = frozenset({404})


# --- The world -------------------------------------------------------------------------------------------
def build_side(code: str, name: str) -> SimpleNamespace:
    s = SimpleNamespace()
    s.association = OrganisationFactory(name=f"Association fictive {name}", departement=departement(code))
    s.commission = commission(code)
    s.prefecture = prefecture(code)
    s.partner = OrganisationFactory(kind="partner", name=f"Partenaire fictif {name}", departement=None)
    s.national = OrganisationFactory(kind="national", name=f"Administration fictive {name}", departement=None)
    org = {"social_worker": s.association, "head_of_service": s.association, "volunteer": s.association,
           "intern": s.association, "secretariat": s.commission, "commission_member": s.commission,
           "prefecture_agent": s.prefecture, "national_admin": s.national,
           "partner_counsellor": s.partner}  # fmt: skip
    s.members = {
        role: MembershipFactory(organisation=organisation, role=role, user__username=f"{role}-{name}")
        for role, organisation in org.items()
    }
    s.colleague = MembershipFactory(organisation=s.association, role="social_worker",
                                    user__username=f"collegue-{name}")  # fmt: skip
    worker, head = s.members["social_worker"], s.members["head_of_service"]
    secretariat, agent = s.members["secretariat"], s.members["prefecture_agent"]

    with clock.travel_to(dt.date(2025, 1, 6)):
        s.person = PersonFactory(association=s.association, referent=worker.user)
        s.request = t.open_request(s.person, "entry", worker, complete_content(signed_on=dt.date(2025, 1, 6)))
        t.validate_request(s.request, head)
        t.submit_request(s.request, worker)
        s.session = t.create_session(secretariat, dt.date(2025, 2, 3))
        t.schedule_request(s.request, s.session, secretariat)
    with clock.travel_to(dt.date(2025, 2, 3)):
        t.record_avis(s.request, s.session, "favourable", secretariat)
    with clock.travel_to(dt.date(2025, 2, 10)):
        s.pathway = t.authorise(s.request, agent, dt.date(2025, 2, 10)).pathway
    s.request.refresh_from_db()

    with clock.travel_to(dt.date(2025, 3, 3)):
        s.other_name = people.add_other_name(s.person, worker, f"Autregraphie {name}")
        s.consent = people.record_consent(
            s.person, worker, purpose="sharing", partner=s.partner, given_on=dt.date(2025, 3, 3),
            scopes=["identity_contact", "administrative", "employment", "appointments"],
        )  # fmt: skip
        s.note = followup.add_note(s.person, worker, domain="health", held_on=dt.date(2025, 3, 3),
                                   text=SENSITIVE_TEXT, sensitive=True)  # fmt: skip
        s.action = followup.add_action(s.person, worker, domain="employment", description="Atelier fictif")
        s.appointment = followup.schedule_appointment(
            s.person, worker, worker=worker.user, purpose="employment",
            starts_at=dt.datetime(2025, 3, 10, 14, tzinfo=clock.PARIS),
            ends_at=dt.datetime(2025, 3, 10, 15, tzinfo=clock.PARIS),
        )  # fmt: skip
        s.referral = followup.refer(s.person, worker, reason="Inscription fictive", domain="employment",
                                    referred_on=dt.date(2025, 3, 3), partner=s.partner)  # fmt: skip
        upload = SimpleUploadedFile("piece.pdf", samples.pdf("Attestation fictive"), "application/pdf")
        s.document = records.add_document(s.person, worker, kind="certificate", upload=upload)
        records.save_life_story(s.person, worker, "Recit fictif.", based_on=0)
    # A second factor of a user of the side (accounts:device_remove): a user logged in with a password only
    # removes none, hers or not (the personas have none, so that they are not asked for one).
    keeper = MembershipFactory(organisation=s.association, role="social_worker", user__username=f"cle-{name}")
    s.device = TOTPDevice.objects.create(user=keeper.user, name="Application", confirmed=True)
    return s


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    documents = tmp_path_factory.mktemp("documents")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Built in one transaction rolled back at the end of the module; each test runs in a savepoint inside it.
    with (
        django_db_blocker.unblock(),
        override_settings(PARCOURS_DOCUMENTS_DIR=documents, PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        sides = {"A": build_side("30", "gard"), "B": build_side("13", "bdr")}
        personas = {}
        for persona, (side, role) in PERSONAS.items():
            personas[persona] = sides[side].colleague if persona == "colleague" else sides[side].members[role]
        yield SimpleNamespace(sides=sides, personas=personas)
        transaction.set_rollback(True)


# --- The registry: every URL name, the builder of its arguments, its special cases --------------------------
@dataclass(frozen=True)
class Endpoint:
    kwargs: object = None  # (side namespace, membership) -> URL kwargs; None: no argument
    post_only: bool = False
    public: bool = False  # outside the rule table (login, logout, home, second step, WebAuthn JSON)
    # {persona: set of statuses} for the object of the persona's own side, when the rule table and the
    # visibility rule are not the whole story (the life story, read by the referent and the head only).
    special: dict = field(default_factory=dict)
    # {persona: texts that must not appear on her page}
    absent: dict = field(default_factory=dict)


def person(s, m):
    return {"pk": s.person.pk}


LIFE_STORY = {"colleague": FORBIDDEN}  # records.services.require_life_story_access: referent and head only

ENDPOINTS: dict[str, Endpoint] = {
    # Public, or before the rule table (accounts.middleware.SecondFactorMiddleware guards them).
    "core:home": Endpoint(public=True),
    "accounts:login": Endpoint(public=True),
    "accounts:logout": Endpoint(public=True),
    "accounts:mfa_verify": Endpoint(public=True),
    "otp_webauthn:credential-registration-begin": Endpoint(public=True),
    "otp_webauthn:credential-registration-complete": Endpoint(public=True),
    "otp_webauthn:credential-authentication-begin": Endpoint(public=True),
    "otp_webauthn:credential-authentication-complete": Endpoint(public=True),
    # Accounts.
    "accounts:organisation": Endpoint(),
    "accounts:security": Endpoint(),
    "accounts:totp_setup": Endpoint(),
    "accounts:recovery_codes": Endpoint(),
    "accounts:password_change": Endpoint(),
    "accounts:device_remove": Endpoint(
        kwargs=lambda s, m: {"kind": "application", "pk": s.device.pk}, post_only=True
    ),
    "core:volunteer": Endpoint(),
    "audit:journal": Endpoint(),
    # The person's file.
    "people:caseload": Endpoint(),
    "people:person_create": Endpoint(),
    "people:person": Endpoint(kwargs=person),
    "people:situation": Endpoint(kwargs=person),
    "people:situation_edit": Endpoint(kwargs=person),
    "people:other_name_add": Endpoint(kwargs=person, post_only=True),
    "people:other_name_remove": Endpoint(
        kwargs=lambda s, m: {"pk": s.person.pk, "name_pk": s.other_name.pk}, post_only=True
    ),
    "people:consent_add": Endpoint(kwargs=person),
    "people:consent_withdraw": Endpoint(
        kwargs=lambda s, m: {"pk": s.person.pk, "consent_pk": s.consent.pk}, post_only=True
    ),
    # Follow-up. The colleague reaches the sensitive note (its domain, date and author) but not its text.
    "followup:notes": Endpoint(kwargs=person, absent={"colleague": [SENSITIVE_TEXT]}),
    "followup:note": Endpoint(kwargs=lambda s, m: {"pk": s.note.pk}, absent={"colleague": [SENSITIVE_TEXT]}),
    "followup:actions": Endpoint(kwargs=person),
    "followup:action": Endpoint(kwargs=lambda s, m: {"pk": s.action.pk}),
    "followup:appointments": Endpoint(kwargs=person),
    "followup:appointment_outcome": Endpoint(kwargs=lambda s, m: {"pk": s.appointment.pk}, post_only=True),
    "followup:referrals": Endpoint(kwargs=person),
    "followup:referral": Endpoint(kwargs=lambda s, m: {"pk": s.referral.pk}),
    "followup:agenda": Endpoint(),
    "followup:agenda_ics": Endpoint(),
    # Documents and life story.
    "records:documents": Endpoint(kwargs=person),
    "records:document_download": Endpoint(kwargs=lambda s, m: {"pk": s.document.pk}),
    "records:document_delete": Endpoint(kwargs=lambda s, m: {"pk": s.document.pk}),
    "records:life_story": Endpoint(kwargs=person, special=LIFE_STORY),
    "records:life_story_diff": Endpoint(kwargs=person, special=LIFE_STORY),
    "records:life_story_version": Endpoint(
        kwargs=lambda s, m: {"pk": s.person.pk, "number": 1}, special=LIFE_STORY
    ),
    "records:life_story_pdf": Endpoint(
        kwargs=lambda s, m: {"pk": s.person.pk, "number": 1}, special=LIFE_STORY
    ),
    "rights:person": Endpoint(kwargs=person),
    # The pathway.
    "pathway:todo": Endpoint(),
    "pathway:request_create": Endpoint(kwargs=lambda s, m: {"person_pk": s.person.pk, "kind": "renewal"}),
    "pathway:request": Endpoint(kwargs=lambda s, m: {"pk": s.request.pk}),
    "pathway:request_edit": Endpoint(kwargs=lambda s, m: {"pk": s.request.pk}),
    "pathway:request_action": Endpoint(
        kwargs=lambda s, m: {"pk": s.request.pk, "action": "withdraw"}, post_only=True
    ),
    "pathway:decide": Endpoint(kwargs=lambda s, m: {"pk": s.request.pk}),
    "pathway:inbox": Endpoint(),
    "pathway:sessions": Endpoint(),
    "pathway:session": Endpoint(kwargs=lambda s, m: {"pk": s.session.pk}),
    "pathway:decisions": Endpoint(),
    "pathway:exit": Endpoint(kwargs=lambda s, m: {"pk": s.pathway.pk}),
    "pathway:end_early": Endpoint(kwargs=lambda s, m: {"pk": s.pathway.pk}),
    "pathway:statistics": Endpoint(),
    # The person's rights and retention (parcours.privacy).
    "privacy:archives": Endpoint(),
    "privacy:person": Endpoint(kwargs=person),
    "privacy:export_json": Endpoint(kwargs=person),
    "privacy:export_pdf": Endpoint(kwargs=person),
    "privacy:erase": Endpoint(kwargs=person),
    "privacy:reactivate": Endpoint(kwargs=person, post_only=True),
    # A partner's pages.
    "sharing:people": Endpoint(),
    "sharing:person": Endpoint(kwargs=person),
}

PATTERNS = dict(named_patterns())


def test_every_url_of_the_urlconf_is_declared():
    """A new page must be declared here (and so carry a rule of the table) before the matrix can pass."""
    assert sorted(set(PATTERNS) - set(ENDPOINTS)) == [], "URL names missing from ENDPOINTS"
    assert sorted(set(ENDPOINTS) - set(PATTERNS)) == [], "ENDPOINTS names no longer in the URLconf"
    undeclared_rule = [
        name for name, e in ENDPOINTS.items()
        if not e.public and getattr(PATTERNS[name].callback, "page_rule", None) not in PAGE_RULES
    ]  # fmt: skip
    assert undeclared_rule == []
    with_arguments = [name for name, pattern in PATTERNS.items() if pattern.pattern.converters]
    assert [n for n in with_arguments if ENDPOINTS[n].kwargs is None and not ENDPOINTS[n].public] == []


# --- Expectations and the fingerprint of the data -----------------------------------------------------------
def expected(name: str, persona: str, own: bool) -> frozenset[int]:
    endpoint = ENDPOINTS[name]
    role = PERSONAS[persona][1]
    if role not in PAGE_RULES[PATTERNS[name].callback.page_rule]:
        return FORBIDDEN
    if not own:
        return NOT_FOUND
    return frozenset(endpoint.special.get(persona, OK))


# The journal (a refusal is written to it), sessions, login throttling and tables nobody edits.
UNWATCHED = {"audit.accesslog", "audit.chainhead", "sessions.session", "contenttypes.contenttype",
             "auth.permission", "core.departement"}  # fmt: skip
UNWATCHED_APPS = {"axes", "dsfr"}


def fingerprint() -> str:
    """A digest of every row the application could change (the journal, which a refusal writes to, aside)."""
    digest = hashlib.sha256()
    for model in apps.get_models():
        meta = model._meta
        if meta.label_lower in UNWATCHED or meta.app_label in UNWATCHED_APPS or meta.proxy:
            continue
        rows = model._default_manager.order_by("pk").values_list()
        digest.update(f"{model._meta.label_lower}:{list(rows)!r}".encode())
    return digest.hexdigest()


def url_of(world, name: str, persona: str, own: bool) -> str:
    endpoint = ENDPOINTS[name]
    if endpoint.kwargs is None:
        return reverse(name)
    membership = world.personas[persona]
    side = PERSONAS[persona][0]
    objects = world.sides[side if own else OTHER[side]]
    return reverse(name, kwargs=endpoint.kwargs(objects, membership))


# What a form would send: enough for most forms of Parcours to be valid, were the POST not refused.
FORM = {"comment": "Commentaire fictif", "text": "Texte fictif", "name": "Nomfictif", "domain": "other",
        "held_on": "2025-03-03", "description": "Action fictive", "status": "done", "outcome": "accepted",
        "withdrawn_on": "2025-03-04", "purpose": "processing", "given_on": "2025-03-03",
        "confirm": "on"}  # fmt: skip


# --- The matrix --------------------------------------------------------------------------------------------
RULED = sorted(name for name, e in ENDPOINTS.items() if not e.public)


@pytest.mark.django_db
@pytest.mark.parametrize("name", RULED)
def test_each_role_gets_what_the_rule_table_and_the_visibility_rule_say(world, client, name):
    endpoint = ENDPOINTS[name]
    owners = (True, False) if endpoint.kwargs is not None else (True,)
    wrong = []
    for persona, membership in world.personas.items():
        client.force_login(membership.user)
        before, posted_any = fingerprint(), False
        for own in owners:
            url = url_of(world, name, persona, own)
            allowed = expected(name, persona, own)
            where = f"{persona} on {'own' if own else 'other'} object"
            response = client.get(url)
            got = response.status_code
            if endpoint.post_only:
                want = {405} if allowed != FORBIDDEN else {403, 405}
                if got not in want:
                    wrong.append(f"{where}: GET {got}, expected {sorted(want)}")
            elif got not in allowed:
                wrong.append(f"{where}: GET {got}, expected {sorted(allowed)}")
            elif got == 200 and endpoint.absent.get(persona):
                content = b"".join(response) if response.streaming else response.content
                shown = content.decode(errors="replace")
                wrong += [f"{where}: shows {text!r}" for text in endpoint.absent[persona] if text in shown]
            if allowed in (FORBIDDEN, NOT_FOUND):
                posted_any = True
                posted = client.post(url, FORM).status_code
                if posted not in allowed:
                    wrong.append(f"{where}: POST {posted}, expected {sorted(allowed)}")
        # The refused POSTs of this persona changed nothing (one digest per persona keeps the matrix fast).
        if posted_any and fingerprint() != before:
            wrong.append(f"{persona}: a refused POST changed the data")
    assert wrong == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(name for name, e in ENDPOINTS.items() if e.public))
def test_the_public_endpoints_answer_every_role_without_an_error(world, client, name):
    for membership in world.personas.values():
        client.force_login(membership.user)
        assert client.get(reverse(name)).status_code < 500
