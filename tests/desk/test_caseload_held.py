"""The caseload's lines are rendered once and held in the worker's memory (decision 0060): a step of a
pathway by anyone and a change of a person show on the next view; what neither names waits for the held
time; a held view reads less, and the lines stay out of Django's cache."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parcours.core import clock
from parcours.core.dates import date_format
from parcours.desk import caseload_held
from parcours.pathway import commission as body
from parcours.pathway import transitions as t
from parcours.pathway.models import CommissionSession
from parcours.people import services as people_services

from ..conftest import request_in_state, scheduled_without_quorum, walk_to_avis
from ..tools import wait_until

pytestmark = pytest.mark.django_db

CASELOAD = reverse("people:caseload")


def line_of(client, person) -> str:
    response = client.get(CASELOAD)
    assert response.status_code == 200
    page = response.content.decode()
    found = re.search(rf'<tr>\s*<td><a href="/personnes/{person.pk}/">.*?</tr>', page, re.S)
    assert found, "no line for the person"
    return found.group(0)


def lines(client) -> str:
    page = client.get(CASELOAD).content.decode()
    return page[page.index("<tbody>") : page.index("</tbody>")]


def test_the_prefets_decision_shows_on_the_next_view(client, personas):
    person = personas.person(last_name="Décisionfictive")
    with clock.travel_to(dt.date(2026, 3, 2)):
        req = walk_to_avis(personas, person, submitted_on=dt.date(2026, 2, 9), session_on=dt.date(2026, 3, 2))
        client.force_login(personas.worker.user)
        assert "Demande en préparation" in line_of(client, person)
        assert "Demande en préparation" in line_of(client, person)  # held
        t.authorise(req, personas.agent, dt.date(2026, 3, 2))  # the préfecture, not the reader
        assert "En cours" in line_of(client, person)


def test_a_colleagues_edit_of_the_person_shows_on_the_next_view(client, personas):
    person = personas.person(first_name="Prénomfictif", last_name="Avantfictif")
    client.force_login(personas.worker.user)
    assert "AVANTFICTIF" in line_of(client, person)
    person.last_name = "Aprèsfictif"
    people_services.update_file(person, personas.head)
    assert "APRÈSFICTIF" in line_of(client, person)


def test_a_session_reconvened_shows_its_new_date_on_the_next_view(client, personas):
    """`commission.reconvene` moves the agenda of a session without quorum to a later session: one step per
    request moved, so the lines show the new date at once."""
    req, session = scheduled_without_quorum(personas, "Reportfictive")
    person = req.pathway.person
    client.force_login(personas.worker.user)
    before = line_of(client, person)
    later = session.date + dt.timedelta(days=14)
    with clock.travel_to(session.date):
        body.reconvene(session, personas.secretariat, later)
    after = line_of(client, person)
    assert after != before
    assert date_format(later, "j F Y") in after or date_format(later, "d/m/Y") in after


def test_what_no_step_names_waits_for_the_held_time(client, personas, monkeypatch):
    """A session's date changed behind the steps (no service does it: a correction made in the database)
    changes the next deadline of its requests' lines within the held time."""
    # Long enough for the view to finish after holding on a loaded CI machine, short enough to wait for.
    monkeypatch.setattr(caseload_held, "HELD_SECONDS", 2.0)
    req = request_in_state(personas, "scheduled", person=personas.person(last_name="Séancefictive"))
    person = req.pathway.person
    client.force_login(personas.worker.user)
    before = line_of(client, person)
    session = req.agenda_items.get().session
    CommissionSession.objects.filter(pk=session.pk).update(date=session.date + dt.timedelta(days=7))
    assert line_of(client, person) == before
    wait_until(lambda: not len(caseload_held._held))
    assert line_of(client, person) != before


def test_a_held_view_reads_less_and_its_lines_stay_out_of_the_cache(client, personas):
    from django.core.cache import cache

    for n in range(5):
        request_in_state(personas, "authorised", person=personas.person(last_name=f"Lignefictive-{n}"))
    client.force_login(personas.worker.user)
    client.get(CASELOAD)  # the site configuration and the order cached
    caseload_held.forget()
    with CaptureQueriesContext(connection) as computed:
        first = lines(client)
    with CaptureQueriesContext(connection) as held:
        assert lines(client) == first
    assert len(held) <= len(computed) - 4  # the people, their pathways, periods, requests and sessions
    assert "LIGNEFICTIVE-0" in repr(caseload_held._held.values())
    stored = b"".join([*cache._cache.values(), *(key.encode() for key in cache._cache)]).lower()
    assert b"lignefictive" not in stored


def test_the_held_block_follows_the_page_the_search_the_filter_and_the_count(client, personas):
    """The whole main block is held (decision 0066): the form's values, the count and the pagination are
    those of the view's own parameters and of the people found now."""
    from ..factories import PersonFactory

    PersonFactory.create_batch(51, association=personas.association)
    client.force_login(personas.worker.user)

    def main(query="") -> str:
        page = client.get(CASELOAD + query).content.decode()
        return page[page.index("<h1") : page.index("</main>")]

    first = main()
    assert "51 personnes" in first and "1 / 2" in first
    assert main() == first  # held
    second = main("?page=2")
    assert "2 / 2" in second and second.count("<tr>") == 1 + 1  # the header's row and the 51st person
    assert 'value="Zzfictif"' in main("?q=Zzfictif") and "Aucune personne" in main("?q=Zzfictif")
    assert "selected" in main("?statut=none").split('value="none"')[1][:12]
    personas.person(last_name="Nouvellefictive")
    assert "52 personnes" in main()
