"""Interview notes: written by domain, listed newest first, sensitive ones read by the referent and the head
of service only, corrected without losing the previous wording."""

import datetime as dt

import pytest
from django.urls import reverse

from parcours.core.errors import DomainError
from parcours.followup import services
from parcours.followup.access import can_read_note
from parcours.followup.models import Note, NoteVersion

from .conftest import TODAY, login

pytestmark = pytest.mark.django_db
CANARY = "Canari-confidentiel-7f3a"


def sensitive_note(file, personas):
    return services.add_note(file, personas.worker, domain="justice", held_on=TODAY, sensitive=True,
                             text=f"Plainte fictive déposée. {CANARY}")  # fmt: skip


def test_worker_records_a_note_and_finds_it_newest_first(client, personas, file):
    services.add_note(
        file, personas.worker, domain="housing", held_on=dt.date(2026, 3, 2), text="Ancienne note"
    )
    url = reverse("followup:notes", args=[file.pk])
    response = login(client, personas.worker).post(url, {
        "domain": "health", "held_on": "2026-03-09", "text": "Rendez-vous médical fictif pris.",
    })  # fmt: skip
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "est enregistrée" in page
    assert page.index("Rendez-vous médical fictif pris.") < page.index("Ancienne note")
    assert "9 mars 2026" in page and "Santé" in page


def test_domain_filter_keeps_only_that_domain(client, personas, file):
    services.add_note(file, personas.worker, domain="housing", held_on=TODAY, text="Note logement")
    services.add_note(file, personas.worker, domain="french", held_on=TODAY, text="Note cours de français")
    page = login(client, personas.worker).get(
        reverse("followup:notes", args=[file.pk]), {"domaine": "french"}
    )
    assert "Note cours de français" in page.content.decode()
    assert "Note logement" not in page.content.decode()


def test_a_note_in_the_future_is_refused_in_french_and_nothing_is_saved(client, personas, file):
    response = login(client, personas.worker).post(reverse("followup:notes", args=[file.pk]), {
        "domain": "health", "held_on": "2026-03-11", "text": "Note datée de demain",
    })  # fmt: skip
    assert response.status_code == 200
    assert "ne peut pas être dans le futur" in response.content.decode()
    assert not Note.objects.exists()


def test_a_note_long_before_the_file_was_opened_is_refused(personas, file):
    with pytest.raises(DomainError, match="plus d'un an"):
        services.add_note(
            file, personas.worker, domain="health", held_on=dt.date(2025, 1, 31), text="Trop tôt"
        )
    services.add_note(
        file, personas.worker, domain="health", held_on=dt.date(2025, 2, 2), text="Reprise papier"
    )


def test_an_empty_note_is_refused(personas, file):
    with pytest.raises(DomainError, match="compte rendu est obligatoire"):
        services.add_note(file, personas.worker, domain="health", held_on=TODAY, text="   ")


@pytest.mark.parametrize("role", ["volunteer", "intern"])
def test_volunteers_and_interns_cannot_open_the_notes(client, personas, file, role):
    sensitive_note(file, personas)
    response = login(client, getattr(personas, role)).get(reverse("followup:notes", args=[file.pk]))
    assert response.status_code == 404  # not even told that the file exists (issue 11)
    assert CANARY not in response.content.decode()


@pytest.mark.parametrize("role", ["volunteer", "intern"])
def test_volunteers_and_interns_cannot_read_nor_write_a_note(personas, file, role):
    note = sensitive_note(file, personas)
    membership = getattr(personas, role)
    assert not can_read_note(membership, note)
    assert not Note.objects.readable_by(membership).exists()
    with pytest.raises(DomainError, match="Votre rôle"):
        services.add_note(file, membership, domain="health", held_on=TODAY, text="Essai")


def test_a_worker_who_is_not_the_referent_sees_only_that_a_sensitive_note_exists(client, personas, file,
                                                                                colleague):  # fmt: skip
    note = sensitive_note(file, personas)
    services.add_note(file, personas.worker, domain="health", held_on=TODAY, text="Note ordinaire lisible")
    page = login(client, colleague).get(reverse("followup:notes", args=[file.pk])).content.decode()
    assert CANARY not in page
    assert "Note ordinaire lisible" in page
    assert "Note confidentielle (Plainte, justice, 10 mars 2026, " in page
    detail = client.get(reverse("followup:note", args=[note.pk])).content.decode()
    assert CANARY not in detail and "Note confidentielle" in detail
    assert not can_read_note(colleague, note)


@pytest.mark.parametrize("role", ["worker", "head"])
def test_the_referent_and_the_head_of_service_read_a_sensitive_note(client, personas, file, role):
    note = sensitive_note(file, personas)
    page = (
        login(client, getattr(personas, role)).get(reverse("followup:notes", args=[file.pk])).content.decode()
    )
    assert CANARY in page
    assert can_read_note(getattr(personas, role), note)


def test_a_sensitive_note_written_by_a_colleague_is_read_by_the_referent(personas, file, colleague):
    note = services.add_note(file, colleague, domain="health", held_on=TODAY, text=CANARY, sensitive=True)
    assert can_read_note(personas.worker, note)
    assert not can_read_note(colleague, note)  # the rule is the referent's, not the author's


def test_a_new_referent_reads_the_sensitive_notes_and_the_former_one_no_longer(personas, file, colleague):
    note = sensitive_note(file, personas)
    file.referent = colleague.user
    file.save()
    note.refresh_from_db()
    assert can_read_note(colleague, note)
    assert not can_read_note(personas.worker, note)


def test_outsider_gets_a_404_on_the_notes_and_on_a_note(client, personas, file):
    note = services.add_note(file, personas.worker, domain="health", held_on=TODAY, text="Note")
    login(client, personas.outsider)
    assert client.get(reverse("followup:notes", args=[file.pk])).status_code == 404
    assert client.get(reverse("followup:note", args=[note.pk])).status_code == 404
    with pytest.raises(DomainError):
        services.add_note(file, personas.outsider, domain="health", held_on=TODAY, text="Intrusion")


@pytest.mark.parametrize("role", ["secretariat", "agent", "member", "national"])
def test_other_organisations_never_reach_the_follow_up(client, personas, file, role):
    response = login(client, getattr(personas, role)).get(reverse("followup:notes", args=[file.pk]))
    assert response.status_code == 403


def test_the_queryset_and_the_function_give_the_same_answers(personas, file, colleague):
    ordinary = services.add_note(file, personas.worker, domain="health", held_on=TODAY, text="Ordinaire")
    notes = [sensitive_note(file, personas), ordinary]
    for membership in (personas.worker, personas.head, colleague, personas.volunteer, personas.intern,
                       personas.outsider, personas.secretariat, personas.agent):  # fmt: skip
        readable = set(Note.objects.readable_by(membership).values_list("pk", flat=True))
        assert readable == {n.pk for n in notes if can_read_note(membership, n)}, membership.role


def test_an_inactive_membership_reads_nothing(personas, file):
    note = services.add_note(file, personas.worker, domain="health", held_on=TODAY, text="Ordinaire")
    personas.head.is_active = False
    personas.head.save()
    assert not can_read_note(personas.head, note)


# --- Corrections -------------------------------------------------------------------------------------
def test_a_correction_keeps_the_previous_wording_in_the_history(client, personas, file):
    note = services.add_note(file, personas.worker, domain="health", held_on=TODAY, text="Premier texte")
    response = login(client, personas.worker).post(reverse("followup:note", args=[note.pk]), {
        "domain": "health", "held_on": "2026-03-10", "text": "Texte corrigé", "version": note.version,
    })  # fmt: skip
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.text == "Texte corrigé" and note.corrected_at is not None
    assert [v.text for v in note.versions.all()] == ["Premier texte"]
    page = client.get(reverse("followup:note", args=[note.pk])).content.decode()
    assert "Premier texte" in page and "Texte corrigé" in page


def test_only_the_author_or_the_head_corrects_a_note(client, personas, file, colleague):
    note = services.add_note(file, personas.worker, domain="health", held_on=TODAY, text="Texte de l'autrice")
    with pytest.raises(DomainError, match="Seule l'autrice"):
        services.correct_note(
            note, colleague, domain="health", held_on=TODAY, text="Réécrit", sensitive=False
        )
    response = login(client, colleague).post(reverse("followup:note", args=[note.pk]), {
        "domain": "health", "held_on": "2026-03-10", "text": "Réécrit",
    })  # fmt: skip
    note.refresh_from_db()
    assert note.text == "Texte de l'autrice" and response.status_code == 302
    services.correct_note(note, personas.head, domain="health", held_on=TODAY, text="Relu", sensitive=True)
    assert NoteVersion.objects.filter(note=note).count() == 1


def test_a_refused_correction_changes_nothing(personas, file):
    note = services.add_note(file, personas.worker, domain="health", held_on=TODAY, text="Texte")
    with pytest.raises(DomainError, match="futur"):
        services.correct_note(note, personas.worker, domain="health", held_on=dt.date(2026, 4, 1),
                              text="Autre", sensitive=False)  # fmt: skip
    note.refresh_from_db()
    assert note.text == "Texte" and not note.versions.exists()


def test_history_hides_a_sensitive_earlier_version_from_who_may_not_read_it(
    client, personas, file, colleague
):
    note = sensitive_note(file, personas)
    services.correct_note(note, personas.head, domain="justice", held_on=TODAY, text="Résumé non sensible",
                          sensitive=False)  # fmt: skip
    page = login(client, colleague).get(reverse("followup:note", args=[note.pk])).content.decode()
    assert "Résumé non sensible" in page
    assert CANARY not in page and "Version confidentielle." in page
