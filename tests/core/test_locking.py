"""No lost work: on every edit form, two editors open the same object and both save; the second one gets a
clear conflict (her input kept, the values saved meanwhile shown), and the database holds the first one's
values. Saving again from the conflict page is deliberate and goes through."""

import datetime as dt
import html
import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from parcours.core import clock, locking
from parcours.followup import services as followup
from parcours.followup.models import ActionItem, Appointment, Note, Referral
from parcours.pathway import transitions as t
from parcours.pathway.models import CommissionSession, PathwayRequest
from parcours.people import services as people
from parcours.people.models import Consent, Person
from parcours.rights import services as rights
from parcours.rights.models import AfisFile, ApsFile

from ..conftest import complete_content
from ..factories import MembershipFactory
from ..people.test_situation import form_data

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 10)
CONFLICT = "Modification simultanée : rien n'a été enregistré"


@pytest.fixture(autouse=True)
def frozen_today():
    with clock.travel_to(TODAY):
        yield


@pytest.fixture
def person(personas):
    return personas.person(referent=personas.worker.user)


def editor(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def opened(client, url, *, name="version") -> int:
    """The editor opens the page: the version the form carries in its hidden input."""
    page = client.get(url)
    assert page.status_code == 200
    return int(re.search(rf'name="{name}" value="(\d+)"', page.content.decode())[1])


def text(response) -> str:
    return html.unescape(response.content.decode())


def assert_conflict(response, *, kept: str, saved: str):
    """The second editor sees the conflict, her own input in the form, and the value saved meanwhile."""
    assert response.status_code == 409
    page = text(response)
    assert CONFLICT in page and "Quelqu'un d'autre a enregistré une modification" in page
    saved_meanwhile, form = page.split("Valeurs enregistrées entre-temps", 1)[1].split("</dl>", 1)
    assert saved in saved_meanwhile, "the value saved meanwhile is shown"
    assert kept in form, "her input is kept in the form"


# --- The person's file -------------------------------------------------------------------------------
def test_two_editors_of_the_identity_and_situation(personas, person):
    url = reverse("people:situation_edit", args=[person.pk])
    worker, head = editor(personas.worker), editor(personas.head)
    v_worker, v_head = opened(worker, url), opened(head, url)
    assert (
        worker.post(url, {**form_data(person, languages="anglais, pidgin"), "version": v_worker}).status_code
        == 302
    )
    second = head.post(
        url, {**form_data(person, languages="espagnol", safe_times="Le mardi"), "version": v_head}
    )
    assert_conflict(second, kept="espagnol", saved="anglais, pidgin")
    person.refresh_from_db()
    assert (person.languages, person.safe_times) == ("anglais, pidgin", "")
    # Having read the values now saved, she saves again on purpose: that goes through.
    again = int(re.search(r'name="version" value="(\d+)"', second.content.decode())[1])
    assert head.post(url, {**form_data(person, languages="espagnol"), "version": again}).status_code == 302
    person.refresh_from_db()
    assert person.languages == "espagnol"


def test_a_form_without_its_version_is_refused_as_out_of_date(client, personas, person):
    """A page opened before the version existed, or an altered form: nothing is overwritten blindly."""
    client.force_login(personas.worker.user)
    url = reverse("people:situation_edit", args=[person.pk])
    assert client.post(url, form_data(person, languages="anglais") | {"version": ""}).status_code == 409
    person.refresh_from_db()
    assert person.languages == ""


def test_an_input_error_keeps_the_version_the_editor_started_from(personas, person):
    url = reverse("people:situation_edit", args=[person.pk])
    worker, head = editor(personas.worker), editor(personas.head)
    v_head = opened(head, url)
    worker.post(url, {**form_data(person, languages="anglais"), "version": opened(worker, url)})
    refused = head.post(url, {**form_data(person, languages="espagnol", phone="abc"), "version": v_head})
    assert refused.status_code == 200 and f'name="version" value="{v_head}"' in refused.content.decode()
    fixed = head.post(url, {**form_data(person, languages="espagnol"), "version": v_head})
    assert fixed.status_code == 409
    person.refresh_from_db()
    assert person.languages == "anglais"


# --- The pathway request -----------------------------------------------------------------------------
def request_data(version, situation, commitments=("Suivre les cours de français",)):
    data = {
        "version": version, "situation": situation, "motivation": "Projet fictif.", "sworn_statement": "on",
        "signed_on": "2026-03-02",
        "actions-TOTAL_FORMS": 1, "actions-INITIAL_FORMS": 0, "actions-MIN_NUM_FORMS": 0,
        "actions-MAX_NUM_FORMS": 1000, "actions-0-domain": "housing",
        "actions-0-description": "Demande d'hébergement", "actions-0-target_date": "",
        "commitments-TOTAL_FORMS": len(commitments), "commitments-INITIAL_FORMS": 0,
        "commitments-MIN_NUM_FORMS": 0, "commitments-MAX_NUM_FORMS": 1000,
    }  # fmt: skip
    data.update({f"commitments-{i}-text": c for i, c in enumerate(commitments)})
    return data


def test_two_editors_of_a_draft_request(personas, person):
    req = t.open_request(person, "entry", personas.worker, complete_content())
    url = reverse("pathway:request_edit", args=[req.pk])
    worker, head = editor(personas.worker), editor(personas.head)
    v_worker, v_head = opened(worker, url), opened(head, url)
    assert worker.post(url, request_data(v_worker, "Situation selon la référente.")).status_code == 302
    second = head.post(url, request_data(v_head, "Situation selon la cheffe.", ("Autre engagement",)))
    assert_conflict(second, kept="Situation selon la cheffe.", saved="Situation selon la référente.")
    assert "Suivre les cours de français" in text(second).split("Valeurs enregistrées entre-temps")[1]
    req.refresh_from_db()
    assert req.situation == "Situation selon la référente."
    assert [c.text for c in req.commitments.all()] == ["Suivre les cours de français"]
    assert req.events.filter(action="update_request").count() == 1


def test_two_secretaries_edit_the_details_of_a_session(personas):
    session = t.create_session(personas.secretariat, dt.date(2026, 3, 20))
    colleague = MembershipFactory(organisation=personas.commission, role="secretariat")
    url = reverse("pathway:session", args=[session.pk])
    first, second = editor(personas.secretariat), editor(colleague)
    v_first, v_second = opened(first, url), opened(second, url)
    first.post(url, {"op": "details", "place": "Salle A", "attendance": "Mme A, M. B", "version": v_first})
    response = second.post(url, {"op": "details", "place": "Salle B", "attendance": "", "version": v_second})
    assert_conflict(response, kept="Salle B", saved="Mme A, M. B")
    session.refresh_from_db()
    assert (session.place, session.attendance) == ("Salle A", "Mme A, M. B")


# --- The follow-up -----------------------------------------------------------------------------------
def test_two_editors_of_an_action(personas, person):
    item = followup.add_action(person, personas.worker, domain="french", description="Cours de français")
    url = reverse("followup:action", args=[item.pk])
    worker, head = editor(personas.worker), editor(personas.head)
    v_worker, v_head = opened(worker, url), opened(head, url)
    worker.post(url, {"description": "Cours de français A1", "status": "in_progress", "due_date": "",
                      "version": v_worker})  # fmt: skip
    second = head.post(url, {"description": "Cours de français B1", "status": "todo", "due_date": "",
                             "version": v_head})  # fmt: skip
    assert_conflict(second, kept="Cours de français B1", saved="Cours de français A1")
    item.refresh_from_db()
    assert (item.description, item.status) == ("Cours de français A1", "in_progress")
    assert item.changes.count() == 2  # creation and the first editor's change


def test_a_quick_state_change_on_an_action_changed_meanwhile(personas, person):
    item = followup.add_action(person, personas.worker, domain="french", description="Cours de français")
    url = reverse("followup:actions", args=[person.pk])
    worker, head = editor(personas.worker), editor(personas.head)
    v_worker, v_head = opened(worker, url), opened(head, url)
    worker.post(url, {"op": "status", "item": item.pk, "status": "done", "version": v_worker})
    page = head.post(
        url, {"op": "status", "item": item.pk, "status": "abandoned", "version": v_head}, follow=True
    )
    assert "Quelqu'un d'autre a modifié cet élément" in text(page) and "« Cours de français », Fait" in text(
        page
    )
    item.refresh_from_db()
    assert item.status == "done"


def test_two_editors_correct_the_same_note(personas, person):
    note = followup.add_note(person, personas.worker, domain="health", held_on=TODAY, text="Premier texte")
    url = reverse("followup:note", args=[note.pk])
    worker, head = editor(personas.worker), editor(personas.head)
    v_worker, v_head = opened(worker, url), opened(head, url)
    worker.post(url, {"domain": "health", "held_on": "2026-03-10", "text": "Correction de l'autrice",
                      "version": v_worker})  # fmt: skip
    second = head.post(url, {"domain": "health", "held_on": "2026-03-10", "text": "Correction de la cheffe",
                             "version": v_head})  # fmt: skip
    assert_conflict(second, kept="Correction de la cheffe", saved="Correction de l'autrice")
    note.refresh_from_db()
    assert note.text == "Correction de l'autrice"
    assert [v.text for v in note.versions.all()] == ["Premier texte"]


def test_a_note_made_confidential_meanwhile_is_not_shown_to_its_author(personas, person):
    """The values saved meanwhile are shown only to whoever may still read them."""
    author = MembershipFactory(organisation=personas.association, role="social_worker")
    note = followup.add_note(person, author, domain="health", held_on=TODAY, text="Texte initial")
    url = reverse("followup:note", args=[note.pk])
    writer = editor(author)
    v_author = opened(writer, url)
    followup.correct_note(note, personas.head, domain="health", held_on=TODAY, text="Texte confidentiel",
                          sensitive=True)  # fmt: skip
    second = writer.post(url, {"domain": "health", "held_on": "2026-03-10", "text": "Autre texte",
                               "version": v_author}, follow=True)  # fmt: skip
    assert "Seule l'autrice de la note" in text(second) and "Texte confidentiel" not in text(second)
    note.refresh_from_db()
    assert note.text == "Texte confidentiel"


def test_two_editors_record_the_outcome_of_a_referral(personas, person):
    referral = followup.refer(person, personas.worker, reason="Accompagnement emploi", domain="employment",
                              referred_on=dt.date(2026, 3, 2), partner_name="France Travail",
                              oral_agreement=True)  # fmt: skip
    url = reverse("followup:referral", args=[referral.pk])
    worker, head = editor(personas.worker), editor(personas.head)
    v_worker, v_head = opened(worker, url), opened(head, url)
    worker.post(url, {"outcome": "accepted", "outcome_on": "2026-03-06", "comment": "Rendez-vous fixé",
                      "version": v_worker})  # fmt: skip
    second = head.post(url, {"outcome": "refused", "outcome_on": "2026-03-05", "comment": "Pas de place",
                             "version": v_head})  # fmt: skip
    assert_conflict(second, kept="Pas de place", saved="Rendez-vous fixé")
    referral.refresh_from_db()
    assert (referral.outcome, referral.comment) == ("accepted", "Rendez-vous fixé")


def test_two_editors_record_the_outcome_of_an_appointment(personas, person):
    starts = dt.datetime(2026, 3, 9, 14, 0, tzinfo=clock.PARIS)
    appointment = followup.schedule_appointment(
        person, personas.worker, worker=personas.worker.user, starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1), purpose="health",
    )  # fmt: skip
    url = reverse("followup:appointments", args=[person.pk])
    worker, head = editor(personas.worker), editor(personas.head)
    v_worker, v_head = opened(worker, url), opened(head, url)
    outcome = reverse("followup:appointment_outcome", args=[appointment.pk])
    worker.post(outcome, {"status": "honoured", "version": v_worker})
    page = head.post(outcome, {"status": "missed", "version": v_head}, follow=True)
    assert "Quelqu'un d'autre a modifié cet élément" in text(page) and "Valeur actuelle : Honoré" in text(
        page
    )
    appointment.refresh_from_db()
    assert appointment.status == "honoured"


# --- Rights ------------------------------------------------------------------------------------------
def test_two_editors_of_the_afis_file(personas, person):
    afis = rights.save_afis(person, personas.worker, rights.AfisDates(requested_on=dt.date(2026, 2, 2)))
    url = reverse("rights:person", args=[person.pk])
    worker, head = editor(personas.worker), editor(personas.head)
    v_worker, v_head = opened(worker, url), opened(head, url)
    base = {"op": "afis", "dossier": afis.pk, "afis-requested_on": "2026-02-02"}
    worker.post(url, {**base, "afis-first_payment_on": "2026-03-01", "version": v_worker})
    second = head.post(url, {**base, "afis-first_payment_on": "2026-03-03", "afis-comment": "Vu la MSA",
                             "version": v_head})  # fmt: skip
    assert_conflict(second, kept="Vu la MSA", saved="1er mars 2026")
    afis.refresh_from_db()
    assert (afis.first_payment_on, afis.comment) == (dt.date(2026, 3, 1), "")


def test_an_afis_closed_meanwhile_is_not_replaced_by_a_new_request(personas, person):
    afis = rights.save_afis(person, personas.worker, rights.AfisDates(requested_on=dt.date(2026, 2, 2)))
    url = reverse("rights:person", args=[person.pk])
    head = editor(personas.head)
    v_head = opened(head, url)
    rights.save_afis(person, personas.worker, rights.AfisDates(requested_on=dt.date(2026, 2, 2),
                     stopped_on=dt.date(2026, 3, 9), stop_reason="pathway_ended"), afis)  # fmt: skip
    second = head.post(url, {"op": "afis", "dossier": afis.pk, "afis-requested_on": "2026-02-02",
                             "afis-first_payment_on": "2026-03-03", "version": v_head})  # fmt: skip
    assert second.status_code == 409 and "clôturé entre-temps" in text(second)
    assert AfisFile.objects.filter(person=person).count() == 1


def test_two_editors_of_the_aps_file(personas, person):
    aps = rights.save_aps(person, personas.worker, rights.ApsDates(requested_on=dt.date(2026, 1, 27)))
    url = reverse("rights:person", args=[person.pk])
    worker, head = editor(personas.worker), editor(personas.head)
    v_worker, v_head = opened(worker, url), opened(head, url)
    base = {"op": "aps", "dossier": aps.pk, "aps-requested_on": "2026-01-27"}
    worker.post(url, {**base, "aps-receipt_on": "2026-01-28", "version": v_worker})
    second = head.post(url, {**base, "aps-comment": "Convocation reçue", "version": v_head})
    assert_conflict(second, kept="Convocation reçue", saved="28 janvier 2026")
    aps.refresh_from_db()
    assert (aps.receipt_on, aps.comment) == (dt.date(2026, 1, 28), "")
    assert ApsFile.objects.count() == 1


# --- Consents ----------------------------------------------------------------------------------------
def test_two_editors_withdraw_the_same_consent(personas, person):
    consent = people.record_consent(person, personas.worker, purpose="sharing", given_on=dt.date(2026, 1, 5),
                                    partner_name="France Travail", scope="Coordonnées")  # fmt: skip
    url = reverse("people:consent_withdraw", args=[person.pk, consent.pk])
    worker, head = editor(personas.worker), editor(personas.head)
    for client in (worker, head):
        assert client.get(reverse("people:situation", args=[person.pk])).status_code == 200
    worker.post(url, {"withdrawn_on": "2026-03-09"})
    page = head.post(url, {"withdrawn_on": "2026-03-10"}, follow=True)
    assert "Ce consentement a déjà été retiré le 9 mars 2026" in text(page)
    consent.refresh_from_db()
    assert consent.withdrawn_on == dt.date(2026, 3, 9)


# --- The mechanism -----------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_claim_runs_only_inside_the_service_transaction(personas, person):
    with pytest.raises(RuntimeError):
        locking.claim(person, person.version)


def test_claim_takes_the_next_version_once(personas, person):
    with transaction.atomic():
        assert locking.claim(person, 0) == 1
    with pytest.raises(locking.EditConflict) as refused, transaction.atomic():
        locking.claim(Person.objects.get(pk=person.pk), 0)
    assert refused.value.current.version == 1
    assert Person.objects.get(pk=person.pk).version == 1


@pytest.mark.parametrize(
    "model",
    [
        Person,
        PathwayRequest,
        CommissionSession,
        ActionItem,
        Note,
        Referral,
        Appointment,
        AfisFile,
        ApsFile,
    ],
)
def test_every_edited_model_carries_a_version(model):
    assert model._meta.get_field("version").default == 0


def test_consents_are_withdrawn_only_once_without_a_version():
    """Withdrawal is the only change of a consent, guarded by `withdrawn_on IS NULL` in its UPDATE."""
    assert not any(f.name == "version" for f in Consent._meta.get_fields())


def test_the_conflict_page_is_journalled_as_it_shows_the_file(personas, person):
    """The 409 page shows the values saved meanwhile: like any page about the person, it is recorded."""
    from parcours.audit.models import AccessLog

    url = reverse("people:situation_edit", args=[person.pk])
    head = editor(personas.head)
    stale = opened(head, url)
    people.update_file(Person.objects.get(pk=person.pk), personas.worker, expected_version=stale)
    before = AccessLog.objects.count()
    assert head.post(url, {**form_data(person, languages="espagnol"), "version": stale}).status_code == 409
    [row] = AccessLog.objects.order_by("seq")[before:]
    assert row.person_id == person.pk and row.user_id == personas.head.user_id


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_saves_at_the_same_instant_cannot_both_pass(personas):
    """Two transactions claim the same version at once: the second waits for the first's row lock, then
    finds the version taken (PostgreSQL re-checks the row; SQLite lets one writer at a time)."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks between two connections: PostgreSQL only (SQLite serialises writers)")
    person = personas.person()
    first_claimed, results = threading.Event(), {}

    def first():
        try:
            with transaction.atomic():
                locking.claim(Person.objects.get(pk=person.pk), 0)
                first_claimed.set()
                threading.Event().wait(0.5)  # still holding the row when the second one tries
            results["first"] = "saved"
        finally:
            connections.close_all()

    def second():
        first_claimed.wait(5)
        try:
            with transaction.atomic():
                locking.claim(Person.objects.get(pk=person.pk), 0)
            results["second"] = "saved"
        except locking.EditConflict:
            results["second"] = "conflict"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == {"first": "saved", "second": "conflict"}
    assert Person.objects.get(pk=person.pk).version == 1


def test_two_editors_open_the_first_aps_request_at_once(personas, person):
    url = reverse("rights:person", args=[person.pk])
    worker, head = editor(personas.worker), editor(personas.head)
    for client in (worker, head):
        assert client.get(url).status_code == 200
    worker.post(url, {"op": "aps_new", "apsnew-requested_on": "2026-01-27"})
    second = head.post(url, {"op": "aps_new", "apsnew-requested_on": "2026-02-03", "apsnew-comment": "Dépôt"})
    assert_conflict(second, kept="Dépôt", saved="27 janvier 2026")
    assert [a.requested_on for a in ApsFile.objects.all()] == [dt.date(2026, 1, 27)]
