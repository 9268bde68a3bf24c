"""Erasure on request: refused while the law requires keeping the file, done at once otherwise."""

import datetime as dt

import pytest
from django.urls import reverse

from parcours.audit.models import AccessLog
from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.privacy import services
from parcours.privacy.models import Erasure

from ..conftest import pathway_in_state
from .conftest import CANARIES


def erase_page(client, membership, person, data=None):
    client.force_login(membership.user)
    url = reverse("privacy:erase", args=[person.pk])
    return client.post(url, data, follow=True) if data is not None else client.get(url)


def test_refused_while_a_decision_of_the_prefet_is_younger_than_five_years(client, personas, full_file):
    # authorised on 10 February 2025
    with clock.travel_to(dt.date(2030, 2, 9)):
        response = erase_page(
            client, personas.head, full_file.person, {"ground": "objection", "confirm": "on"}
        )
    assert "10 février 2030" in response.content.decode()
    full_file.person.refresh_from_db()
    assert full_file.person.first_name == CANARIES["first_name"]
    assert not Erasure.objects.exists()


def test_done_once_the_decision_is_five_years_old(client, personas, full_file):
    with clock.travel_to(dt.date(2030, 2, 10)):
        response = erase_page(
            client, personas.head, full_file.person, {"ground": "objection", "confirm": "on"}
        )
    assert "Le dossier est effacé" in response.content.decode()
    person = full_file.person
    person.refresh_from_db()
    assert (person.first_name, person.anonymised_on) == ("", dt.date(2030, 2, 10))
    erasure = Erasure.objects.get()
    assert (erasure.ground, erasure.erased_by_id) == ("objection", personas.head.user_id)
    row = AccessLog.objects.filter(person_id=person.pk, action="delete", object_type="erasure").get()
    assert row.user_id == personas.head.user_id


def test_done_at_once_for_a_person_without_a_pathway(client, personas):
    person = personas.person(first_name="Nomeffacable")
    response = erase_page(client, personas.head, person, {"ground": "no_longer_needed", "confirm": "on"})
    assert "Le dossier est effacé" in response.content.decode()
    person.refresh_from_db()
    assert person.first_name == ""


def test_refused_while_a_pathway_is_in_progress(personas):
    pathway = pathway_in_state(personas, "active")
    with pytest.raises(DomainError, match="parcours de sortie est en cours"):
        services.erase(pathway.person, personas.head, "objection")


def test_needs_a_ground_and_the_confirmation(client, personas):
    person = personas.person(first_name="Nomgarde")
    response = erase_page(client, personas.head, person, {"ground": "objection"})
    assert "Cochez la case de confirmation" in response.content.decode()
    response = erase_page(client, personas.head, person, {"confirm": "on"})
    assert "Indiquez le motif" in response.content.decode()
    person.refresh_from_db()
    assert person.first_name == "Nomgarde"


def test_only_the_head_of_service_erases(client, personas):
    person = personas.person(first_name="Nomgarde", referent=personas.worker.user)
    response = erase_page(client, personas.worker, person, {"ground": "objection", "confirm": "on"})
    assert "Seule la cheffe de service" in response.content.decode()
    person.refresh_from_db()
    assert person.first_name == "Nomgarde"
    with pytest.raises(DomainError):
        services.erase(person, personas.worker, "objection")
