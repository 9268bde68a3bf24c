"""ProConnect's client and endpoints. The endpoints are read from its discovery document
(`…/.well-known/openid-configuration`) and kept an hour in the process. mozilla-django-oidc takes fixed
OIDC_OP_* settings; our views and backend answer those names from here instead (`oidc_setting`)."""

from __future__ import annotations

import threading
import time

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from mozilla_django_oidc.utils import import_from_settings

CACHE_SECONDS = 3600
# mozilla-django-oidc's setting → the key of the discovery document.
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}
REQUIRED = ("issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")

_lock = threading.Lock()
_cache: dict[str, tuple[float, dict]] = {}


class ProviderUnavailable(Exception):
    """The discovery document could not be read (network, or not a provider's document)."""


def enabled() -> bool:
    return bool(settings.PARCOURS_PROCONNECT_ENABLED)


def discovery() -> dict:
    url = settings.PARCOURS_PROCONNECT_DISCOVERY_URL
    now = time.monotonic()
    with _lock:
        cached = _cache.get(url)
        if cached and now - cached[0] < CACHE_SECONDS:
            return cached[1]
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT, verify=settings.OIDC_VERIFY_SSL)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"discovery document unreadable: {type(exc).__name__}") from exc
    if not isinstance(document, dict) or any(not document.get(key) for key in REQUIRED):
        raise ProviderUnavailable("discovery document incomplete")
    with _lock:
        _cache[url] = (now, document)
    return document


def oidc_setting(attr: str, *args):
    """What mozilla-django-oidc's `get_settings` answers: endpoints from the discovery document, the rest
    from the settings."""
    if attr == "OIDC_RP_CLIENT_ID":
        return settings.PARCOURS_PROCONNECT_CLIENT_ID
    if attr == "OIDC_RP_CLIENT_SECRET":
        return settings.PARCOURS_PROCONNECT_CLIENT_SECRET
    if attr in ENDPOINTS:
        if not enabled():
            raise ImproperlyConfigured("ProConnect n'est pas configuré.")
        value = discovery().get(ENDPOINTS[attr])
        if value:
            return value
        if args:
            return args[0]
        raise ImproperlyConfigured(f"ProConnect : {ENDPOINTS[attr]} absent du document de découverte.")
    return import_from_settings(attr, *args)


def mfa_done(id_token_claims: dict) -> bool:
    """True when ProConnect says the login used a second factor: amr contains "mfa", or the acr is one the
    operator declared as such (PARCOURS_PROCONNECT_MFA_ACR)."""
    amr = id_token_claims.get("amr") or []
    if isinstance(amr, str):
        amr = amr.split()
    if "mfa" in amr:
        return True
    acr = id_token_claims.get("acr")
    return bool(acr) and acr in settings.PARCOURS_PROCONNECT_MFA_ACR
