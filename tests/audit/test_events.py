"""Issue 7, finding 4: a change could be saved without its journal row, and rows named a URL, not an event.

Domain services now write one semantic row (audit.log.record_event) inside their own transaction: the change
and its row commit together, or neither does. The rows are read back with SQL (not through the model's code).
Before: the middleware wrote the row after the view returned, outside the service's transaction; a service
called from a job, a command or a shell left no row at all, and a failing journal insert left the change
saved (test_a_failing_journal_insert_rolls_the_change_back failed: the note stayed).
"""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from parcours.audit import chain, log
from parcours.audit.events import EVENTS
from parcours.core import clock
from parcours.followup import services as followup
from parcours.followup.models import Note
from parcours.pathway import transitions as t
from parcours.people import services as people
from parcours.people.models import OtherName, Person
from parcours.records import services as records
from parcours.rights import services as rights

from ..conftest import complete_content

TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def frozen_today():
    with clock.travel_to(dt.datetime(2026, 3, 10, 10, 0, tzinfo=clock.PARIS)):
        yield


def last_seq() -> int:
    with connection.cursor() as c:
        c.execute("SELECT COALESCE(MAX(seq), 0) FROM audit_accesslog")
        return c.fetchone()[0]


def events_since(seq: int) -> list[tuple]:
    with connection.cursor() as c:
        c.execute(
            "SELECT event, action, person_id, user_id, organisation_id FROM audit_accesslog "
            "WHERE seq > %s ORDER BY seq",
            [seq],
        )
        return c.fetchall()


@pytest.fixture
def person(personas):
    return personas.person(referent=personas.worker.user)


def _note(personas, person):
    return followup.add_note(
        person, personas.worker, domain="health", held_on=TODAY, text="Entretien fictif."
    )


def _create_person(p, person):
    new = Person(first_name="Prénomneuf", last_name="Nomneuf", birth_date=dt.date(1990, 1, 2),
                 departement_id="30")  # fmt: skip
    return people.create_person(p.worker, new, distinct_confirmed=True)


def _refer(p, person):
    return followup.refer(person, p.worker, partner_name="CIDFF fictif", reason="Droits", domain="rights",
                          referred_on=TODAY, oral_agreement=True)  # fmt: skip


# Each case: the event expected, and the service call that must write it.
CASES = {
    "person.create": _create_person,
    "person.update": lambda p, person: people.update_file(person, p.worker),
    "other_name.add": lambda p, person: people.add_other_name(person, p.worker, "Aliasfictif"),
    "consent.record": lambda p, person: people.record_consent(
        person, p.worker, purpose="processing", given_on=TODAY
    ),
    "note.create": _note,
    "action.create": lambda p, person: followup.add_action(
        person, p.worker, domain="health", description="Action fictive"
    ),
    "referral.create": _refer,
    "life_story.save": lambda p, person: records.save_life_story(
        person, p.worker, "Récit fictif.", based_on=0
    ),
    "afis.save": lambda p, person: rights.save_afis(person, p.worker, rights.AfisDates(TODAY)),
    "request.open": lambda p, person: t.open_request(person, "entry", p.worker, complete_content()),
}


@pytest.mark.django_db
@pytest.mark.parametrize("event", list(CASES))
def test_a_service_change_has_exactly_one_row_with_its_event(personas, person, event):
    before = last_seq()
    result = CASES[event](personas, person)
    person_id = result.pk if event == "person.create" else person.pk
    rows = events_since(before)
    assert rows == [
        (event, str(EVENTS[event][0]), person_id, personas.worker.user.pk, personas.association.pk)
    ]


@pytest.mark.django_db
def test_follow_up_changes_each_have_their_event(personas, person):
    note = _note(personas, person)
    item = followup.add_action(person, personas.worker, domain="health", description="Action fictive")
    other = people.add_other_name(person, personas.worker, "Aliasfictif")
    consent = people.record_consent(person, personas.worker, purpose="processing", given_on=TODAY)
    before = last_seq()
    followup.correct_note(note, personas.worker, domain="health", held_on=TODAY, text="Corrigé.",
                          sensitive=False)  # fmt: skip
    followup.update_action(item, personas.worker, status="done", due_date=None)
    people.remove_other_name(other, personas.worker)
    people.withdraw_consent(consent, personas.worker)
    assert [(r[0], r[2]) for r in events_since(before)] == [
        ("note.update", person.pk),
        ("action.update", person.pk),
        ("other_name.remove", person.pk),
        ("consent.withdraw", person.pk),
    ]
    assert not OtherName.objects.filter(pk=other.pk).exists()


@pytest.mark.django_db
def test_the_pathway_journey_writes_one_event_per_step_by_its_author(personas, person):
    before = last_seq()
    with clock.travel_to(dt.datetime(2026, 1, 5, 10, 0, tzinfo=clock.PARIS)):
        req = t.open_request(
            person, "entry", personas.worker, complete_content(signed_on=dt.date(2026, 1, 5))
        )
        t.validate_request(req, personas.head)
        t.submit_request(req, personas.worker)
        session = t.create_session(personas.secretariat, dt.date(2026, 2, 2))
        t.schedule_request(req, session, personas.secretariat)
    with clock.travel_to(dt.datetime(2026, 2, 2, 15, 0, tzinfo=clock.PARIS)):
        t.record_avis(req, session, "favourable", personas.secretariat)
    with clock.travel_to(dt.datetime(2026, 2, 9, 10, 0, tzinfo=clock.PARIS)):
        t.authorise(req, personas.agent, dt.date(2026, 2, 9))
    rows = events_since(before)
    assert [(r[0], r[2], r[3]) for r in rows] == [
        ("request.open", person.pk, personas.worker.user.pk),
        ("request.validate", person.pk, personas.head.user.pk),
        # the validated plan's action reaches the action plan, in the validation (issue 8, point 7)
        ("action.create", person.pk, personas.head.user.pk),
        ("request.submit", person.pk, personas.worker.user.pk),
        ("session.create", None, personas.secretariat.user.pk),
        ("request.schedule", person.pk, personas.secretariat.user.pk),
        ("avis.record", person.pk, personas.secretariat.user.pk),
        ("decision.authorise", person.pk, personas.agent.user.pk),
    ]
    assert chain.verify_chain() is None


@pytest.mark.django_db
def test_a_failing_journal_insert_rolls_the_change_back(personas, person, monkeypatch):
    """The journal insert fails inside the service: the note is not saved either."""

    def broken_append(**fields):
        raise DatabaseError("journal indisponible")

    monkeypatch.setattr(chain, "append", broken_append)
    with pytest.raises(DatabaseError):
        _note(personas, person)
    assert not Note.objects.filter(person=person).exists()
    with pytest.raises(DatabaseError):
        people.add_other_name(person, personas.worker, "Aliasfictif")
    assert not OtherName.objects.filter(person=person).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failing_journal_insert_rolls_the_change_back_for_real(personas, person, monkeypatch):
    """Same, with real commits (no test transaction around): nothing of the change reaches the database."""
    real_append = chain.append

    def append_then_fail(**fields):
        real_append(**fields)
        raise DatabaseError("journal indisponible après l'insertion")

    monkeypatch.setattr(chain, "append", append_then_fail)
    before = last_seq()
    with pytest.raises(DatabaseError):
        _note(personas, person)
    assert not Note.objects.filter(person=person).exists() and events_since(before) == []


def test_record_event_outside_a_transaction_is_refused(db, personas):
    # The test's own transaction is the one around it; check the guard with the connection's flag forced.
    connection.in_atomic_block, saved = False, connection.in_atomic_block
    try:
        with pytest.raises(log.JournalOutsideTransactionError):
            log.record_event(personas.worker, "note.create", 1, person_id=1)
    finally:
        connection.in_atomic_block = saved


@pytest.mark.django_db
def test_unknown_events_and_names_are_refused(personas):
    with transaction.atomic():
        with pytest.raises(ValueError, match="Événement inconnu"):
            log.record_event(personas.worker, "note.read_aloud", 1, person_id=1)
        with pytest.raises(ValueError, match="clé numérique"):
            log.record_event(personas.worker, "note.create", 1, person_id="Nomfictif")


@pytest.mark.django_db
def test_a_change_through_a_page_is_journalled_once_with_its_address(client, personas, person):
    """The service's row carries the request's address and page (RequestContextMiddleware); the middleware
    no longer adds a second, URL-named row for the same POST."""
    client.force_login(personas.worker.user)
    before = last_seq()
    response = client.post(f"/suivi/personnes/{person.pk}/entretiens/", {
        "domain": "health", "held_on": TODAY.isoformat(), "text": "Entretien fictif.",
    })  # fmt: skip
    assert response.status_code in (200, 302)
    with connection.cursor() as c:
        c.execute(
            "SELECT event, ip, path, person_id FROM audit_accesslog WHERE seq > %s ORDER BY seq", [before]
        )
        rows = c.fetchall()
    assert rows == [("note.create", "127.0.0.1", f"/suivi/personnes/{person.pk}/entretiens/", person.pk)]


@pytest.mark.django_db
def test_the_journal_page_says_what_happened(client, personas, person):
    _note(personas, person)
    client.force_login(personas.head.user)
    page = client.get("/journal/").content.decode()
    assert "A rédigé une note de suivi" in page and "note n°" in page


def test_every_event_maps_to_a_known_action_and_a_french_label():
    from parcours.audit.models import Action

    for code, (action, label) in EVENTS.items():
        assert action in Action.values and str(label).startswith("a "), code


@pytest.mark.django_db
def test_the_hand_off_for_validation_writes_its_own_event(personas, person):
    """Issue 8, point 3: the worker's « Soumettre à la validation » and « Reprendre la demande » are steps of
    the journal, each by its author. Before, neither service nor event type existed."""
    req = t.open_request(person, "entry", personas.worker, complete_content())
    before = last_seq()
    t.submit_for_validation(req, personas.worker)
    t.take_back_request(req, personas.worker)
    t.submit_for_validation(req, personas.worker)
    t.validate_request(req, personas.head)
    assert [(r[0], r[1], r[2], r[3]) for r in events_since(before)] == [
        ("request.submit_for_validation", "update", person.pk, personas.worker.user.pk),
        ("request.take_back", "update", person.pk, personas.worker.user.pk),
        ("request.submit_for_validation", "update", person.pk, personas.worker.user.pk),
        ("request.validate", "update", person.pk, personas.head.user.pk),
        # The validation copies the request's planned actions into the action plan (issue 8, point 7).
        *[("action.create", "create", person.pk, personas.head.user.pk)] * len(complete_content().actions),
    ]
