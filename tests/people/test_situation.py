"""The identity and situation page: what the association's staff see, change, and who is kept out."""

import datetime as dt
import html

import pytest
from django.urls import reverse

from parcours.core import clock
from parcours.people.models import OtherName, Person

from ..factories import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def frozen_today():
    with clock.travel_to(TODAY):
        yield


def login(client, membership):
    client.force_login(membership.user)
    return client


def situation_url(person):
    return reverse("people:situation", args=[person.pk])


def edit_url(person):
    return reverse("people:situation_edit", args=[person.pk])


def form_data(person, **changes):
    """What the edit form posts back when nothing is changed, plus `changes`."""
    data = {
        "first_name": person.first_name, "last_name": person.last_name, "usage_name": person.usage_name,
        "alias": person.alias, "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "birth_country": person.birth_country.code or "", "nationality": person.nationality.code or "",
        "gender": person.gender, "languages": person.languages, "french_level": person.french_level,
        "dependent_children": person.dependent_children, "departement": person.departement_id,
        "phone": person.phone, "safe_phone": person.safe_phone, "safe_times": person.safe_times,
        "contact_notes": person.contact_notes, "shelter_name": person.shelter_name, "address": person.address,
        "residence_status": person.residence_status, "health_cover": person.health_cover,
        "referent": person.referent_id or "", "version": person.version,
    }  # fmt: skip
    for flag in ("never_call", "no_written_messages", "address_confidential", "receives_rsa", "receives_ada"):
        if getattr(person, flag):
            data[flag] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def person(personas):
    return personas.person(
        first_name="Chiamaka", last_name="Fictive", usage_name="Chiama", alias="Ada Fictive",
        birth_date=dt.date(1998, 7, 2), birth_country="NG", other_nationalities=["GH"],
        languages="anglais, igbo", french_level="A1", dependent_children=2,
        phone="06 00 00 00 01", safe_phone="07 00 00 00 02", safe_times="le mardi matin",
        no_written_messages=True, shelter_name="Foyer fictif des Tilleuls", address="1 rue Imaginaire, Nîmes",
        address_confidential=True, residence_status="aps", residence_permit_expiry=dt.date(2026, 4, 1),
        health_cover="css", health_cover_expiry=dt.date(2027, 1, 31), monthly_resources="120.50",
        referent=personas.worker.user,
    )  # fmt: skip


# --- What the page shows ---------------------------------------------------------------------------------
def test_worker_sees_identity_and_situation_grouped(client, personas, person):
    OtherName.objects.create(person=person, name="Chiamaka Fiktiv")
    page = login(client, personas.worker).get(situation_url(person)).content.decode()
    for expected in (
        "Identité", "Chiama", "Ada Fictive", "2 juillet 1998", "27 ans", "Nigeria", "Ghana",
        "anglais, igbo", "A1 (découverte)", "Enfants à charge",
        "Foyer fictif des Tilleuls", "1 rue Imaginaire", "confidentiel",
        "Autorisation provisoire de séjour (APS)", "1er avril 2026", "expire bientôt",
        "PUMa et complémentaire santé solidaire (CSS)", "31 janvier 2027", "120,50 €",
        "Chiamaka Fiktiv", "Consentements", "Aucun consentement enregistré.",
    ):  # fmt: skip
        assert expected in page, expected
    assert personas.worker.user.get_full_name() in page


def test_an_expired_permit_is_flagged(client, personas, person):
    Person.objects.filter(pk=person.pk).update(residence_permit_expiry=dt.date(2026, 1, 31))
    page = login(client, personas.worker).get(situation_url(person)).content.decode()
    assert "expiré" in page


def test_safe_contact_banner_is_on_every_page_about_the_person(client, personas, person):
    client = login(client, personas.worker)
    for url in (situation_url(person), reverse("people:person", args=[person.pk]), edit_url(person),
                reverse("people:consent_add", args=[person.pk])):  # fmt: skip
        page = client.get(url).content.decode()
        assert "Contact sous conditions" in page, url
        assert "Aucun message écrit" in page
        assert "07 00 00 00 02" in page
        assert "le mardi matin" in page


def test_no_banner_when_contact_is_free(client, personas):
    free = personas.person(phone="06 00 00 00 09")
    page = login(client, personas.worker).get(situation_url(free)).content.decode()
    assert "Contact sous conditions" not in page
    assert "06 00 00 00 09" in page


def test_phone_shown_with_the_rules_and_never_the_unsafe_number_alone(client, personas, person):
    Person.objects.filter(pk=person.pk).update(never_call=True, no_written_messages=False)
    page = login(client, personas.worker).get(reverse("people:person", args=[person.pk])).content.decode()
    assert "Ne jamais appeler" in page
    assert "07 00 00 00 02" in page
    assert "06 00 00 00 01" not in page  # the synthesis gives the safe number only


def test_no_phone_at_all_when_she_must_be_neither_called_nor_written_to(client, personas, person):
    Person.objects.filter(pk=person.pk).update(never_call=True, no_written_messages=True, safe_phone="")
    page = login(client, personas.worker).get(reverse("people:person", args=[person.pk])).content.decode()
    assert "Ne pas la contacter par téléphone" in page
    assert "06 00 00 00 01" not in page


def test_prefecture_sees_neither_contact_rules_nor_address(client, personas, person):
    from ..conftest import walk_to_avis

    walk_to_avis(personas, person, submitted_on=dt.date(2026, 1, 5), session_on=dt.date(2026, 2, 2))
    page = login(client, personas.agent).get(reverse("people:person", args=[person.pk])).content.decode()
    assert person.first_name in page
    for hidden in ("Contact sous conditions", "07 00 00 00 02", "06 00 00 00 01", "Imaginaire", "Tilleuls"):
        assert hidden not in page


def test_confidential_address_never_appears_in_the_caseload(client, personas, person):
    page = login(client, personas.worker).get(reverse("people:caseload")).content.decode()
    assert person.first_name in page
    assert "Imaginaire" not in page and "Tilleuls" not in page


# --- Who may open it --------------------------------------------------------------------------------------
def test_head_of_service_opens_the_situation(client, personas, person):
    assert login(client, personas.head).get(situation_url(person)).status_code == 200


def test_worker_of_another_association_gets_not_found(client, personas, person):
    client = login(client, personas.outsider)
    for url in (situation_url(person), edit_url(person), reverse("people:consent_add", args=[person.pk])):
        assert client.get(url).status_code == 404
    response = client.post(reverse("people:other_name_add", args=[person.pk]), {"name": "Intrusion"})
    assert response.status_code == 404
    assert not OtherName.objects.exists()


@pytest.mark.parametrize("role", ["volunteer", "intern", "member", "national", "secretariat", "agent"])
def test_roles_outside_the_association_staff_are_refused(client, personas, person, role):
    client = login(client, getattr(personas, role))
    refused = 404 if role in ("volunteer", "intern") else 403  # they are not told the file exists (issue 11)
    for url in (situation_url(person), edit_url(person), reverse("people:consent_add", args=[person.pk])):
        assert client.get(url).status_code == refused, url
    response = client.post(edit_url(person), form_data(person, first_name="Changé"))
    assert response.status_code == refused
    other_name_url = reverse("people:other_name_add", args=[person.pk])
    assert client.post(other_name_url, {"name": "X"}).status_code == refused
    person.refresh_from_db()
    assert person.first_name == "Chiamaka"
    assert not OtherName.objects.exists()


def test_secretariat_of_the_commission_cannot_open_the_situation_even_of_a_submitted_person(
    client, personas, person
):
    from ..conftest import walk_to_avis

    walk_to_avis(personas, person, submitted_on=dt.date(2026, 1, 5), session_on=dt.date(2026, 2, 2))
    client = login(client, personas.secretariat)
    assert client.get(reverse("people:person", args=[person.pk])).status_code == 200
    assert client.get(situation_url(person)).status_code == 403


# --- Changing it --------------------------------------------------------------------------------------------
def test_worker_changes_the_situation(client, personas, person):
    response = login(client, personas.worker).post(edit_url(person), form_data(
        person, dependent_children=4, residence_status="permit", residence_permit_expiry="2027-06-30",
        never_call="on", languages="anglais", receives_rsa="on", monthly_resources="0",
    ), follow=True)  # fmt: skip
    assert "L'identité et la situation sont enregistrées." in html.unescape(response.content.decode())
    person.refresh_from_db()
    assert person.dependent_children == 4
    assert person.residence_status == "permit"
    assert person.residence_permit_expiry == dt.date(2027, 6, 30)
    assert person.never_call and person.receives_rsa
    assert person.address_confidential  # unchanged fields stay


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"birth_date": "2027-01-01"}, "La date de naissance ne peut pas être dans le futur."),
        ({"birth_date": "1899-12-31"}, "vérifiez l&#x27;année"),
        ({"birth_date": "2020-01-01"}, "moins de 13 ans"),
        ({"residence_permit_expiry": "1999-12-31"}, "postérieure au 1er janvier 2000"),
        ({"residence_permit_expiry": "2040-01-01"}, "Aucun titre ne dure plus de 10 ans"),
        ({"residence_status": "french"}, "ne s&#x27;indique que pour"),
        ({"health_cover": "none"}, "ne s&#x27;indique que pour une couverture maladie"),
        ({"monthly_resources": "-5"}, "comprises entre 0 et 100 000 €"),
        ({"phone": "appelle-moi"}, "Un numéro ne contient que des chiffres"),
        ({"first_name": "   "}, "Ce champ est obligatoire."),
        ({"dependent_children": "30"}, "enfants à charge n&#x27;est pas plausible"),
    ],
)
def test_implausible_input_is_refused_with_a_french_message_and_nothing_changes(
    client, personas, person, changes, message
):
    data = form_data(person, residence_permit_expiry="2026-04-01", health_cover_expiry="2027-01-31",
                     monthly_resources="120.50", dependent_children=5)  # fmt: skip
    data.update(changes)
    response = login(client, personas.worker).post(edit_url(person), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Le dossier n'est pas enregistré" in response.content.decode()
    saved = Person.objects.get(pk=person.pk)
    assert (saved.birth_date, saved.dependent_children, saved.residence_status, saved.phone) == (
        dt.date(1998, 7, 2), 2, "aps", "06 00 00 00 01")  # fmt: skip


def test_departement_must_be_one_the_association_serves(client, personas, person):
    from ..factories import departement

    response = login(client, personas.worker).post(edit_url(person), form_data(
        person, departement=departement("75").pk))  # fmt: skip
    assert "Sélectionnez un choix valide" in response.content.decode()
    person.refresh_from_db()
    assert person.departement.code == "30"


def test_referent_is_chosen_among_the_associations_staff(client, personas, person):
    page = login(client, personas.head).get(edit_url(person)).content.decode()
    assert personas.head.user.get_full_name() in page
    assert personas.volunteer.user.get_full_name() not in page
    assert personas.outsider.user.get_full_name() not in page
    response = client.post(edit_url(person), form_data(person, referent=personas.volunteer.user.pk))
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_head_of_service_hands_the_file_to_another_worker(client, personas, person):
    colleague = MembershipFactory(organisation=personas.association, role="social_worker")
    login(client, personas.head).post(edit_url(person), form_data(person, referent=colleague.user.pk))
    person.refresh_from_db()
    assert person.referent == colleague.user


def test_a_worker_who_is_not_the_referent_cannot_make_herself_referent(client, personas, person):
    colleague = MembershipFactory(organisation=personas.association, role="social_worker")
    client = login(client, colleague)
    page = client.get(edit_url(person)).content.decode()
    assert "Seules la cheffe de service et la référente actuelle peuvent la changer." in page
    client.post(edit_url(person), form_data(person, referent=colleague.user.pk, languages="anglais"))
    person.refresh_from_db()
    assert person.referent == personas.worker.user  # the disabled field keeps the referent
    assert person.languages == "anglais"  # the rest of the file is saved


def test_service_refuses_a_referent_change_by_a_worker_who_is_not_the_referent(personas, person):
    from parcours.core.errors import DomainError
    from parcours.people import services

    colleague = MembershipFactory(organisation=personas.association, role="social_worker")
    person.referent = colleague.user
    with pytest.raises(DomainError, match="Seules la cheffe de service"):
        services.update_file(person, colleague)
    assert Person.objects.get(pk=person.pk).referent == personas.worker.user


# --- Other names --------------------------------------------------------------------------------------------
def test_worker_adds_and_removes_other_names(client, personas, person):
    client = login(client, personas.worker)
    page = client.post(reverse("people:other_name_add", args=[person.pk]), {"name": "  Chiamaka   Nwosu "},
                       follow=True).content.decode()  # fmt: skip
    assert "Le nom est ajouté." in page and "Chiamaka Nwosu" in page
    other = OtherName.objects.get(person=person)
    page = client.post(reverse("people:caseload"), {}).status_code  # GET-only pages ignore stray posts
    found = client.get(reverse("people:caseload"), {"q": "Nwosu"}).content.decode()
    assert person.reference in found
    remove_url = reverse("people:other_name_remove", args=[person.pk, other.pk])
    # Issue 8, point 6: removing asks first (a DSFR modal, or this page without script), then removes.
    situation = client.get(reverse("people:situation", args=[person.pk])).content.decode()
    assert f'href="{remove_url}"' in situation and 'aria-controls="modale-nom-' in situation
    assert f'<form method="post" action="{remove_url}">' not in situation  # no one-click removal
    page = client.post(remove_url, follow=True).content.decode()  # unconfirmed: the question only
    assert "Retirer « Chiamaka Nwosu » des autres noms de la personne ?" in html.unescape(page)
    assert OtherName.objects.exists()
    page = client.post(remove_url, {"confirmed": "1"}, follow=True)
    assert "Le nom est retiré du dossier." in page.content.decode()
    assert not OtherName.objects.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Ce champ est obligatoire."),
        ("  ", "Ce champ est obligatoire."),
        ("chiamaka FICTIVE", "figure déjà"),
        ("x" * 201, "200 caractères"),
    ],
)
def test_an_empty_or_known_other_name_is_refused(client, personas, person, name, message):
    page = login(client, personas.worker).post(reverse("people:other_name_add", args=[person.pk]),
                                               {"name": name}, follow=True).content.decode()  # fmt: skip
    assert message in page
    assert not OtherName.objects.exists()


def test_an_other_name_of_another_person_cannot_be_removed_through_this_one(client, personas, person):
    other_person = PersonFactory(association=personas.association)
    other = OtherName.objects.create(person=other_person, name="Garde")
    response = login(client, personas.worker).post(
        reverse("people:other_name_remove", args=[person.pk, other.pk]), {"confirmed": "1"}
    )
    assert response.status_code == 404
    assert OtherName.objects.filter(pk=other.pk).exists()


def test_other_name_pages_accept_only_post(client, personas, person):
    response = login(client, personas.worker).get(reverse("people:other_name_add", args=[person.pk]))
    assert response.status_code == 405
