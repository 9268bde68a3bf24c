"""Password rules (CNIL délibération 2022-100, ANSSI): length without composition rules, no common password,
nothing from the user's names or organisation; Argon2id hashes; a page to change one's password."""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from parcours import settings as project_settings

from ..factories import MembershipFactory, OrganisationFactory


def refused(password, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return [e.code for e in error.error_list]
    return []


@pytest.mark.django_db
def test_length_rather_than_composition():
    assert "password_too_short" in refused("Ab1!Ab1!Ab1")  # 11 characters, all classes: too short
    assert refused("des poireaux bleus en hiver") == []  # a long phrase in lower case: fine
    assert refused("x" * 3 + "un passe très long " * 4) == []  # 64 characters and more are accepted
    assert "password_too_common" in refused("azertyuiop")


@pytest.mark.django_db
def test_the_name_of_the_organisation_is_refused_whatever_the_accents_and_case():
    org = OrganisationFactory(name="Association Éclaircie du Gard")
    user = MembershipFactory(organisation=org, user__username="agent-eclaircie").user
    assert "password_contains_organisation" in refused("ECLAIRCIE-2026-toujours", user)
    assert "password_contains_organisation" in refused("associationeclaircie!!", user)
    assert refused("des poireaux bleus en hiver", user) == []
    # Short words of the name ("du", "Gard") are too common to forbid.
    assert refused("le gard est beau au printemps", user) == []


@pytest.mark.django_db
def test_the_user_name_is_refused():
    user = MembershipFactory(user__username="camille.fictive").user
    assert "password_too_similar" in refused("camille.fictive1", user)


def test_new_hashes_are_argon2id():
    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    hasher = Argon2PasswordHasher()
    assert hasher.encode("une phrase de passe", hasher.salt()).startswith("argon2$argon2id$")


@pytest.mark.django_db
def test_a_user_changes_her_password_on_the_security_page(client, personas):
    user = personas.volunteer.user
    client.force_login(user)
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200
    short = client.post(
        reverse("accounts:password_change"),
        {"old_password": "mot-de-passe-de-test", "new_password1": "court", "new_password2": "court"},
    )
    assert "Ce mot de passe est trop court" in short.content.decode()
    new = "des poireaux bleus en hiver"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "mot-de-passe-de-test", "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
    assert client.get(reverse("accounts:security")).status_code == 200  # still logged in
