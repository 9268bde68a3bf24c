"""Opening a file: the full identity and situation form, and the warning when she may already be followed."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from parcours.core import clock
from parcours.people.models import Consent, Person

from ..factories import PersonFactory, departement

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 10)
BORN = dt.date(1996, 3, 4)


@pytest.fixture(autouse=True)
def frozen_today():
    with clock.travel_to(TODAY):
        yield


def login(client, membership):
    client.force_login(membership.user)
    return client


def new_person(**changes):
    data = {
        "first_name": "Xiao Ling", "last_name": "Wang", "birth_date": BORN.isoformat(), "nationality": "CN",
        "gender": "woman", "languages": "mandarin", "french_level": "none", "dependent_children": "1",
        "departement": departement("30").pk, "safe_phone": "07 00 00 00 03", "never_call": "on",
        "residence_status": "asylum_seeker", "residence_permit_expiry": "2026-09-30", "health_cover": "ame",
        "monthly_resources": "0",
    }  # fmt: skip
    data.update(changes)
    return data


def text(response):
    return html.unescape(response.content.decode())


def test_worker_opens_a_file_with_identity_and_situation(client, personas):
    response = login(client, personas.worker).post(
        reverse("people:person_create"), new_person(processing_consent_on="2026-03-09"), follow=True
    )
    assert "Le dossier est créé." in text(response)
    person = Person.objects.get()
    assert person.association == personas.association
    assert person.referent == personas.worker.user
    assert (person.first_name, person.safe_phone, person.never_call, person.residence_status) == (
        "Xiao Ling", "07 00 00 00 03", True, "asylum_seeker")  # fmt: skip
    assert "Contact sous conditions" in text(response)
    consent = Consent.objects.get()
    assert (consent.purpose, consent.given_on, consent.recorded_by) == (
        "processing", dt.date(2026, 3, 9), personas.worker.user)  # fmt: skip


def test_the_creation_form_offers_the_full_file_and_the_associations_staff_as_referents(client, personas):
    page = text(login(client, personas.worker).get(reverse("people:person_create")))
    for label in ("Identité", "Contact et consignes de sécurité", "Numéro sûr", "Adresse confidentielle",
                  "Situation administrative", "Couverture maladie", "Travailleuse sociale référente",
                  "Consentement au traitement des données recueilli le"):  # fmt: skip
        assert label in page
    assert personas.head.user.get_full_name() in page
    assert personas.outsider.user.get_full_name() not in page
    assert "Il s'agit bien d'une autre personne" not in page  # only when a similar file exists


def test_a_similar_person_born_the_same_day_is_shown_and_nothing_is_saved(client, personas):
    known = personas.person(first_name="Xiaoling", last_name="Wang", birth_date=BORN)
    client = login(client, personas.worker)
    response = client.post(reverse("people:person_create"), new_person())
    page = text(response)
    assert response.status_code == 200
    assert "Une personne née le même jour sous un nom proche est déjà suivie" in page
    assert f"{known.reference} — Xiaoling WANG" in page
    assert "Il s'agit bien d'une autre personne" in page
    assert Person.objects.count() == 1
    assert not Consent.objects.exists()


def test_ticking_it_is_another_person_saves_the_file(client, personas):
    personas.person(first_name="Xiaoling", last_name="Wang", birth_date=BORN)
    response = login(client, personas.worker).post(
        reverse("people:person_create"), new_person(distinct_confirmed="on"), follow=True
    )
    assert "Le dossier est créé." in text(response)
    assert Person.objects.count() == 2


def test_swapped_and_misspelled_names_are_still_flagged(client, personas):
    personas.person(first_name="Oluwaseun", last_name="Adebayo", birth_date=BORN)
    response = login(client, personas.worker).post(
        reverse("people:person_create"), new_person(first_name="Adebayo", last_name="Oluwasegun")
    )
    assert "Il s'agit bien d'une autre personne" in text(response)
    assert Person.objects.count() == 1


def test_no_warning_for_a_different_name_or_birth_date(client, personas):
    personas.person(first_name="Xiaoling", last_name="Wang", birth_date=dt.date(1996, 3, 5))
    personas.person(first_name="Grace", last_name="Okafor", birth_date=BORN)
    response = login(client, personas.worker).post(reverse("people:person_create"), new_person(), follow=True)
    assert "Le dossier est créé." in text(response)


def test_people_of_another_association_are_never_disclosed(client, personas):
    hidden = PersonFactory(association=personas.other_association, first_name="Xiaoling", last_name="Wang",
                           birth_date=BORN)  # fmt: skip
    response = login(client, personas.worker).post(reverse("people:person_create"), new_person(), follow=True)
    page = text(response)
    assert "Le dossier est créé." in page
    assert hidden.reference not in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"birth_date": "2026-03-11"}, "La date de naissance ne peut pas être dans le futur."),
        ({"birth_date": "1890-01-01"}, "vérifiez l'année"),
        ({"residence_permit_expiry": "1990-01-01"}, "postérieure au 1er janvier 2000"),
        (
            {"processing_consent_on": "2026-03-11"},
            "Un consentement ne peut pas être recueilli dans le futur.",
        ),
        ({"departement": "13"}, "Sélectionnez un choix valide"),  # not served by the association
        ({"last_name": ""}, "Ce champ est obligatoire."),
    ],
)
def test_bad_input_creates_nothing(client, personas, changes, message):
    if "departement" in changes:
        changes = {"departement": departement(changes["departement"]).pk}
    response = login(client, personas.worker).post(reverse("people:person_create"), new_person(**changes))
    assert message in text(response)
    assert not Person.objects.exists()
    assert not Consent.objects.exists()


@pytest.mark.parametrize("role", ["volunteer", "intern", "secretariat", "member", "agent", "national"])
def test_only_the_associations_staff_open_files(client, personas, role):
    client = login(client, getattr(personas, role))
    assert client.get(reverse("people:person_create")).status_code == 403
    assert client.post(reverse("people:person_create"), new_person()).status_code == 403
    assert not Person.objects.exists()


def test_the_creation_is_journaled_with_the_person_it_created(client, personas):
    """The journal row of a person's creation names her (before, the middleware's row for
    /personnes/nouvelle/ had no person: a head of service searching her journal missed her creation; the
    kill -9 bench now requires it of every acknowledged write)."""
    from parcours.audit.models import AccessLog

    login(client, personas.worker).post(reverse("people:person_create"), new_person())
    person = Person.objects.get()
    reads = {"read", "denied", "download", "export", "print", "login", "login_failed", "logout", "purge"}
    rows = AccessLog.objects.exclude(action__in=reads).filter(user=personas.worker.user)
    assert any(
        row.person_id == person.pk or ("person" in row.object_type and row.object_id == str(person.pk))
        for row in rows
    ), list(rows.values("action", "object_type", "object_id", "person_id"))


# --- Issue 8, point 11: several nationalities without Ctrl-click ------------------------------------------
def test_other_nationalities_are_chosen_in_plain_selects_and_saved(client, personas):
    """Before: one <select multiple> of 200 countries, Ctrl-click to choose several."""
    login(client, personas.worker)
    page = client.get(reverse("people:person_create")).content.decode()
    assert '<select name="other_nationalities" multiple' not in page and "Ctrl" not in page
    selects = re.findall(
        r'<select name="other_nationalities_(\d)"[^>]*aria-label="Autre nationalité \d"', page
    )
    assert selects == ["0", "1", "2"]
    data = new_person(processing_consent_on="2026-03-09", other_nationalities_0="NG",
                      other_nationalities_1="", other_nationalities_2="GH")  # fmt: skip
    response = client.post(reverse("people:person_create"), data, follow=True)
    assert "Le dossier est créé." in text(response)
    person = Person.objects.get()
    assert sorted(str(c) for c in person.other_nationalities) == ["GH", "NG"]
    edit = client.get(reverse("people:situation_edit", args=[person.pk])).content.decode()
    lists = re.findall(r'<select name="other_nationalities_\d"[^>]*>(.*?)</select>', edit, re.S)
    chosen = [v for body in lists for v in re.findall(r'<option value="(\w\w)" selected', body)]
    assert sorted(chosen) == ["GH", "NG"]
    assert len(re.findall(r'<select name="other_nationalities_\d"', edit)) == 3
