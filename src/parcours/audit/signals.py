"""Logins, failed logins and logouts, from Django's authentication signals.

A failed login names the account tried by its key when the username typed is an existing account (staff
accounts are not people in the data), under that account's organisation so that its head of service sees it.
Any other text typed there, which may be a password typed in the wrong field, is not kept: the row says
"inconnu". The password itself never reaches this module (Django masks it in `credentials`).
"""

from django.contrib.auth import get_user_model, user_logged_in, user_logged_out, user_login_failed

from parcours.accounts.models import Membership
from parcours.core import crypto

from . import chain
from .log import clean_path, client_ip
from .models import Action, Outcome

UNKNOWN_ACCOUNT = "inconnu"


def _first_membership(user):
    if user is None:
        return None
    return Membership.objects.filter(user=user, is_active=True).order_by("pk").first()


def _request_fields(request) -> dict:
    if request is None:
        return {"ip": None, "path": ""}
    return {"ip": client_ip(request), "path": clean_path(request.path)}


def on_login(sender, request, user, **kwargs):
    membership = _first_membership(user)
    chain.append(
        user=user,
        organisation_id=membership.organisation_id if membership else None,
        role=membership.role if membership else "",
        action=Action.LOGIN,
        object_type="user",
        object_id=str(user.pk),
        outcome=Outcome.ALLOWED,
        **_request_fields(request),
    )


def on_logout(sender, request, user, **kwargs):
    if user is None:
        return
    membership = getattr(request, "membership", None) or _first_membership(user)
    chain.append(
        user=user,
        organisation_id=membership.organisation_id if membership else None,
        role=membership.role if membership else "",
        action=Action.LOGOUT,
        object_type="user",
        object_id=str(user.pk),
        outcome=Outcome.ALLOWED,
        **_request_fields(request),
    )


def on_login_failed(sender, credentials, request=None, **kwargs):
    User = get_user_model()
    username = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")
    account = User.objects.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    membership = _first_membership(account)
    chain.append(
        user=None,
        organisation_id=membership.organisation_id if membership else None,
        role="",
        action=Action.LOGIN_FAILED,
        object_type="account",
        object_id=str(account.pk) if account else UNKNOWN_ACCOUNT,
        outcome=Outcome.DENIED,
        **_request_fields(request),
    )


def on_keys_rotated(sender, kid, **kwargs):
    """One system row per run of `rotate_encryption_keys --wet-run` (review of issue 7, m11)."""
    from .log import record_event

    record_event(None, "keys.rotate", str(kid))


def connect():
    crypto.keys_rotated.connect(on_keys_rotated, dispatch_uid="parcours.audit.keys_rotated")
    user_logged_in.connect(on_login, dispatch_uid="parcours.audit.login")
    user_logged_out.connect(on_logout, dispatch_uid="parcours.audit.logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="parcours.audit.login_failed")
