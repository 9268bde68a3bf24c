"""The access matrix of the JSON API: every operation × every role that may hold a token × its scope × an
object of the caller's own side or of the other side, against a LITERAL table written below.

The table is not read from accounts/policy.py nor from the API: a change of who may read what through the
API is a reviewed diff of TABLE. The world has two sides (the Gard and the Bouches-du-Rhône), each with an
association, its commission, its préfecture and a person carried through request, session, avis, decision
and an appointment, built through the domain services.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import override_settings

from parcours.api import tokens
from parcours.api.models import ApiToken
from parcours.core import clock
from parcours.followup import services as followup
from parcours.pathway import transitions as t

from ..accounts.test_access_matrix import API, SNAPSHOT
from ..conftest import complete_content
from ..factories import (
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    commission,
    departement,
    prefecture,
)

# Operation: (method, path with {pk} for an object of the side, object attribute of the side or None).
OPERATIONS = {
    "api:people": ("GET", "/people", None),
    "api:person": ("GET", "/people/{pk}", "person"),
    "api:pathways": ("GET", "/pathways", None),
    "api:pathway": ("GET", "/pathways/{pk}", "pathway"),
    "api:requests": ("GET", "/requests", None),
    "api:request": ("GET", "/requests/{pk}", "request"),
    "api:sessions": ("GET", "/sessions", None),
    "api:session": ("GET", "/sessions/{pk}", "session"),
    "api:avis_list": ("GET", "/avis", None),
    "api:avis": ("GET", "/avis/{pk}", "avis"),
    "api:decisions": ("GET", "/decisions", None),
    "api:decision": ("GET", "/decisions/{pk}", "decision"),
    "api:appointments": ("GET", "/appointments", None),
    "api:appointments_create": ("POST", "/appointments", None),
    "api:appointment": ("GET", "/appointments/{pk}", "appointment"),
    "api:statistics": ("GET", "/statistics", None),
}

# Status of each operation for each role, with a token carrying every scope her role may take, on an object
# of her own side. SW social worker (the person's referent), HS head of service, SE secretariat, CM
# commission member, PA préfecture agent, NA national administration.
TABLE = """
operation                SW   HS   SE   CM   PA   NA
api:people               200  200  200  403  200  403
api:person               200  200  200  403  200  403
api:pathways             200  200  200  403  200  403
api:pathway              200  200  200  403  200  403
api:requests             200  200  200  200  200  403
api:request              200  200  200  200  200  403
api:sessions             403  403  200  200  200  403
api:session              403  403  200  200  200  403
api:avis_list            200  200  200  200  200  403
api:avis                 200  200  200  200  200  403
api:decisions            200  200  200  403  200  403
api:decision             200  200  200  403  200  403
api:appointments         200  200  403  403  403  403
api:appointments_create  201  201  403  403  403  403
api:appointment          200  200  403  403  403  403
api:statistics           403  200  200  403  200  200
"""
ROLES = {"SW": "social_worker", "HS": "head_of_service", "SE": "secretariat", "CM": "commission_member",
         "PA": "prefecture_agent", "NA": "national_admin"}  # fmt: skip
# The resource (scope) of each operation, and whether it writes.
SCOPE = {"api:people": "people", "api:person": "people", "api:pathways": "pathways",
         "api:pathway": "pathways", "api:requests": "requests", "api:request": "requests",
         "api:sessions": "sessions",
         "api:session": "sessions", "api:avis_list": "avis", "api:avis": "avis", "api:decisions": "decisions",
         "api:decision": "decisions", "api:appointments": "appointments",
         "api:appointments_create": "appointments", "api:appointment": "appointments",
         "api:statistics": "statistics"}  # fmt: skip
WRITES = {"api:appointments_create"}


def expected() -> dict:
    lines = [line.split() for line in TABLE.strip().splitlines()]
    codes = lines[0][1:]
    return {(row[0], code): int(v) for row in lines[1:] for code, v in zip(codes, row[1:], strict=True)}


EXPECTED = expected()


def test_the_table_covers_every_operation_of_the_api():
    """Every API URL of the access matrix's snapshot (every pattern of the URLconf) is in this table."""
    api_names = sorted(name for name, entry in SNAPSHOT.items() if entry == API)
    assert api_names == sorted(OPERATIONS) == sorted({name for name, _code in EXPECTED})


# --- The world -------------------------------------------------------------------------------------------
def raw_token(membership, read, write=()):
    """A token row with exactly these scopes (the service refuses a token without any): for scope tests."""
    secret = tokens.SECRET_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=membership.user, membership=membership, name="Jeton de test", prefix=secret[:12],
        digest=hashlib.sha256(secret.encode()).hexdigest(), read_scopes=list(read), write_scopes=list(write),
        expires_at=clock.now() + dt.timedelta(days=30),
    )  # fmt: skip
    return secret


def build_side(code: str, name: str) -> SimpleNamespace:
    s = SimpleNamespace()
    s.association = OrganisationFactory(name=f"Association fictive {name}", departement=departement(code))
    national = OrganisationFactory(kind="national", name=f"Administration fictive {name}", departement=None)
    org = {"social_worker": s.association, "head_of_service": s.association, "secretariat": commission(code),
           "commission_member": commission(code), "prefecture_agent": prefecture(code),
           "national_admin": national}  # fmt: skip
    s.members = {
        role: MembershipFactory(organisation=o, role=role, user__username=f"api-{role}-{name}")
        for role, o in org.items()
    }
    worker, head = s.members["social_worker"], s.members["head_of_service"]
    secretariat, agent = s.members["secretariat"], s.members["prefecture_agent"]
    with clock.travel_to(dt.date(2025, 1, 6)):
        s.person = PersonFactory(association=s.association, referent=worker.user, last_name=f"Nomapi{name}")
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
    s.avis = s.request.avis.get()
    s.decision = s.request.decision
    start = clock.now().replace(microsecond=0) + dt.timedelta(days=2)
    s.appointment = followup.schedule_appointment(
        s.person, worker, worker=worker.user, starts_at=start, ends_at=start + dt.timedelta(hours=1),
        purpose="health", place="Locaux de l'association",
    )  # fmt: skip
    # Each role's token: every scope her role may take, in reading and (appointments) in writing.
    s.tokens = {
        code: tokens.create_token(
            m, name="Outil fictif", read=tokens.resources_for(m), write=tokens.writable_for(m),
            expires_on=clock.today() + dt.timedelta(days=30),
        )[1]
        for code, m in ((c, s.members[r]) for c, r in ROLES.items())
    }  # fmt: skip
    return s


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast, PARCOURS_API_CALLS_PER_MINUTE=10_000),
        transaction.atomic(),
    ):
        yield {"A": build_side("30", "gard"), "B": build_side("13", "bdr")}
        transaction.set_rollback(True)


def call(client, secret, name, side, *, other=None):
    """Call operation `name` with an object of `side` (or, for a list, the list; for the creation, a new
    appointment for the person of `side`)."""
    method, path, attribute = OPERATIONS[name]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    if attribute:
        path = path.format(pk=getattr(side, attribute).pk)
    if method == "POST":
        start = clock.now().replace(microsecond=0) + dt.timedelta(days=3)
        body = {"person_id": side.person.pk, "starts_at": start.isoformat(),
                "ends_at": (start + dt.timedelta(hours=1)).isoformat(), "purpose": "housing"}  # fmt: skip
        return client.post(f"/api/v1{path}", body, content_type="application/json", **headers)
    params = {"year": 2025} if name == "api:statistics" else {}
    return client.get(f"/api/v1{path}", params, **headers)


# --- The matrix --------------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_each_role_gets_what_the_table_says_on_its_side_and_404_on_the_other(world, client, name):
    wrong = []
    _method, _path, attribute = OPERATIONS[name]
    for code in ROLES:
        own, other = world["A"], world["B"]
        response = call(client, own.tokens[code], name, own)
        want = EXPECTED[(name, code)]
        if response.status_code != want:
            wrong.append(f"{code} own: {response.status_code}, expected {want}")
        body = response.json()
        if want in (403, 404) and set(body) != {"detail"}:
            wrong.append(f"{code} own: refusal body {body}")
        if want == 200 and attribute and body["id"] != getattr(own, attribute).pk:
            wrong.append(f"{code} own: wrong object {body['id']}")
        if want == 200 and not attribute and name != "api:statistics":
            ids = {r["id"] for r in body["results"]}
            other_ids = _ids_of_side(other, name)
            if ids & other_ids:
                wrong.append(f"{code}: the list shows objects of the other side {ids & other_ids}")
            if not ids & _ids_of_side(own, name):
                wrong.append(f"{code}: the list misses the object of her side")
        if attribute or name == "api:appointments_create":
            # An object of the other side: 404 for a role allowed the operation (never 403: it would confirm
            # that the object exists), the same 403 as on her own side otherwise.
            answer = call(client, own.tokens[code], name, other)
            other_want = 404 if want in (200, 201) else want
            if answer.status_code != other_want:
                wrong.append(f"{code} other: {answer.status_code}, expected {other_want}")
            if other.person.last_name in answer.content.decode():
                wrong.append(f"{code} other: shows the other person's name")
    assert wrong == [], "\n".join(wrong)


def _ids_of_side(side, name) -> set:
    attribute = {"api:people": "person", "api:pathways": "pathway", "api:requests": "request",
                 "api:sessions": "session", "api:avis_list": "avis", "api:decisions": "decision",
                 "api:appointments": "appointment"}.get(name)  # fmt: skip
    return {getattr(side, attribute).pk} if attribute else set()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_a_token_without_the_scope_of_the_operation_is_refused(world, client, name):
    """For every role allowed the operation: a token with every other scope of her role, not this one, gets
    403 with a French message (and a read-only token cannot create)."""
    wrong = []
    side = world["A"]
    for code, role in ROLES.items():
        if EXPECTED[(name, code)] not in (200, 201):
            continue
        m = side.members[role]
        resource = SCOPE[name]
        if name in WRITES:
            secret = raw_token(m, read=tokens.resources_for(m), write=[])
            message = "Ce jeton ne permet pas l'écriture sur cette ressource."
        else:
            secret = raw_token(m, read=[r for r in tokens.resources_for(m) if r != resource])
            message = "Ce jeton ne permet pas la lecture de cette ressource."
        response = call(client, secret, name, side)
        if (response.status_code, response.json()) != (403, {"detail": message}):
            wrong.append(f"{code}: {response.status_code} {response.content[:200]!r}")
    assert wrong == [], "\n".join(wrong)


@pytest.mark.django_db
def test_commission_members_read_requests_pseudonymised(world, client):
    side = world["A"]
    response = call(client, side.tokens["CM"], "api:request", side)
    person = response.json()["person"]
    assert person == {"reference": side.person.reference, "initials": side.person.initials,
                      "birth_year": 1995, "nationality": "NG", "id": None, "first_name": None,
                      "last_name": None}  # fmt: skip
    assert side.person.last_name not in response.content.decode()
    # The secretariat, who instructs the request, reads who she is.
    named = call(client, side.tokens["SE"], "api:request", side).json()["person"]
    assert (named["id"], named["last_name"]) == (side.person.pk, side.person.last_name)


@pytest.mark.django_db
def test_only_the_association_that_follows_her_reads_her_referent(world, client):
    side = world["A"]
    worker = side.members["social_worker"]
    assert call(client, side.tokens["SW"], "api:person", side).json()["referent_id"] == worker.user_id
    assert call(client, side.tokens["PA"], "api:person", side).json()["referent_id"] is None
