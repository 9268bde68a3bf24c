"""Logins, failed logins and logouts are journalled; the password never is."""

import pytest

from parcours.audit.models import AccessLog

from .conftest import rows

PASSWORD = "mot-de-passe-de-test"


def all_values() -> str:
    fields = [f.attname for f in AccessLog._meta.concrete_fields]
    return " ".join(str(v) for row in AccessLog.objects.values_list(*fields) for v in row)


@pytest.mark.django_db
def test_a_login_is_recorded(client, personas):
    response = client.post("/compte/connexion/", {"username": "cheffe", "password": PASSWORD},
                           REMOTE_ADDR="198.51.100.4")  # fmt: skip
    assert response.status_code == 302
    [row] = rows(action="login")
    assert (row.user, row.organisation, row.role) == (
        personas.head.user,
        personas.association,
        "head_of_service",
    )
    assert (row.object_type, row.object_id, row.outcome) == ("user", str(personas.head.user.pk), "allowed")
    assert (row.ip, row.path) == ("198.51.100.4", "/compte/connexion/")


@pytest.mark.django_db
def test_a_failed_login_is_recorded_under_the_accounts_organisation_without_the_password(client, personas):
    response = client.post("/compte/connexion/", {"username": "cheffe", "password": "Canari-mot-de-passe"})
    assert response.status_code == 200
    [row] = rows(action="login_failed")
    assert row.user is None and row.outcome == "denied"
    assert (row.object_type, row.object_id) == ("account", str(personas.head.user.pk))
    assert row.organisation == personas.association  # her head of service sees it in the journal
    assert row.ip == "127.0.0.1"
    assert "Canari-mot-de-passe" not in all_values()


@pytest.mark.django_db
def test_a_failed_login_on_an_unknown_name_keeps_nothing_of_what_was_typed(client, personas):
    # Someone typing her password in the name field must not find it in the journal.
    client.post("/compte/connexion/", {"username": "Canari-secret-tape", "password": "x"})
    [row] = rows(action="login_failed")
    assert (row.object_type, row.object_id, row.organisation) == ("account", "inconnu", None)
    assert "Canari-secret-tape" not in all_values()


@pytest.mark.django_db
def test_a_logout_is_recorded(client, personas):
    client.post("/compte/connexion/", {"username": "travailleuse", "password": PASSWORD})
    client.post("/compte/deconnexion/")
    [row] = rows(action="logout")
    assert (row.user, row.organisation) == (personas.worker.user, personas.association)
