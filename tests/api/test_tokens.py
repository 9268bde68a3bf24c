"""Personal tokens: hashed at rest, shown once, scoped, expiring, revocable; refused at the next call."""

import datetime as dt
import hashlib

import pytest
from django.db import connection

from parcours.api import tokens
from parcours.api.models import ApiToken
from parcours.audit.models import AccessLog
from parcours.core import clock
from parcours.core.errors import DomainError

from .conftest import bearer, token_for


@pytest.mark.django_db
def test_the_secret_is_not_stored_only_its_sha256(personas):
    secret = token_for(personas.worker)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apitoken")
        [row] = cursor.fetchall()
    stored = " ".join(str(v) for v in row)
    assert secret not in stored and secret[20:40] not in stored
    assert hashlib.sha256(secret.encode()).hexdigest() in stored
    token = ApiToken.objects.get()
    assert token.prefix == secret[:12] and len(secret) > 40


@pytest.mark.django_db
def test_creation_and_revocation_are_journaled(personas):
    secret = token_for(personas.worker)
    token = ApiToken.objects.get()
    tokens.revoke_token(token, personas.worker)
    events = list(
        AccessLog.objects.filter(event__startswith="api_token.")
        .order_by("seq")
        .values_list("event", "user__username")
    )
    assert events == [("api_token.create", "travailleuse"), ("api_token.revoke", "travailleuse")]
    assert secret not in str(list(AccessLog.objects.values_list()))


@pytest.mark.django_db
def test_a_revoked_token_is_refused_at_the_next_call(client, personas):
    secret = token_for(personas.worker)
    assert client.get("/api/v1/people", **bearer(secret)).status_code == 200
    tokens.revoke_token(ApiToken.objects.get(), personas.worker)
    response = client.get("/api/v1/people", **bearer(secret))
    assert response.status_code == 401
    assert response.json() == {"detail": "Jeton absent, inconnu, expiré ou révoqué."}
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.django_db
def test_an_expired_token_is_refused_at_the_next_call(client, personas):
    secret = token_for(personas.worker, days=2)
    assert client.get("/api/v1/people", **bearer(secret)).status_code == 200
    with clock.travel_to(clock.today() + dt.timedelta(days=3)):
        assert client.get("/api/v1/people", **bearer(secret)).status_code == 401


@pytest.mark.django_db
def test_a_token_of_an_ended_membership_is_refused(client, personas):
    secret = token_for(personas.worker)
    personas.worker.is_active = False
    personas.worker.save()
    assert client.get("/api/v1/people", **bearer(secret)).status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["", "Bearer", "Bearer prc_inconnu", "Basic dXNlcjpwYXNz", "Token abc"])
def test_a_missing_or_unknown_token_is_a_401_in_french(client, personas, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/api/v1/people", **extra)
    assert response.status_code == 401
    assert response.json()["detail"] == "Jeton absent, inconnu, expiré ou révoqué."


@pytest.mark.django_db
def test_the_session_of_the_pages_opens_nothing_in_the_api(client, personas):
    client.force_login(personas.worker.user)
    assert client.get("/api/v1/people").status_code == 401


@pytest.mark.django_db
def test_the_expiry_is_mandatory_and_at_most_a_year(personas):
    today = clock.today()
    for bad in (None, today, today + dt.timedelta(days=366)):
        with pytest.raises(DomainError):
            tokens.create_token(personas.worker, name="x", read=["people"], write=[], expires_on=bad)
    tokens.create_token(
        personas.worker, name="x", read=["people"], write=[], expires_on=today + dt.timedelta(days=365)
    )


@pytest.mark.django_db
def test_volunteers_interns_and_partners_hold_no_token(personas):
    for m in (personas.volunteer, personas.intern):
        with pytest.raises(DomainError):
            tokens.create_token(
                m, name="x", read=["people"], write=[], expires_on=clock.today() + dt.timedelta(days=9)
            )


@pytest.mark.django_db
def test_a_role_cannot_take_a_scope_its_pages_do_not_give(personas):
    with pytest.raises(DomainError):  # the commission member reads no person's file
        tokens.create_token(personas.member, name="x", read=["people"], write=[],
                            expires_on=clock.today() + dt.timedelta(days=9))  # fmt: skip
    with pytest.raises(DomainError):  # statistics are read only
        tokens.create_token(personas.head, name="x", read=["statistics"], write=["statistics"],
                            expires_on=clock.today() + dt.timedelta(days=9))  # fmt: skip
    assert tokens.resources_for(personas.member) == ["requests", "sessions", "avis"]
    assert tokens.resources_for(personas.national) == ["statistics"]


@pytest.mark.django_db
def test_the_account_page_creates_shows_once_and_revokes(client, personas):
    client.force_login(personas.worker.user)
    page = client.get("/compte/securite/")
    assert "/compte/jetons-api/" in page.content.decode()
    expires = (clock.today() + dt.timedelta(days=30)).isoformat()
    data = {"name": "Tableur de l'équipe", "read": ["people", "appointments"], "write": ["appointments"],
            "expires_on": expires}  # fmt: skip
    response = client.post("/compte/jetons-api/", data)
    assert response.status_code == 200
    token = ApiToken.objects.get()
    html = response.content.decode()
    secret = next(w for w in html.replace("<", " ").replace(">", " ").split() if w.startswith("prc_"))
    assert hashlib.sha256(secret.encode()).hexdigest() == token.digest
    assert (token.read_scopes, token.write_scopes) == (["appointments", "people"], ["appointments"])
    again = client.get("/compte/jetons-api/").content.decode()
    assert secret not in again and token.prefix in again and "Tableur de l" in again
    confirm = client.get(f"/compte/jetons-api/{token.pk}/revoquer/")
    assert confirm.status_code == 200 and "Révoquer ce jeton" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None  # a GET asks, it does not revoke
    assert client.post(f"/compte/jetons-api/{token.pk}/revoquer/", {"confirmed": "1"}).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/people", **bearer(secret)).status_code == 401


@pytest.mark.django_db
def test_nobody_revokes_the_token_of_another(client, personas):
    token_for(personas.worker)
    token = ApiToken.objects.get()
    client.force_login(personas.head.user)
    assert client.post(f"/compte/jetons-api/{token.pk}/revoquer/", {"confirmed": "1"}).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.django_db
def test_the_account_page_refuses_an_expiry_beyond_a_year_in_french(client, personas):
    client.force_login(personas.worker.user)
    expires = (clock.today() + dt.timedelta(days=400)).isoformat()
    response = client.post("/compte/jetons-api/", {"name": "x", "read": ["people"], "expires_on": expires})
    assert (
        "La date d&#x27;expiration doit être comprise entre demain et dans 365 jours."
        in response.content.decode()
    )
    assert not ApiToken.objects.exists()
