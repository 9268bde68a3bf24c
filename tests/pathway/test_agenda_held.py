"""A session's agenda lines are rendered once and held in the worker's memory (decision 0061): a change about
one of its people by anyone (a rename, an avis, a file sharing her identity index), a member appointed and
the quorum show on the next view; what none of them names waits for the held time; each reader has her own
lines; a held view reads less, and the lines stay out of Django's cache."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parcours.accounts.middleware import SESSION_KEY as MEMBERSHIP_KEY
from parcours.accounts.models import Organisation
from parcours.core import clock
from parcours.pathway import agenda_held, session_held
from parcours.pathway import commission as body
from parcours.pathway import transitions as t
from parcours.people import services as people_services

from ..conftest import complete_content, walk_to_avis
from ..factories import MembershipFactory
from ..tools import wait_until

pytestmark = pytest.mark.django_db

OPENED = dt.date(2025, 1, 6)
SESSION = dt.date(2025, 2, 3)
BEFORE = dt.date(2025, 1, 20)  # the views, before the session


@pytest.fixture
def session(personas):
    with clock.travel_to(OPENED):
        session = t.create_session(personas.secretariat, SESSION)
        for first, last, born in (("Ambrefictive", "Agendafictif", dt.date(1990, 4, 2)),
                                  ("Brunefictive", "Secondefictive", dt.date(1994, 9, 12))):  # fmt: skip
            person = personas.person(first_name=first, last_name=last, birth_date=born)
            req = t.open_request(person, "entry", personas.worker, complete_content(signed_on=OPENED))
            t.validate_request(req, personas.head)
            t.submit_request(req, personas.worker)
            t.schedule_request(req, session, personas.secretariat)
    return session


def agenda(client, session) -> str:
    response = client.get(reverse("pathway:session", args=[session.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index("<tbody>") : page.index("</tbody>")]


def person_of(session, last_name):
    return next(
        i.request.pathway.person
        for i in session.agenda.all()
        if i.request.pathway.person.last_name == last_name
    )


def test_a_rename_by_the_association_shows_on_the_secretariats_next_view(client, personas, session):
    client.force_login(personas.secretariat.user)
    with clock.travel_to(BEFORE):
        before = agenda(client, session)
        assert "AGENDAFICTIF" in before
        assert agenda(client, session) == before  # held (test_a_held_view_reads_less…)
        person = person_of(session, "Agendafictif")
        person.last_name = "Renommeefictive"
        people_services.update_file(person, personas.head)  # another organisation: the association
        after = agenda(client, session)
    assert "RENOMMEEFICTIVE" in after and "AGENDAFICTIF" not in after


def test_an_avis_recorded_shows_on_a_members_next_view(client, personas, session):
    client.force_login(personas.member.user)
    with clock.travel_to(SESSION):
        assert "Favorable" not in agenda(client, session)
        item = session.agenda.order_by("position").first()
        t.record_avis(item.request, session, "favourable", personas.secretariat)
        assert "Favorable" in agenda(client, session)


def delegate(personas, name, on):
    return body.appoint_member(
        personas.secretariat,
        body.MemberData(college="associations", name=name, function="Fonction fictive", appointed_on=on,
                        association=personas.association),
    )  # fmt: skip


def test_a_member_appointed_shows_her_recusal_on_the_next_view(client, personas, session):
    client.force_login(personas.secretariat.user)
    with clock.travel_to(BEFORE):
        assert "récusé" not in agenda(client, session)
        delegate(personas, "Fictive-Déléguée", dt.date(2024, 1, 1))
        assert agenda(client, session).count("récusé : Fictive-Déléguée") == 2


def test_a_member_replaced_shows_on_the_next_view(client, personas, session):
    """As many members as before, the quorum unchanged: the new member's name shows."""
    with clock.travel_to(BEFORE):
        first = delegate(personas, "Fictive-Déléguée", dt.date(2024, 1, 1))
        client.force_login(personas.secretariat.user)
        assert "récusé : Fictive-Déléguée" in agenda(client, session)
        body.end_member(first, personas.secretariat, BEFORE)
        delegate(personas, "Fictive-Remplaçante", BEFORE)
        lines = agenda(client, session)
    assert "récusé : Fictive-Remplaçante" in lines and "Fictive-Déléguée" not in lines


def test_a_nationality_corrected_by_the_association_shows_on_a_members_next_view(client, personas, session):
    """Nothing of the agenda's own rows moves (status, identity index): the journal's row about her does."""
    client.force_login(personas.member.user)
    with clock.travel_to(BEFORE):
        assert "Roumanie" not in agenda(client, session)
        person = person_of(session, "Agendafictif")
        person.nationality = "RO"
        people_services.update_file(person, personas.head)
        assert "Roumanie" in agenda(client, session)


@pytest.fixture
def twin_at_avis(personas):
    """The first person of the agenda known twice: another file, same name and birth date (the same identity
    index), with an earlier request that has its avis and awaits the préfet."""
    twin = personas.person(
        first_name="Ambrefictive", last_name="Agendafictif", birth_date=dt.date(1990, 4, 2)
    )
    return walk_to_avis(personas, twin, submitted_on=dt.date(2024, 11, 4), session_on=dt.date(2024, 12, 2))


def test_a_file_sharing_her_identity_shows_as_an_earlier_pathway_on_the_next_view(
    client, personas, twin_at_avis, session
):
    """The « earlier pathways here » come from her own file and from the files that share her identity index:
    the préfet's authorisation on such a file, journaled about that file only, shows on the next view."""
    assert twin_at_avis.pathway.person.identity_index == person_of(session, "Agendafictif").identity_index
    client.force_login(personas.secretariat.user)
    with clock.travel_to(BEFORE):
        assert "parcours antérieur ici" not in agenda(client, session)  # no period yet
    with clock.travel_to(dt.date(2024, 12, 9)):
        t.authorise(twin_at_avis, personas.agent, dt.date(2024, 12, 9))
    with clock.travel_to(BEFORE):
        assert "parcours antérieur ici" in agenda(client, session)


def test_a_file_that_stops_sharing_her_identity_leaves_the_earlier_pathways_on_the_next_view(
    client, personas, twin_at_avis, session
):
    """The twin file's birth date corrected: it no longer shares the person's identity index, and its own
    journal row, about the twin only, is the one that says so."""
    with clock.travel_to(dt.date(2024, 12, 9)):
        t.authorise(twin_at_avis, personas.agent, dt.date(2024, 12, 9))
    person = person_of(session, "Agendafictif")
    person.nationality = "RO"
    people_services.update_file(person, personas.head)  # the journal's last change of the set is hers
    client.force_login(personas.secretariat.user)
    with clock.travel_to(BEFORE):
        assert "parcours antérieur ici" in agenda(client, session)
        twin = twin_at_avis.pathway.person
        twin.birth_date = dt.date(1991, 4, 2)
        people_services.update_file(twin, personas.head)
        assert "parcours antérieur ici" not in agenda(client, session)


def test_the_session_day_opens_the_avis_on_the_held_lines(client, personas, session):
    client.force_login(personas.secretariat.user)
    with clock.travel_to(BEFORE):
        assert agenda(client, session).count("Avis à saisir à partir du 3 février 2025") == 2
    with clock.travel_to(SESSION):
        lines = agenda(client, session)
    assert "Avis à saisir" not in lines and lines.count('name="item') >= 4  # kind and reason, twice


def test_an_avis_refused_comes_back_with_its_error_and_is_not_held(client, personas, session):
    """A POST renders the lines from the data with the secretary's input and the error; the next view is
    not that page."""
    item = session.agenda.order_by("position").first()
    client.force_login(personas.secretariat.user)
    url = reverse("pathway:session", args=[session.pk])
    with clock.travel_to(SESSION):
        assert "doit être motivé" not in agenda(client, session)  # held from here
        posted = client.post(url, {"op": "avis", f"item{item.pk}-kind": "unfavourable",
                                   f"item{item.pk}-reason": ""}).content.decode()  # fmt: skip
        assert "doit être motivé" in posted[posted.index("<tbody>") : posted.index("</tbody>")]
        assert "doit être motivé" not in agenda(client, session)


def test_a_reader_who_switches_membership_in_her_session_gets_her_lines(client, personas, session):
    """The same user, in the same session, acting as secretary then as a commission member."""
    seat = MembershipFactory(user=personas.secretariat.user, organisation=personas.commission,
                             role="commission_member")  # fmt: skip
    client.force_login(personas.secretariat.user)
    with clock.travel_to(BEFORE):
        assert "AGENDAFICTIF" in agenda(client, session)
        stored = client.session
        stored[MEMBERSHIP_KEY] = seat.pk
        stored.save()
        lines = agenda(client, session)
    assert "AGENDAFICTIF" not in lines and "née en 1990" in lines


def test_what_no_journal_row_names_waits_for_the_held_time(client, personas, session, monkeypatch):
    """An association renamed behind the services (the journal names no person) shows within the held time."""
    # Long enough for the view to finish after holding on a loaded CI machine, short enough to wait for.
    monkeypatch.setattr(agenda_held, "HELD_SECONDS", 2.0)
    client.force_login(personas.secretariat.user)
    with clock.travel_to(BEFORE):
        assert "Association renommée fictive" not in agenda(client, session)
        Organisation.objects.filter(pk=personas.association.pk).update(name="Association renommée fictive")
        assert "Association renommée fictive" not in agenda(client, session)  # held
        wait_until(lambda: not len(agenda_held._held) and not len(session_held._held))
        assert "Association renommée fictive" in agenda(client, session)


def test_each_reader_has_her_own_lines(client, personas, session):
    """The secretariat reads the names; a commission member, after her, only the pseudonymised fields."""
    with clock.travel_to(BEFORE):
        client.force_login(personas.secretariat.user)
        assert "AGENDAFICTIF" in agenda(client, session)
        client.force_login(personas.member.user)
        lines = agenda(client, session)
    assert "AGENDAFICTIF" not in lines and "Ambrefictive" not in lines
    assert "née en 1990" in lines


def test_a_held_view_reads_less_and_its_lines_stay_out_of_the_cache(client, personas, session):
    from django.core.cache import cache

    client.force_login(personas.secretariat.user)
    with clock.travel_to(BEFORE):
        agenda(client, session)  # the site configuration cached
        agenda_held.forget()
        session_held.forget()
        with CaptureQueriesContext(connection) as computed:
            first = agenda(client, session)
        with CaptureQueriesContext(connection) as held:
            assert agenda(client, session) == first
    assert len(held) <= len(computed) - 4  # the agenda, its avis, recusals, earlier pathways, requests…
    assert "AGENDAFICTIF" in repr(agenda_held._held.values())
    stored = b"".join([*cache._cache.values(), *(key.encode() for key in cache._cache)]).lower()
    assert b"agendafictif" not in stored and b"ambrefictive" not in stored


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan (DATABASE_URL=postgres://…)")
def test_the_keys_people_are_read_by_their_indexes_not_the_whole_table(personas):
    """Decision 0066: the agenda's people and those sharing their identity index, bound as two arrays, are
    found through the primary key and the identity index (`= ANY(array)`, a BitmapOr) on every view. Written
    `IN (SELECT unnest(…)) OR …`, PostgreSQL read every file of the country (seen on the national dataset:
    the session page went from 55 to 23 requests a second)."""
    people = [personas.person(last_name=f"Planfictive-{n}") for n in range(3)]
    state = tuple((0, n, 0, "scheduled", p.pk, p.identity_index) for n, p in enumerate(people))
    agenda_held._statements.clear()
    expected = agenda_held.last_changes(state)
    assert [row[0] for row in expected] == sorted(p.pk for p in people)
    compiled = agenda_held._statements.get(("changes", True), lambda: None)
    params = compiled.bind(pks=[p.pk for p in people], indexes=[p.identity_index for p in people])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: the planner would read them all
        cursor.execute("EXPLAIN " + compiled.sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # Each array looked up in its index (a BitmapOr of the two), not a filter over every row of an index or
    # of the table. (The journal's subquery may filter the person's entries on their action, depending on
    # the journal's statistics at that point of the suite: not what this test is about.)
    assert "Index Cond: (id = ANY" in plan and "identity_index)::text = ANY" in plan, plan
    filters = [line for line in plan.splitlines() if "Filter:" in line]
    assert not any("ANY" in line or "identity_index" in line or "SubPlan" in line for line in filters), plan
    assert "Seq Scan on people_person" not in plan, plan
