"""Second factor: the roles that see identities enrol one before anything else and use it at every login;
the others may. Codes are computed with django-otp's own TOTP implementation (RFC 6238)."""

import base64
import datetime as dt
import hashlib
import re

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django_otp import user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from parcours.accounts import mfa
from parcours.accounts.middleware import OPEN_BEFORE_SECOND_FACTOR, OPEN_TO_ENROL
from parcours.accounts.roles import IDENTITY_ROLES
from parcours.proconnect.models import ProConnectDevice

from .test_page_rules import PAGES_WITHOUT_ARGUMENTS

PASSWORD = "mot-de-passe-de-test"  # tests/factories.py
LOGIN = reverse("accounts:login")
IDENTITY_PERSONAS = ["worker", "head", "secretariat", "agent"]
OTHER_PERSONAS = ["volunteer", "intern", "member", "national"]
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _second_factor_forced(settings):
    settings.PARCOURS_MFA_REQUIRED = True


@pytest.fixture
def clock_at_start():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def log_in(client, username):
    response = client.post(LOGIN, {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def code_for(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def enrolled_application(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Application", confirmed=True)


def test_the_roles_that_see_identities_are_exactly_the_five_of_the_issue():
    # The partner's counsellor sees the identity of the people who consented to share it with her.
    assert set(IDENTITY_ROLES) == {
        "social_worker",
        "head_of_service",
        "secretariat",
        "prefecture_agent",
        "partner_counsellor",
    }


# --- A password alone opens nothing for the roles that see identities --------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("role", IDENTITY_PERSONAS)
def test_a_password_alone_reaches_no_page_and_leads_to_enrolment(client, personas, role):
    log_in(client, getattr(personas, role).user.username)
    security = reverse("accounts:security")
    open_pages = {
        reverse(name) for name in OPEN_BEFORE_SECOND_FACTOR | OPEN_TO_ENROL if ":credential" not in name
    }
    for name, _rule in [*PAGES_WITHOUT_ARGUMENTS, ("core:home", None)]:
        url = reverse(name)
        if url in open_pages:
            continue
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(security + "?next="), name
    page = client.get(security)
    assert page.status_code == 200
    assert "Ajoutez une seconde étape de connexion pour continuer" in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", OTHER_PERSONAS)
def test_the_other_roles_may_enrol_but_are_not_forced(client, personas, role):
    log_in(client, getattr(personas, role).user.username)
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] != reverse("accounts:security")
    page = client.get(reverse("accounts:security")).content.decode()
    assert "facultative pour votre rôle" in page


@pytest.mark.django_db
def test_with_the_setting_off_the_password_is_enough(client, personas, settings):
    settings.PARCOURS_MFA_REQUIRED = False
    log_in(client, "travailleuse")
    assert client.get(reverse("people:caseload")).status_code == 200


# --- Enrolment -----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_enrolling_an_application_then_recovery_codes(client, personas, clock_at_start):
    user = personas.worker.user
    log_in(client, "travailleuse")
    page = client.get(reverse("accounts:totp_setup"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "QR code à scanner" in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r'<code id="cle-totp">([A-Z2-7 ]+)</code>', html).group(1)
    assert secret.replace(" ", "") == base64.b32encode(device.bin_key).decode()
    # Reloading the page keeps the same key (the QR code scanned a minute ago stays valid).
    client.get(reverse("accounts:totp_setup"))
    assert TOTPDevice.objects.filter(user=user).count() == 1

    wrong = client.post(
        reverse("accounts:totp_setup"), {"code": "000000" if code_for(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 200
    assert "Code incorrect : vérifiez l&#x27;heure" in wrong.content.decode()
    clock_at_start.shift(dt.timedelta(seconds=30))  # past the throttling delay of the wrong code
    response = client.post(reverse("accounts:totp_setup"), {"code": code_for(device)})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:recovery_codes")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("people:caseload")).status_code == 200  # the session is verified

    codes_page = client.post(reverse("accounts:recovery_codes")).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes_page)
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user=user).count() == 10
    # Generating again replaces them.
    client.post(reverse("accounts:recovery_codes"))
    assert not StaticToken.objects.filter(device__user=user, token__in=codes).exists()


@pytest.mark.django_db
def test_recovery_codes_need_a_verified_session(client, personas):
    log_in(client, "benevole")  # not forced, no device
    page = client.get(reverse("accounts:recovery_codes"))
    assert "Ajoutez d'abord une application" in page.content.decode()
    assert client.post(reverse("accounts:recovery_codes")).status_code == 404
    assert not StaticDevice.objects.exists()


# --- Every login asks for the second factor -----------------------------------------------------------
@pytest.mark.django_db
def test_login_requires_the_code_and_refuses_a_wrong_one(client, personas, clock_at_start):
    device = enrolled_application(personas.worker.user)
    log_in(client, "travailleuse")
    caseload = reverse("people:caseload")
    response = client.get(caseload)
    verify = reverse("accounts:mfa_verify")
    assert response["Location"] == f"{verify}?next={caseload.replace('/', '%2F')}"

    page = client.get(response["Location"])
    assert "Vérification en deux étapes" in page.content.decode()
    right = code_for(device)
    wrong = client.post(verify, {"code": "123456" if right != "123456" else "654321", "next": caseload})
    assert wrong.status_code == 200
    assert "Code incorrect ou expiré." in wrong.content.decode()
    assert client.get(caseload).status_code == 302  # still not verified

    # Right after a wrong code, django-otp makes the user wait (the delay doubles with each failure).
    throttled = client.post(verify, {"code": right, "next": caseload})
    assert "patientez" in throttled.content.decode()
    clock_at_start.shift(dt.timedelta(seconds=2))
    response = client.post(verify, {"code": code_for(device), "next": caseload})
    assert response.status_code == 302
    assert response["Location"] == caseload
    assert client.get(caseload).status_code == 200

    # The next login asks again, and the code already used is refused (no replay).
    client.post(reverse("accounts:logout"))
    log_in(client, "travailleuse")
    assert client.get(caseload).status_code == 302
    assert client.post(verify, {"code": right}).status_code == 200
    clock_at_start.shift(dt.timedelta(seconds=30))
    assert client.post(verify, {"code": code_for(device)}).status_code == 302


@pytest.mark.django_db
def test_verification_renews_the_session_key(client, personas, clock_at_start):
    device = enrolled_application(personas.worker.user)
    log_in(client, "travailleuse")
    before = client.session.session_key
    client.post(reverse("accounts:mfa_verify"), {"code": code_for(device)})
    assert client.session.session_key != before


@pytest.mark.django_db
def test_a_recovery_code_works_once(client, personas):
    user = personas.agent.user
    enrolled_application(user)
    recovery = StaticDevice.objects.create(user=user, name="Codes de secours")
    recovery.token_set.create(token="abcd2345")
    verify = reverse("accounts:mfa_verify")
    log_in(client, "prefecture")
    assert client.post(verify, {"code": "ABCD 2345"}).status_code == 302
    client.post(reverse("accounts:logout"))
    log_in(client, "prefecture")
    assert client.post(verify, {"code": "abcd2345"}).status_code == 200


@pytest.mark.django_db
def test_a_user_who_chose_a_second_factor_is_asked_for_it_even_when_not_forced(client, personas):
    enrolled_application(personas.member.user)
    log_in(client, "membre")
    response = client.get(reverse("pathway:sessions"))
    assert response["Location"].startswith(reverse("accounts:mfa_verify"))


# --- A stolen password cannot add or remove a factor --------------------------------------------------
@pytest.mark.django_db
def test_a_password_alone_cannot_add_a_factor_to_an_enrolled_account(client, personas):
    enrolled_application(personas.worker.user)
    log_in(client, "travailleuse")
    for name in ("accounts:security", "accounts:totp_setup", "otp_webauthn:credential-registration-begin"):
        response = client.post(reverse(name)) if "credential" in name else client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:mfa_verify")), name
    assert TOTPDevice.objects.filter(user=personas.worker.user).count() == 1
    assert not WebAuthnCredential.objects.exists()


@pytest.mark.django_db
def test_the_last_factor_of_a_forced_role_cannot_be_removed(client, personas, clock_at_start):
    device = enrolled_application(personas.worker.user)
    log_in(client, "travailleuse")
    client.post(reverse("accounts:mfa_verify"), {"code": code_for(device)})
    remove = reverse("accounts:device_remove", args=["application", device.pk])
    response = client.post(remove, follow=True)
    assert "ajoutez une autre application ou clé" in response.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()

    second = enrolled_application(personas.worker.user)
    client.post(remove)
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert TOTPDevice.objects.filter(pk=second.pk).exists()


@pytest.mark.django_db
def test_nobody_removes_the_device_of_someone_else(client, personas, clock_at_start):
    device = enrolled_application(personas.worker.user)
    other = enrolled_application(personas.head.user)
    log_in(client, "travailleuse")
    client.post(reverse("accounts:mfa_verify"), {"code": code_for(device)})
    response = client.post(reverse("accounts:device_remove", args=["application", other.pk]))
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(pk=other.pk).exists()


@pytest.mark.django_db
def test_an_operator_resets_a_lost_second_factor(personas, capsys):
    user = personas.worker.user
    enrolled_application(user)
    StaticDevice.objects.create(user=user, name="Codes de secours").token_set.create(token="abcd2345")
    call_command("mfa_reset", "travailleuse")
    assert "réinitialisée" in capsys.readouterr().out
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()


# --- Whether a user holds a device: what django-otp says, in one query (issue 15) ---------------------
def _security_key(user) -> WebAuthnCredential:
    credential_id = b"\x01" * 16
    return WebAuthnCredential.objects.create(
        user=user, name="Clé", confirmed=True, credential_id=credential_id, public_key=b"\x02" * 32,
        aaguid="00000000-0000-0000-0000-000000000000",
        credential_id_sha256=hashlib.sha256(credential_id).hexdigest(),
    )  # fmt: skip


DEVICES = {
    "none": lambda user: None,
    "application": enrolled_application,
    "recovery codes": lambda user: StaticDevice.objects.create(user=user, name="Codes", confirmed=True),
    "security key": _security_key,
    "application not confirmed": lambda user: TOTPDevice.objects.create(user=user, name="A", confirmed=False),
    # Confirmed, but django-otp lists it for nobody: a password login must not ask for it (proconnect/models).
    "ProConnect only": lambda user: ProConnectDevice.objects.create(user=user, name="P", confirmed=True),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(DEVICES))
def test_whether_a_user_holds_a_device_is_one_query_and_what_django_otp_says(
    personas, kind, django_assert_num_queries
):
    """The session not yet verified asks on every request (SecondFactorMiddleware): one query, where
    django-otp's own answer reads each device table in turn."""
    user = personas.worker.user
    DEVICES[kind](user)
    enrolled_application(personas.outsider.user)  # someone else's device counts for nobody else
    with django_assert_num_queries(1):
        held = mfa.has_any_device(user)
    assert held is (kind in {"application", "recovery codes", "security key"})
    assert held is user_has_device(user)
