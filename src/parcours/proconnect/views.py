"""ProConnect login: the start (redirect to ProConnect), the callback (code → tokens → account), the button
of the login page and the end of the ProConnect session at logout (both registered in
accounts.login_options by apps.py)."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import auth, messages
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.views.decorators.http import require_http_methods
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from parcours.accounts.middleware import SESSION_KEY as MEMBERSHIP_SESSION_KEY
from parcours.audit import log as audit
from parcours.audit.models import Outcome

from . import conf, services
from .backends import ProConnectBackend
from .models import ProConnectDevice

log = logging.getLogger("parcours.security")

BACKEND = "parcours.proconnect.backends.ProConnectBackend"
ID_TOKEN_KEY = "oidc_id_token"  # noqa: S105 (a session key, not a secret) where mozilla-django-oidc keeps it (OIDC_STORE_ID_TOKEN)
DEVICE_NAME = "ProConnect"
# Errors of the protocol (network, signature, issuer, audience, nonce…): one message, a line in the log.
PROTOCOL_ERRORS = (
    SuspiciousOperation,
    requests.RequestException,
    conf.ProviderUnavailable,
    ImproperlyConfigured,
    ValueError,
    KeyError,
)


def _refused(request, reason: str):
    messages.error(request, services.MESSAGES[reason])
    return redirect("accounts:login")


class StartView(OIDCAuthenticationRequestView):
    get_settings = staticmethod(conf.oidc_setting)


@require_http_methods(["GET"])
def start(request):
    """The button: to ProConnect's authorization endpoint, with state, nonce, scopes, acr and claims."""
    if not conf.enabled():
        raise Http404
    try:
        return StartView.as_view()(request)
    except PROTOCOL_ERRORS as exc:
        log.warning("ProConnect indisponible au début de la connexion (%s).", type(exc).__name__)
        return _refused(request, "failed")


@require_http_methods(["GET"])  # not HEAD: a state serves once
def callback(request):
    """ProConnect's answer: checked, the account found (or the login refused and journaled), logged in."""
    if not conf.enabled():
        raise Http404
    states = request.session.get("oidc_states") or {}
    state = request.GET.get("state")
    entry = states.pop(state, None) if state else None
    request.session["oidc_states"] = states  # a state serves once, even when the login fails
    if request.GET.get("error") or entry is None or not request.GET.get("code"):
        log.warning("ProConnect : retour sans code valable (erreur ou état inconnu).")
        return _refused(request, "failed")
    backend = ProConnectBackend()
    try:
        user = backend.authenticate_callback(
            request, nonce=entry.get("nonce"), code_verifier=entry.get("code_verifier")
        )
    except services.Refusal as refusal:
        log.info("Connexion ProConnect refusée (%s).", refusal.reason)
        return _refused(request, refusal.reason)
    except PROTOCOL_ERRORS as exc:
        log.warning("Connexion ProConnect refusée : %s.", type(exc).__name__)
        with transaction.atomic():
            audit.record_event(None, "proconnect.refuse", services.UNKNOWN_ACCOUNT, outcome=Outcome.DENIED)
        return _refused(request, "failed")
    _user, membership, id_claims = backend.login
    next_url = request.session.get("oidc_login_next")
    id_token = request.session.get(ID_TOKEN_KEY)
    if conf.mfa_done(id_claims):
        # django-otp puts this device in the session at auth.login: the session is verified, the second
        # step is not asked again. Otherwise SecondFactorMiddleware asks it as after a password.
        device, _created = ProConnectDevice.objects.get_or_create(
            user=user, name=DEVICE_NAME, defaults={"confirmed": True}
        )
        user.otp_device = device
    auth.login(request, user, backend=BACKEND)
    request.session[MEMBERSHIP_SESSION_KEY] = membership.pk  # the organisation chosen at ProConnect
    if id_token:
        request.session[ID_TOKEN_KEY] = id_token
    return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


def login_button(request) -> str | None:
    return "proconnect/button.html" if conf.enabled() else None


def end_session_url(request) -> str | None:
    """At logout after a ProConnect login: ProConnect's end-session endpoint, with the id_token as hint and
    the login page as the address to come back to (registered at ProConnect as post_logout_redirect_uri)."""
    id_token = request.session.get(ID_TOKEN_KEY)
    if not id_token or not conf.enabled():
        return None
    try:
        endpoint = conf.discovery().get("end_session_endpoint")
    except conf.ProviderUnavailable:
        log.warning("ProConnect indisponible : déconnexion locale seulement.")
        return None
    if not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "state": get_random_string(32),
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("accounts:login")),
        }
    )
    return f"{endpoint}?{query}"
