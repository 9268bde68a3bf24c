"""Sessions: a new key at login, closed after 30 minutes without a request and 8 hours after the login."""

import datetime as dt

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

PASSWORD = "mot-de-passe-de-test"  # tests/factories.py
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def log_in(client):
    assert (
        client.post(reverse("accounts:login"), {"username": "travailleuse", "password": PASSWORD}).status_code
        == 302
    )


@pytest.mark.django_db
def test_the_session_key_changes_at_login(client, personas):
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key
    log_in(client)
    assert client.session.session_key != before


@pytest.mark.django_db
def test_thirty_minutes_without_a_request_end_the_session(client, personas, clock):
    caseload = reverse("people:caseload")
    log_in(client)
    clock.shift(dt.timedelta(minutes=29))
    assert client.get(caseload).status_code == 200
    clock.shift(dt.timedelta(minutes=29))  # each request restarts the 30 minutes
    assert client.get(caseload).status_code == 200
    clock.shift(dt.timedelta(minutes=31))
    response = client.get(caseload)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login") + "?next=%2Fpersonnes%2F"
    assert "_auth_user_id" not in client.session
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("expiré après 30 minutes d'inactivité" in t for t in texts)


@pytest.mark.django_db
def test_the_idle_limit_is_a_setting(client, personas, clock, settings):
    settings.PARCOURS_SESSION_IDLE_MINUTES = 5
    log_in(client)
    clock.shift(dt.timedelta(minutes=6))
    assert client.get(reverse("people:caseload")).status_code == 302


@pytest.mark.django_db
def test_eight_hours_after_login_the_session_ends_even_when_active(client, personas, clock):
    caseload = reverse("people:caseload")
    log_in(client)
    for _ in range(24):  # a request every 20 minutes for 8 hours
        clock.shift(dt.timedelta(minutes=20))
        assert client.get(caseload).status_code == 200
    clock.shift(dt.timedelta(minutes=20))
    response = client.get(caseload)
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_http_only_and_same_site(client, personas):
    page = client.get(reverse("accounts:login"))
    csrf = page.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post(reverse("accounts:login"), {"username": "travailleuse", "password": PASSWORD})
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert session["max-age"] == ""  # ends with the browser
