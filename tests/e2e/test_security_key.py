"""A social worker's first login with a security key, then a login with it, in Chromium with the DevTools
virtual authenticator as the key (a software FIDO2 authenticator: real WebAuthn ceremonies, real
signatures). Along the way, the browser reports no Content Security Policy violation."""

import pytest
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

PASSWORD = "mot-de-passe-de-test"  # tests/factories.py: UserFactory.password

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def security_key(page):
    """A USB FIDO2 key plugged into the browser, that says yes to every touch."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    yield cdp, added["authenticatorId"]
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": added["authenticatorId"]})


@pytest.fixture
def csp_violations(page):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


def log_in_with_password(page, username):
    page.goto("/compte/connexion/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_enrol_a_security_key_then_log_in_with_it(
    page, live_server, personas, settings, security_key, csp_violations
):
    settings.PARCOURS_MFA_REQUIRED = True
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    cdp, authenticator = security_key

    # First login: the password opens only the enrolment page.
    log_in_with_password(page, "travailleuse")
    expect(page.get_by_role("heading", name="Sécurité du compte", level=1)).to_be_visible()
    expect(page.get_by_text("Ajoutez une seconde étape de connexion pour continuer")).to_be_visible()
    page.get_by_role("button", name="Ajouter une clé de sécurité").click()

    # The key is registered; the next step offers recovery codes.
    expect(page.get_by_role("heading", name="Codes de secours", level=1)).to_be_visible()
    credential = WebAuthnCredential.objects.get(user=personas.worker.user)
    assert credential.confirmed
    assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]) == 1
    page.get_by_role("button", name="Générer mes codes de secours").click()
    expect(page.get_by_text("Vos nouveaux codes de secours")).to_be_visible()
    expect(page.get_by_role("list", name="Codes de secours").get_by_role("listitem")).to_have_count(10)
    page.get_by_role("link", name="Continuer vers Parcours").click()
    expect(page.get_by_role("heading", name="À faire", exact=True)).to_be_visible()
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()

    # Next login: password, then the key.
    log_in_with_password(page, "travailleuse")
    expect(page.get_by_role("heading", name="Vérification en deux étapes")).to_be_visible()
    page.get_by_role("button", name="Utiliser ma clé de sécurité").click()
    expect(page.get_by_role("heading", name="À faire", exact=True)).to_be_visible()
    credential.refresh_from_db()
    assert credential.last_used_at is not None
    assert credential.sign_count >= 1

    assert csp_violations == []
