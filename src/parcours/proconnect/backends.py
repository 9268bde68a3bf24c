"""The authentication backend of ProConnect: mozilla-django-oidc's code flow, with what ProConnect needs and
what the library leaves to its users.

- Endpoints from the discovery document (conf.oidc_setting).
- The id_token's issuer, audience and expiry are checked (the library checks the signature and the nonce).
- The userinfo is a JWT signed by ProConnect (application/jwt): its signature is checked with the provider's
  keys, and its subject must be the id_token's.
- The account comes from services.account_for (link by e-mail AND SIRET, never created).
- Reached only from the callback view (`authenticate_callback`): `authenticate`, which Django calls for a
  password login too, answers None.
"""

from __future__ import annotations

import json
import time

import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.utils.encoding import force_bytes
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import conf, services

CLOCK_SKEW_SECONDS = 120


class ProConnectBackend(OIDCAuthenticationBackend):
    get_settings = staticmethod(conf.oidc_setting)

    def __init__(self, *args, **kwargs):
        # Django builds a backend at every request of a logged-in user (get_user): the endpoints, and so
        # the discovery document, are read at a ProConnect login only (_load).
        self.UserModel = get_user_model()
        self.login = None  # (user, membership, id_token claims) of a successful callback

    def _load(self):
        super().__init__()

    def authenticate(self, request, **kwargs):
        return None

    def authenticate_callback(self, request, *, nonce, code_verifier=None):
        """The code flow's second half; returns the user, or raises services.Refusal (journaled)."""
        self._load()
        user = super().authenticate(request, nonce=nonce, code_verifier=code_verifier)
        if user is None:  # the library caught a SuspiciousOperation (e.g. userinfo of another subject)
            raise services.refuse("failed")
        return user

    def get_user(self, user_id):
        # As ModelBackend: an account deactivated since is logged out at its next request.
        return ModelBackend.get_user(self, user_id)

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        issuer = conf.discovery()["issuer"]
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        now = time.time()
        if payload.get("iss") != issuer:
            raise SuspiciousOperation("id_token: unexpected issuer")
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("id_token: unexpected audience")
        if not isinstance(payload.get("exp"), int | float) or payload["exp"] < now - CLOCK_SKEW_SECONDS:
            raise SuspiciousOperation("id_token: expired")
        if not payload.get("sub"):
            raise SuspiciousOperation("id_token: no subject")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        response = requests.get(
            self.OIDC_OP_USER_ENDPOINT,
            headers={"Authorization": f"Bearer {access_token}"},
            verify=self.get_settings("OIDC_VERIFY_SSL", True),
            timeout=self.get_settings("OIDC_TIMEOUT", None),
        )
        response.raise_for_status()
        if response.headers.get("Content-Type", "").split(";")[0].strip() == "application/jwt":
            token = force_bytes(response.text.strip())
            info = json.loads(self._verify_jws(token, self.retrieve_matching_jwk(token)).decode())
            if info.get("iss", conf.discovery()["issuer"]) != conf.discovery()["issuer"]:
                raise SuspiciousOperation("userinfo: unexpected issuer")
        else:
            info = response.json()
        if info.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo: subject differs from the id_token's")
        return info

    def get_or_create_user(self, access_token, id_token, payload):
        info = self.get_userinfo(access_token, id_token, payload)
        user, membership = services.account_for(info)
        self.login = (user, membership, payload)
        return user
