"""Login throttling (django-axes): 5 failures for one account or from one address lock the login for
15 minutes, then it opens again by itself; the password never reaches a log or the database."""

import datetime as dt
import logging

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from parcours.accounts.throttling import client_ip

PASSWORD = "mot-de-passe-de-test"  # tests/factories.py
WRONG = "mauvais-mot-de-passe-CANARI"
LOGIN = reverse("accounts:login")
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
LOCKED = "Connexion temporairement bloquée"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def attempt(client, username, password, address="192.0.2.10"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_five_failures_lock_the_account_for_fifteen_minutes_then_release_it(client, personas, clock):
    for _ in range(4):
        response = attempt(client, "travailleuse", WRONG)
        assert response.status_code == 200
        assert "Saisissez un nom d’utilisateur et un mot de passe valides" in response.content.decode()
    fifth = attempt(client, "travailleuse", WRONG)
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()
    assert "pendant 15 minutes" in fifth.content.decode()

    # Locked: even the right password is refused, from another address too.
    clock.shift(dt.timedelta(minutes=14))
    assert attempt(client, "travailleuse", PASSWORD, address="198.51.100.7").status_code == 429
    assert "_auth_user_id" not in client.session

    # That refused attempt restarted the 15 minutes; once they have passed, the login opens again.
    clock.shift(dt.timedelta(minutes=16))
    response = attempt(client, "travailleuse", PASSWORD, address="198.51.100.7")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.worker.user.pk)


@pytest.mark.django_db
def test_five_failures_from_one_address_lock_that_address_whatever_the_account(client, personas, clock):
    for username in ("travailleuse", "cheffe", "benevole", "inconnue", "membre"):
        attempt(client, username, WRONG)
    # Another account, with its right password, from the same address: refused.
    assert attempt(client, "secretariat", PASSWORD).status_code == 429
    # The same account from another address: allowed.
    assert attempt(client, "secretariat", PASSWORD, address="198.51.100.7").status_code == 302


@pytest.mark.django_db
def test_an_unknown_account_is_locked_the_same_way(client, personas, clock):
    """The answers do not tell whether an account exists."""
    answers = {}
    for username in ("travailleuse", "personne-inconnue"):
        codes = [attempt(client, username, WRONG, address=f"192.0.2.{len(answers) + 20}") for _ in range(5)]
        answers[username] = [r.status_code for r in codes]
    assert answers["travailleuse"] == answers["personne-inconnue"] == [200, 200, 200, 200, 429]


@pytest.mark.django_db
def test_failures_are_logged_without_the_password(client, personas, clock, caplog):
    with caplog.at_level(logging.INFO):
        for _ in range(5):
            attempt(client, "travailleuse", WRONG)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Locking out" in logged
    # The log stream masks the account and the address too (minimal data in logs); the attempts table,
    # apart from the logs, keeps them for an investigation.
    assert WRONG not in logged
    assert "travailleuse" not in logged
    stored = AccessAttempt.objects.get(username="travailleuse", ip_address="192.0.2.10")
    assert stored.failures_since_start == 5
    assert WRONG not in stored.post_data
    assert "password=********************" in stored.post_data


def test_behind_a_trusted_proxy_the_address_is_the_one_the_proxy_saw(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 192.0.2.44"
    )
    settings.PARCOURS_TRUSTED_PROXIES = ()
    assert client_ip(request) == "10.0.0.1"  # a forged header is ignored without a declared proxy
    settings.PARCOURS_TRUSTED_PROXIES = ("10.0.0.1",)
    assert client_ip(request) == "192.0.2.44"  # what our proxy appended, not what the client claimed


@pytest.mark.django_db
def test_behind_the_proxy_one_clients_failures_do_not_lock_another_client(client, personas, clock, settings):
    """Issue 7, finding 5: the journal read PARCOURS_TRUSTED_PROXY (a list) and the throttling
    PARCOURS_TRUSTED_PROXIES (a count); with only the list set, axes saw every browser as the proxy's address
    and five wrong passwords from one client locked everybody. Before the change this failed (the count was
    0, or a TypeError with a list); now the single setting serves both."""
    settings.PARCOURS_TRUSTED_PROXIES = ("127.0.0.1",)
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for username in ("travailleuse", "cheffe", "benevole", "inconnue", "membre"):
        client.post(LOGIN, {"username": username, "password": WRONG}, HTTP_X_FORWARDED_FOR="198.51.100.66",
                    **proxy)  # fmt: skip
    # The attacker's address is locked…
    locked = client.post(LOGIN, {"username": "secretariat", "password": PASSWORD},
                         HTTP_X_FORWARDED_FOR="198.51.100.66", **proxy)  # fmt: skip
    assert locked.status_code == 429
    # …another client behind the same proxy logs in.
    other = client.post(LOGIN, {"username": "secretariat", "password": PASSWORD},
                        HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)  # fmt: skip
    assert other.status_code == 302
    assert AccessAttempt.objects.filter(ip_address="198.51.100.66").exists()
    assert not AccessAttempt.objects.filter(ip_address="127.0.0.1").exists()
