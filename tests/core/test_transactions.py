"""Every service writes in one transaction: when it fails after a first write, nothing of it is left —
neither that write, nor the version taken for optimistic locking."""

import datetime as dt

import pytest

from parcours.accounts import mfa
from parcours.core import clock
from parcours.followup import services as followup
from parcours.followup.models import ActionItem, Note, NoteVersion
from parcours.pathway import transitions as t
from parcours.pathway.models import Commitment, Event
from parcours.people import services as people
from parcours.people.models import Person
from parcours.rights import services as rights
from parcours.rights.models import AfisFile

from ..conftest import complete_content

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 10)


class Crash(Exception):
    """A failure in the middle of a service (disk full, lost connection, a bug)."""


def crash(*args, **kwargs):
    raise Crash


@pytest.fixture(autouse=True)
def frozen_today():
    with clock.travel_to(TODAY):
        yield


@pytest.fixture
def person(personas):
    return personas.person(referent=personas.worker.user)


def test_a_note_correction_failing_after_keeping_the_old_wording_leaves_nothing(
    personas, person, monkeypatch
):
    note = followup.add_note(person, personas.worker, domain="health", held_on=TODAY, text="Premier texte")
    monkeypatch.setattr(Note, "save", crash)  # the old wording is already copied into NoteVersion
    with pytest.raises(Crash):
        followup.correct_note(note, personas.worker, domain="health", held_on=TODAY, text="Autre",
                              sensitive=False, expected_version=0)  # fmt: skip
    monkeypatch.undo()
    note.refresh_from_db()
    assert (note.text, note.version, NoteVersion.objects.count()) == ("Premier texte", 0, 0)


def test_a_request_edit_failing_after_rewriting_its_plan_leaves_the_draft_as_it_was(
    personas, person, monkeypatch
):
    req = t.open_request(person, "entry", personas.worker, complete_content())
    before = ([a.description for a in req.actions.all()], [c.text for c in req.commitments.all()])
    monkeypatch.setattr(Commitment.objects, "bulk_create", crash)  # after the situation and the actions
    with pytest.raises(Crash):
        changed = complete_content(situation="Nouvelle situation", actions=[], commitments=["Autre"])
        t.update_request(req, personas.worker, changed, expected_version=0)
    monkeypatch.undo()
    req.refresh_from_db()
    assert req.situation == "Situation fictive." and req.version == 0
    assert ([a.description for a in req.actions.all()], [c.text for c in req.commitments.all()]) == before
    assert not Event.objects.filter(action="update_request").exists()


def test_a_file_update_failing_while_saving_keeps_the_file_and_its_version(personas, person, monkeypatch):
    person.languages = "anglais"
    monkeypatch.setattr(Person, "save", crash)  # after the version was taken
    with pytest.raises(Crash):
        people.update_file(person, personas.worker, expected_version=0)
    monkeypatch.undo()
    saved = Person.objects.get(pk=person.pk)
    assert (saved.languages, saved.version) == ("", 0)


def test_an_action_update_failing_while_recording_its_history_leaves_nothing(personas, person, monkeypatch):
    item = followup.add_action(person, personas.worker, domain="french", description="Cours de français")
    monkeypatch.setattr(followup, "_snapshot", crash)  # after the action itself is saved
    with pytest.raises(Crash):
        followup.update_action(item, personas.worker, status="done", due_date=None, expected_version=0)
    monkeypatch.undo()
    item = ActionItem.objects.get(pk=item.pk)
    assert (item.status, item.version, item.changes.count()) == ("todo", 0, 1)


def test_an_afis_update_failing_while_saving_keeps_its_version(personas, person, monkeypatch):
    afis = rights.save_afis(person, personas.worker, rights.AfisDates(requested_on=dt.date(2026, 2, 2)))
    monkeypatch.setattr(AfisFile, "save", crash)
    with pytest.raises(Crash):
        rights.save_afis(person, personas.worker, rights.AfisDates(requested_on=dt.date(2026, 2, 2),
                         first_payment_on=dt.date(2026, 3, 1)), afis, expected_version=0)  # fmt: skip
    monkeypatch.undo()
    afis.refresh_from_db()
    assert (afis.first_payment_on, afis.version) == (None, 0)


def test_a_second_factor_reset_failing_midway_removes_no_device(personas, monkeypatch):
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_otp_webauthn.models import WebAuthnCredential

    user = personas.worker.user
    TOTPDevice.objects.create(user=user, name="Application", confirmed=True)
    monkeypatch.setattr(WebAuthnCredential.objects, "filter", crash)  # after the TOTP devices are deleted
    with pytest.raises(Crash):
        mfa.reset(user)
    monkeypatch.undo()
    assert TOTPDevice.objects.filter(user=user).count() == 1
