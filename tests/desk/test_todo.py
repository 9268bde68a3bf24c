"""The association's to-do page stays bounded (issue 15): sections show 20 lines with « Voir tout », only the
pathways that can be due are loaded, and the number of queries does not grow with the association."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parcours.core import clock
from parcours.desk import todo_held
from parcours.pathway import transitions as t

from ..conftest import complete_content, pathway_in_state, request_in_state
from ..factories import MembershipFactory

pytestmark = pytest.mark.django_db

DRAFTS = "Brouillons en cours de préparation (pas encore soumis à la validation)"
RENEWALS = "Renouvellements à préparer"


def section(page: str, title: str) -> str:
    """The HTML of the section whose heading starts with `title`."""
    start = page.index(title)
    end = page.find("<section", start)
    return page[start : end if end != -1 else len(page)]


def todo_page(client, membership, **params) -> str:
    client.force_login(membership.user)
    response = client.get(reverse("pathway:todo"), params)
    assert response.status_code == 200
    return response.content.decode()


def drafts(personas, count: int) -> None:
    for n in range(count):
        person = personas.person(first_name="Prénomfictif", last_name=f"Brouillon-{n:03d}")
        t.open_request(person, "entry", personas.worker, complete_content())


def test_a_section_shows_twenty_lines_and_a_link_to_all_of_them(client, personas):
    drafts(personas, 53)
    page = section(todo_page(client, personas.worker), DRAFTS)
    assert '<span class="fr-badge fr-badge--sm fr-badge--no-icon">53</span>' in page
    assert len(re.findall(r"BROUILLON-\d{3}", page)) == 20
    assert "20 sur 53 affichées." in page
    assert 'href="?tout=1#a-faire-' in page

    everything = section(todo_page(client, personas.worker, tout="1"), DRAFTS)
    assert sorted(re.findall(r"BROUILLON-\d{3}", everything)) == [f"BROUILLON-{n:03d}" for n in range(53)]
    assert "affichées" not in everything


def test_a_short_section_has_no_link(client, personas):
    drafts(personas, 2)
    page = section(todo_page(client, personas.worker), DRAFTS)
    assert len(re.findall(r"BROUILLON-\d{3}", page)) == 2
    assert "Voir tout" not in page


@pytest.mark.parametrize(
    ("day", "listed"),
    # First period 10 February - 9 August 2025: the renewal is due two months before its end, 9 June 2025,
    # and the section lists what falls due within 31 days: from 9 May on.
    [(dt.date(2025, 3, 1), False), (dt.date(2025, 5, 8), False), (dt.date(2025, 5, 9), True),
     (dt.date(2025, 8, 1), True)],
)  # fmt: skip
def test_a_renewal_appears_31_days_before_it_is_due_and_not_before(client, personas, day, listed):
    pathway_in_state(personas, "active", person=personas.person(first_name="Iris", last_name="Renouvelle"))
    with clock.travel_to(day):
        page = section(todo_page(client, personas.worker), RENEWALS)
    assert ("Iris RENOUVELLE" in page) is listed
    if listed:
        assert "9 juin 2025" in page


def todo_queries(client, membership) -> int:
    client.force_login(membership.user)
    client.get(reverse("pathway:todo"))  # the first page fills the cached site configuration
    todo_held.forget()  # the page computed, not read from memory (tests/desk/test_todo_held.py)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("pathway:todo")).status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_association(client, personas):
    for status in ("draft", "ready", "validated", "scheduled", "adjourned"):
        request_in_state(personas, status)
    pathway_in_state(personas, "lapsed")
    small = todo_queries(client, personas.worker)
    for n in range(60):
        personas.person(last_name=f"Grande-{n:02d}")
    drafts(personas, 12)
    for status in ("draft", "ready", "validated", "scheduled", "adjourned", "avis_given"):
        request_in_state(personas, status)
    for status in ("lapsed", "active", "exited", "refused"):
        pathway_in_state(personas, status)
    assert todo_queries(client, personas.worker) == small


def test_a_social_worker_sees_her_people_and_those_of_nobody_unless_she_asks_for_the_whole_team(
    client, personas
):
    colleague = MembershipFactory(organisation=personas.association, role="social_worker")
    for name, referent in (
        ("Mienne", personas.worker.user),
        ("Personne", None),
        ("Collegue", colleague.user),
    ):
        person = personas.person(first_name="Prénomfictif", last_name=name, referent=referent)
        t.open_request(person, "entry", personas.worker, complete_content())

    def names(page):
        return sorted(re.findall(r"MIENNE|PERSONNE|COLLEGUE", section(page, DRAFTS)))

    mine = todo_page(client, personas.worker)
    assert names(mine) == ["MIENNE", "PERSONNE"]
    assert '<a class="fr-link" href="?equipe=1">Voir toute l\'association</a>' in mine
    team = todo_page(client, personas.worker, equipe="1")
    assert names(team) == ["COLLEGUE", "MIENNE", "PERSONNE"]
    assert names(todo_page(client, colleague)) == ["COLLEGUE", "PERSONNE"]
    head = todo_page(client, personas.head)
    assert names(head) == ["COLLEGUE", "MIENNE", "PERSONNE"]
    assert "equipe=1" not in head  # the head of service always sees the whole association
