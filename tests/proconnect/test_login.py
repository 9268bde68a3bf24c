"""ProConnect login against a real OpenID Connect provider (oidc-provider, started by the fixture), driven
over plain HTTP following the redirects as a browser does: Parcours → provider's login form → consent →
Parcours' callback → the page the account lands on.

The oracle is what the user sees (the final address, the organisation page, the French message) and what the
database holds afterwards (accounts, links, journal rows), never the views' own state."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from parcours.audit.models import AccessLog, Outcome
from parcours.proconnect.models import ProConnectIdentity

from ..factories import MembershipFactory, OrganisationFactory
from .conftest import SIRET_GARD, SIRET_HERAULT

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
TODO = "/parcours/a-faire/"


def proconnect_login(live_server, provider, login: str) -> tuple[requests.Session, requests.Response]:
    """Click the button, type `login` at the provider; returns the browser and the page it ends on."""
    browser = requests.Session()
    page = browser.get(f"{live_server.url}/compte/connexion/", timeout=10)
    assert "S’identifier avec" in page.text and "ProConnect" in page.text
    form = browser.get(f"{live_server.url}/compte/proconnect/connexion/", timeout=10)
    assert form.url.startswith(provider.issuer + "/interaction/"), form.url
    action = re.search(r'action="([^"]+)"', form.text).group(1)
    landed = browser.post(provider.issuer + action, data={"login": login}, timeout=20)
    return browser, landed


def path_of(response) -> str:
    return urlparse(response.url).path


@pytest.fixture
def agent():
    """A social worker of two associations (Gard, Hérault) whose e-mail differs in case from ProConnect's,
    with an authenticator application (so that a password login asks for it)."""
    gard = OrganisationFactory(name="Association fictive du Gard", siret=SIRET_GARD)
    herault = OrganisationFactory(name="Association fictive de l'Hérault", siret=SIRET_HERAULT)
    first = MembershipFactory(
        organisation=gard, role="social_worker", user__email="camille.demo-agent@exemple.gouv.fr"
    )
    MembershipFactory(organisation=herault, role="social_worker", user=first.user)
    TOTPDevice.objects.create(user=first.user, name="Téléphone", confirmed=True)
    return first.user


def test_an_invited_account_is_linked_lands_on_the_organisation_chosen_and_skips_the_second_factor(
    live_server, provider, agent, settings
):
    settings.PARCOURS_MFA_REQUIRED = True
    browser, landed = proconnect_login(live_server, provider, "agent-mfa")
    # amr contains "mfa": no second step although the account has an application; a social worker's home
    # is her to-do page.
    assert landed.status_code == 200
    assert path_of(landed) == TODO, landed.url
    organisation = browser.get(f"{live_server.url}/compte/organisation/", timeout=10)
    assert path_of(organisation) == "/compte/organisation/"
    assert "Association fictive de l&#x27;Hérault" in organisation.text  # the SIRET chosen at ProConnect
    identity = ProConnectIdentity.objects.get()
    assert (identity.user, identity.sub) == (agent, "agent-mfa")
    assert AccessLog.objects.filter(event="proconnect.link", user=agent).count() == 1
    assert AccessLog.objects.filter(action="login", user=agent).count() == 1

    # Later logins match on the identity (sub), whatever the e-mail of the account has become.
    get_user_model().objects.filter(pk=agent.pk).update(email="nouvelle.adresse@exemple.fr")
    _browser, again = proconnect_login(live_server, provider, "agent-mfa")
    assert path_of(again) == TODO
    assert ProConnectIdentity.objects.count() == 1
    assert get_user_model().objects.count() == 1


def test_without_mfa_at_proconnect_the_second_factor_is_asked(live_server, provider, agent, settings):
    settings.PARCOURS_MFA_REQUIRED = True
    browser, landed = proconnect_login(live_server, provider, "agent-pwd")
    assert path_of(landed) == "/compte/verification/", landed.url
    # Any page still leads to the second step.
    organisation = browser.get(f"{live_server.url}/compte/organisation/", timeout=10)
    assert path_of(organisation) == "/compte/verification/"
    assert "Vérification en deux étapes" in organisation.text


def test_an_acr_declared_by_the_operator_counts_as_a_second_factor(live_server, provider, agent, settings):
    settings.PARCOURS_MFA_REQUIRED = True
    settings.PARCOURS_PROCONNECT_MFA_ACR = ("eidas2",)
    _browser, landed = proconnect_login(live_server, provider, "agent-acr")
    assert path_of(landed) == TODO, landed.url
    settings.PARCOURS_PROCONNECT_MFA_ACR = ()
    _browser, landed = proconnect_login(live_server, provider, "agent-acr")
    assert path_of(landed) == "/compte/verification/", landed.url


def test_an_unknown_email_is_refused_and_nothing_is_created(live_server, provider, agent):
    users = get_user_model().objects.count()
    browser, landed = proconnect_login(live_server, provider, "inconnue")
    assert path_of(landed) == "/compte/connexion/"
    assert "Aucun compte Parcours n’est ouvert" in landed.text.replace("&#x27;", "’").replace("'", "’")
    assert get_user_model().objects.count() == users
    assert not ProConnectIdentity.objects.exists()
    assert "sessionid" not in browser.cookies or browser.get(
        f"{live_server.url}/compte/organisation/", timeout=10
    ).url.startswith(f"{live_server.url}/compte/connexion/")
    row = AccessLog.objects.get(event="proconnect.refuse_unknown")
    assert (row.outcome, row.user_id, row.object_id) == (Outcome.DENIED, None, "inconnu")
    assert not AccessLog.objects.filter(action="login").exists()


def test_a_siret_of_another_organisation_is_refused(live_server, provider, agent):
    browser, landed = proconnect_login(live_server, provider, "autre-siret")
    assert path_of(landed) == "/compte/connexion/"
    text = landed.text.replace("&#x27;", "’").replace("'", "’")
    assert "n’est pas une organisation où votre compte Parcours est actif" in text
    assert not ProConnectIdentity.objects.exists()
    assert browser.get(f"{live_server.url}/compte/organisation/", timeout=10).url.startswith(
        f"{live_server.url}/compte/connexion/"
    )
    row = AccessLog.objects.get(event="proconnect.refuse_siret")
    assert (row.outcome, row.object_id) == (Outcome.DENIED, str(agent.pk))


def test_logout_ends_the_proconnect_session_too(live_server, provider, agent):
    browser, landed = proconnect_login(live_server, provider, "agent-mfa")
    assert path_of(landed) == TODO
    token = browser.cookies.get("csrftoken")
    left = browser.post(
        f"{live_server.url}/compte/deconnexion/",
        headers={"X-CSRFToken": token},
        allow_redirects=False,
        timeout=10,
    )
    assert left.status_code == 302
    location = left.headers["Location"]
    assert location.startswith(provider.issuer + "/session/end?"), location
    query = parse_qs(urlparse(location).query)
    assert query["post_logout_redirect_uri"] == [f"{live_server.url}/compte/connexion/"]
    # Logged out of Parcours already.
    assert browser.get(f"{live_server.url}/compte/organisation/", timeout=10).url.startswith(
        f"{live_server.url}/compte/connexion/"
    )
    # The provider accepts the id_token_hint, asks to confirm, then sends back to Parcours' login page.
    confirm = browser.get(location, timeout=10)
    assert confirm.status_code == 200, confirm.text
    action = re.search(r'action="([^"]+)"', confirm.text).group(1)
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', confirm.text).group(1)
    back = browser.post(provider.issuer + action if action.startswith("/") else action,
                        data={"xsrf": xsrf, "logout": "yes"}, timeout=10)  # fmt: skip
    assert back.url.startswith(f"{live_server.url}/compte/connexion/"), back.url
    # The ProConnect session is over: the button leads to the provider's login form again.
    again = browser.get(f"{live_server.url}/compte/proconnect/connexion/", timeout=10)
    assert again.url.startswith(provider.issuer + "/interaction/")
    assert 'name="login"' in again.text


def test_the_button_is_absent_when_proconnect_is_not_configured(client, settings):
    settings.PARCOURS_PROCONNECT_ENABLED = False
    page = client.get("/compte/connexion/")
    assert "ProConnect" not in page.content.decode()
    assert client.get("/compte/proconnect/connexion/").status_code == 404
    assert client.get("/compte/proconnect/retour/?code=x&state=y").status_code == 404


def test_the_check_made_by_proconnect_is_not_a_factor_a_password_login_would_ask_for(
    live_server, provider, settings
):
    """A volunteer (second factor optional) without any factor logs in once with ProConnect and two factors;
    her next password login is not sent to a verification page she could not pass."""
    settings.PARCOURS_MFA_REQUIRED = True
    herault = OrganisationFactory(siret=SIRET_HERAULT)
    volunteer = MembershipFactory(
        organisation=herault, role="volunteer", user__email="camille.demo-agent@exemple.gouv.fr"
    ).user
    _browser, landed = proconnect_login(live_server, provider, "agent-mfa")
    assert not path_of(landed).startswith(("/compte/verification/", "/compte/connexion/")), landed.url
    browser = requests.Session()
    browser.get(f"{live_server.url}/compte/connexion/", timeout=10)
    logged = browser.post(
        f"{live_server.url}/compte/connexion/",
        data={
            "username": volunteer.username,
            "password": "mot-de-passe-de-test",
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        timeout=10,
    )
    assert path_of(logged) == path_of(landed), logged.url


@pytest.mark.django_db
def test_a_return_without_a_valid_state_or_with_an_error_logs_nobody_in(client, settings):
    """The agent cancels at ProConnect (error=access_denied), or a forged return carries a state this browser
    never sent: the login page says it did not work, nobody is logged in."""
    settings.PARCOURS_PROCONNECT_ENABLED = True
    settings.PARCOURS_PROCONNECT_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"
    for query in ("error=access_denied&state=abc", "code=forged&state=never-sent"):
        response = client.get(f"/compte/proconnect/retour/?{query}", follow=True)
        assert response.redirect_chain[0][0] == "/compte/connexion/"
        assert "La connexion avec ProConnect n&#x27;a pas abouti" in response.content.decode()
        assert not response.wsgi_request.user.is_authenticated
