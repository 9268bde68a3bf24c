"""A session page's whole main block is rendered once and held in the worker's memory (decision 0067): the
requests waiting for a session, their people's names, a convocation, the attendance and the session's details,
changed by another secretary or an association, show on the next view; every response carries its own CSRF
token, and the held block none."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from parcours.core import clock
from parcours.core.held import CSRF_SLOT
from parcours.pathway import commission as body
from parcours.pathway import session_held
from parcours.pathway import transitions as t
from parcours.people import services as people_services

from ..conftest import complete_content
from ..factories import MembershipFactory

pytestmark = pytest.mark.django_db

OPENED = dt.date(2025, 1, 6)
SESSION = dt.date(2025, 2, 3)
BEFORE = dt.date(2025, 1, 20)  # the views, before the session


def submitted(personas, last_name: str):
    person = personas.person(first_name="Attentefictive", last_name=last_name)
    req = t.open_request(person, "entry", personas.worker, complete_content(signed_on=OPENED))
    t.validate_request(req, personas.head)
    t.submit_request(req, personas.worker)
    return req


@pytest.fixture
def session(personas):
    with clock.travel_to(OPENED):
        session = t.create_session(personas.secretariat, SESSION)
        t.schedule_request(submitted(personas, "Inscritefictive"), session, personas.secretariat)
        session.waiting = submitted(personas, "Premierefictive")  # waiting for a session
    return session


@pytest.fixture
def colleague(personas):
    """A second secretary of the same commission: the reader, while personas.secretariat makes the changes
    (the reader's own changes would change her key anyway)."""
    return MembershipFactory(organisation=personas.secretariat.organisation, role="secretariat")


def main_block(client, session, query="") -> str:
    response = client.get(reverse("pathway:session", args=[session.pk]) + query)
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def held_view(client, session) -> str:
    first = main_block(client, session)
    assert without_tokens(main_block(client, session)) == without_tokens(first)  # held
    return first


def test_a_request_submitted_and_a_rename_show_in_the_waiting_list_on_the_next_view(
    client, personas, session, colleague
):
    client.force_login(colleague.user)
    with clock.travel_to(BEFORE):
        before = held_view(client, session)
        assert "Attentefictive PREMIEREFICTIVE" in before and "SECONDEFICTIVE" not in before
        submitted(personas, "Secondefictive")  # by the association
        after = main_block(client, session)
        assert "Attentefictive SECONDEFICTIVE" in after
        person = session.waiting.pathway.person
        person.last_name = "Renommeefictive"
        people_services.update_file(person, personas.head)
        renamed = main_block(client, session)
    assert "Attentefictive RENOMMEEFICTIVE" in renamed and "PREMIEREFICTIVE" not in renamed


def test_a_convocation_the_attendance_and_the_details_by_another_secretary_show_on_the_next_view(
    client, personas, session, colleague, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with clock.travel_to(BEFORE):
        member = body.appoint_member(personas.secretariat, body.MemberData(
            college="state", name="Fictif-Seul", function="Fonction fictive",
            appointed_on=dt.date(2024, 1, 1), email="seul@example.org",
        ))  # fmt: skip
        client.force_login(colleague.user)
        assert "Convocation envoyée le" not in held_view(client, session)
        body.send_convocation(session, personas.secretariat, "https://parcours.example.org/")
        assert len(mail.outbox) == 1
        assert "Convocation envoyée le 20 janvier 2025 à 1 adresse(s)." in main_block(client, session)
    with clock.travel_to(SESSION):
        client.force_login(colleague.user)
        assert "Présences non enregistrées" in held_view(client, session)
        body.record_attendance(session, personas.secretariat, {member.pk: ("absent", None)})
        after = main_block(client, session)
        assert "Quorum non atteint : 0 membres présents ou représentés sur 1" in after
        session.refresh_from_db()
        t.update_session(session, personas.secretariat, "Salle fictive du conseil", "",
                         expected_version=session.version)  # fmt: skip
        assert "Salle fictive du conseil" in main_block(client, session)


def test_each_response_carries_its_own_token_and_the_held_block_none(personas, session):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.secretariat.user)
    with clock.travel_to(BEFORE):
        pages = [main_block(client, session) for _ in range(2)]
        tokens = [set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', page)) for page in pages]
        assert all(len(found) == 1 for found in tokens) and tokens[0] != tokens[1]  # masked anew
        assert CSRF_SLOT not in pages[1] and CSRF_SLOT in repr(session_held._held.values())
        held = repr(session_held._held.values())
        assert not any(token in held for found in tokens for token in found)
        waiting = session.waiting
        response = client.post(reverse("pathway:session", args=[session.pk]), {
            "csrfmiddlewaretoken": tokens[1].pop(), "op": "schedule", "request_id": waiting.pk,
        })  # fmt: skip
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == "scheduled"


def test_all_the_waiting_requests_are_held_apart_from_the_first_ones(client, personas, session, monkeypatch):
    monkeypatch.setattr(session_held, "WAITING_SHOWN", 1)
    with clock.travel_to(BEFORE):
        submitted(personas, "Secondefictive")
        client.force_login(personas.secretariat.user)
        first = main_block(client, session)
        every = main_block(client, session, "?attente=toutes")
    assert "PREMIEREFICTIVE" in first and "SECONDEFICTIVE" not in first and "1 sur 2 affichées" in first
    assert "PREMIEREFICTIVE" in every and "SECONDEFICTIVE" in every


def test_a_block_built_on_held_lines_leaves_with_them(client, personas, session, colleague, monkeypatch):
    """What no key names (an association renamed behind the services) shows within the lines' held time, on
    every block built on them (found by the review of decision 0067: a block built later outlived them)."""
    from types import SimpleNamespace

    from parcours.accounts.models import Organisation
    from parcours.core import held

    now = [1000.0]
    monkeypatch.setattr(held, "time", SimpleNamespace(monotonic=lambda: now[0]))
    client.force_login(colleague.user)
    with clock.travel_to(BEFORE):
        main_block(client, session)  # the lines and the block held at t=0
        Organisation.objects.filter(pk=personas.association.pk).update(name="Association renommée fictive")
        now[0] += 200
        assert "Association renommée fictive" not in main_block(client, session, "?x=1")  # held lines
        now[0] += 150  # t=350: past the lines' 300 seconds
        assert "Association renommée fictive" in main_block(client, session)
        assert "Association renommée fictive" in main_block(client, session, "?x=1")


def test_the_visibility_rule_is_applied_on_every_view_of_a_held_page(client, personas, session):
    """The commission moved to another département behind the services' back (nothing the key names
    changed) leaves the préfecture without the session at once, not after the held time."""
    from parcours.accounts.models import Organisation

    from ..factories import departement

    client.force_login(personas.agent.user)
    with clock.travel_to(BEFORE):
        held_view(client, session)
        Organisation.objects.filter(pk=session.commission_id).update(departement=departement("75"))
        response = client.get(reverse("pathway:session", args=[session.pk]))
    assert response.status_code == 404


def test_a_member_appointed_while_the_block_is_computed_is_not_held_under_a_key_without_her(
    client, personas, session, colleague, monkeypatch
):
    """The members are loaded after the key read them: one appointed in between, then ended before the
    session's date (a correction), would bring the key back to what it was, and the block with her would be
    served again (found by the review of decision 0067). Such a block is shown, not held."""
    real, appointed = session_held._state, []

    def appointing_meanwhile(*args, **kwargs):
        found = real(*args, **kwargs)
        if not appointed:
            appointed.append(body.appoint_member(personas.secretariat, body.MemberData(
                college="associations", name="Fictive-Course", function="Fonction fictive",
                appointed_on=dt.date(2024, 1, 1), association=personas.association,
            )))  # fmt: skip
        return found

    client.force_login(colleague.user)
    with clock.travel_to(BEFORE):
        monkeypatch.setattr(session_held, "_state", appointing_meanwhile)
        assert "quorum de 1 membres sur 1" in main_block(client, session)  # computed with her
        monkeypatch.setattr(session_held, "_state", real)
        body.end_member(appointed[0], personas.secretariat, dt.date(2024, 1, 1))
        after = main_block(client, session)
    assert "quorum de 1 membres sur 1" not in after
    assert "La composition de la commission n" in after and "est pas enregistrée à cette date" in after
