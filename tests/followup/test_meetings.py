"""Team meetings: an agenda of people of the association (staff only), and the decision about each written
as an encrypted, journaled follow-up note in her file. Volunteers and interns get no page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from parcours.audit.models import AccessLog
from parcours.core.errors import DomainError
from parcours.followup import meetings
from parcours.followup.models import MeetingItem, Note, TeamMeeting

from ..factories import PersonFactory
from .conftest import TODAY, login

D = dt.date
LAST_TUESDAY = D(2026, 3, 3)


@pytest.fixture
def meeting(personas):
    return meetings.create_meeting(personas.head, LAST_TUESDAY)


@pytest.mark.django_db
def test_a_decision_becomes_a_note_of_her_file_dated_the_meeting(personas, file, meeting):
    item = meetings.add_to_agenda(meeting, personas.worker, file)
    note = meetings.record_decision(item, personas.head, domain="housing", text="Demande SIAO à relancer.")
    stored = Note.objects.get(pk=note.pk)
    assert (stored.person, stored.domain, stored.held_on, stored.author) == (
        file, "housing", LAST_TUESDAY, personas.head.user,
    )  # fmt: skip
    assert stored.text == "Réunion d'équipe du 3 mars 2026 — décision : Demande SIAO à relancer."
    item.refresh_from_db()
    assert item.note_id == note.pk
    events = list(AccessLog.objects.filter(person_id=file.pk).order_by("seq").values_list("event", flat=True))
    assert events == ["meeting_item.add", "note.create", "meeting_item.decide"]
    with pytest.raises(DomainError) as twice:
        meetings.record_decision(item, personas.head, domain="housing", text="Autre")
    assert twice.value.message == "La décision est déjà notée : corrigez la note dans son dossier."
    with pytest.raises(DomainError) as removal:
        meetings.remove_from_agenda(item, personas.head)
    assert (
        removal.value.message == "La décision est notée dans son dossier : ce point reste à l'ordre du jour."
    )


@pytest.mark.django_db
def test_the_agenda_refuses_people_of_another_association_and_doubles(personas, file, meeting):
    theirs = PersonFactory(association=personas.other_association)
    with pytest.raises(DomainError) as other:
        meetings.add_to_agenda(meeting, personas.worker, theirs)
    assert other.value.message == "Choisissez une personne suivie par votre association."
    meetings.add_to_agenda(meeting, personas.worker, file)
    with pytest.raises(DomainError) as twice:
        meetings.add_to_agenda(meeting, personas.worker, file.pk)
    assert twice.value.message == f"{file.reference} est déjà à l'ordre du jour de cette réunion."
    with pytest.raises(DomainError) as outsider:
        meetings.add_to_agenda(meeting, personas.outsider, file)
    assert outsider.value.message == "Cette réunion est celle d'une autre association."
    assert MeetingItem.objects.count() == 1


@pytest.mark.django_db
def test_a_decision_waits_for_the_meeting_and_is_not_empty(personas, file):
    coming = meetings.create_meeting(personas.worker, D(2026, 3, 17))
    item = meetings.add_to_agenda(coming, personas.worker, file)
    with pytest.raises(DomainError) as early:
        meetings.record_decision(item, personas.worker, domain="health", text="Bilan")
    assert (
        early.value.message
        == "La réunion du 17 mars 2026 n'a pas encore eu lieu : la décision se note après."
    )
    past = meetings.create_meeting(personas.worker, LAST_TUESDAY)
    item = meetings.add_to_agenda(past, personas.worker, file)
    with pytest.raises(DomainError) as empty:
        meetings.record_decision(item, personas.worker, domain="health", text="   ")
    assert empty.value.message == "La décision est obligatoire."
    with pytest.raises(DomainError) as same_day:
        meetings.create_meeting(personas.head, LAST_TUESDAY)
    assert same_day.value.message == "Une réunion d'équipe est déjà prévue le 3 mars 2026."
    assert Note.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["volunteer", "intern", "secretariat"])
def test_volunteers_interns_and_others_prepare_no_meeting(personas, who):
    with pytest.raises(DomainError) as refused:
        meetings.create_meeting(getattr(personas, who), TODAY)
    assert refused.value.message == "Votre rôle ne permet pas de préparer les réunions d'équipe."
    assert TeamMeeting.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["volunteer", "intern"])
def test_volunteers_and_interns_are_refused_every_meeting_page_and_it_is_journaled(client, personas, file,
                                                                                   meeting, who):  # fmt: skip
    item = meetings.add_to_agenda(meeting, personas.worker, file)
    login(client, getattr(personas, who))
    urls = [reverse("followup:meetings"), reverse("followup:meeting", args=[meeting.pk]),
            reverse("followup:meeting_decision", args=[item.pk])]  # fmt: skip
    for url, status in zip(urls, (403, 404, 404), strict=True):  # a page naming an object: 404 (issue 11)
        response = client.get(url)
        assert response.status_code == status
        assert "Prenomfictive" not in response.content.decode()
    denied = AccessLog.objects.filter(user=getattr(personas, who).user, outcome="denied")
    assert sorted(denied.values_list("path", flat=True)) == sorted(urls)


@pytest.mark.django_db
def test_the_worker_composes_the_agenda_and_records_a_decision_through_the_pages(
    client, personas, file, meeting
):
    login(client, personas.worker)
    page = client.get(reverse("followup:meeting", args=[meeting.pk])).content.decode()
    assert "Prenomfictive NOMFICTIVE" in page  # a candidate in the list
    response = client.post(
        reverse("followup:meeting", args=[meeting.pk]), {"action": "add", "person": file.pk}
    )
    assert response.status_code == 302
    item = MeetingItem.objects.get()
    response = client.post(reverse("followup:meeting_decision", args=[item.pk]),
                           {"domain": "employment", "text": "Inscription à l'atelier emploi."})  # fmt: skip
    assert response.status_code == 302
    note = Note.objects.get(person=file)
    assert note.text.endswith("Inscription à l'atelier emploi.") and note.domain == "employment"
    shown = client.get(reverse("followup:meeting_decision", args=[item.pk])).content.decode()
    assert "Inscription à l&#x27;atelier emploi." in shown
    read = AccessLog.objects.filter(path=reverse("followup:meeting_decision", args=[item.pk]), action="read")
    assert list(read.values_list("person_id", flat=True)) == [file.pk]
    listing = client.get(reverse("followup:meetings")).content.decode()
    assert "mardi 3 mars 2026" in listing


@pytest.mark.django_db
def test_a_meeting_of_another_association_is_a_404(client, personas, meeting):
    login(client, personas.outsider)
    assert client.get(reverse("followup:meeting", args=[meeting.pk])).status_code == 404
