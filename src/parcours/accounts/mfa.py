"""Second factor: who must have one, which devices a user holds, and how a code is checked.

The devices are django-otp's: an authenticator application (TOTP, RFC 6238), security keys and passkeys
(WebAuthn, django-otp-webauthn) and single-use recovery codes. A session is "verified" once one of them
has been used since the password (django-otp keeps the device in the session; `request.user.is_verified()`).
"""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from django.db import connection, transaction
from django_otp import device_classes
from django_otp import login as otp_login
from django_otp.models import DeviceManager
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from .models import Invitation, Membership
from .roles import IDENTITY_ROLES

log = logging.getLogger("parcours.security")

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "Codes de secours"


def mfa_required(user) -> bool:
    """True when the instance forces MFA and the user holds an active role that can see an identity, or came
    in through an invitation (whatever her role: an invited account enrols a second factor before seeing
    anything, docs/decisions/0033-onboarding.md)."""
    if not settings.PARCOURS_MFA_REQUIRED or not user.is_authenticated:
        return False
    return (
        Membership.objects.filter(user=user, is_active=True, role__in=IDENTITY_ROLES).exists()
        or Invitation.objects.filter(accepted_user=user).exists()
    )


def has_second_factor(user) -> bool:
    """A confirmed application or key (recovery codes alone are not a second factor: they back one up)."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def has_second_factor_besides(user, device) -> bool:
    applications = TOTPDevice.objects.filter(user=user, confirmed=True)
    keys = WebAuthnCredential.objects.filter(user=user, confirmed=True)
    if isinstance(device, TOTPDevice):
        applications = applications.exclude(pk=device.pk)
    elif isinstance(device, WebAuthnCredential):
        keys = keys.exclude(pk=device.pk)
    return applications.exists() or keys.exists()


def has_any_device(user) -> bool:
    """Whether `user` holds a confirmed device django-otp lists (what django_otp.user_has_device says), in
    one query: a session not yet verified asks it on every request (SecondFactorMiddleware), where django-otp
    reads each device table in turn (three queries for a user without a device, issue 15)."""
    if user.is_anonymous:
        return False
    sql, tables, others = _any_device_sql()
    if tables:
        with connection.cursor() as cursor:
            cursor.execute(sql, [user.pk] * tables)
            if cursor.fetchone()[0]:
                return True
    return any(model.objects.devices_for_user(user, confirmed=True).exists() for model in others)


@functools.cache
def _any_device_sql() -> tuple[str, int, tuple]:
    """`SELECT EXISTS (…) OR EXISTS (…)` over the device models whose manager lists a user's devices as
    django-otp's own does (their `user` and `confirmed` columns), written once per process: the ORM would
    compile a subquery per model on every request. A model whose manager answers otherwise is asked
    through its manager: ProConnect's check (proconnect.models.ProConnectDevice) lists none, so that a
    password login never asks for it."""
    quote = connection.ops.quote_name
    checks, others = [], []
    for model in device_classes():
        if type(model.objects).devices_for_user is not DeviceManager.devices_for_user:
            others.append(model)
            continue
        table, user, confirmed = (
            quote(model._meta.db_table),
            quote(model._meta.get_field("user").column),
            quote(model._meta.get_field("confirmed").column),
        )
        # Names from the models' own metadata, quoted; the user's key is the only value, passed as parameter.
        checks.append(f"EXISTS (SELECT 1 FROM {table} WHERE {user} = %s AND {confirmed})")  # noqa: S608
    return "SELECT " + " OR ".join(checks), len(checks), tuple(others)


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def is_recovery_code(token: str) -> bool:
    """Recovery codes are 8 letters and digits; application codes are 6 digits."""
    return not (len(token) == 6 and token.isdigit())


def normalise_token(token: str) -> str:
    return "".join(token.split()).replace("-", "").lower()


def verify(request, token: str):
    """Check `token` against the user's devices of the matching kind; on success the session is verified.

    Each device throttles its own failures (django-otp: the delay doubles after each wrong code)."""
    user = request.user
    token = normalise_token(token)
    if is_recovery_code(token):
        candidates = StaticDevice.objects.filter(user=user, confirmed=True)
    else:
        candidates = TOTPDevice.objects.filter(user=user, confirmed=True)
    for device in candidates:
        with transaction.atomic():
            device = type(device).objects.select_for_update().get(pk=device.pk)
            if device.verify_token(token):
                otp_login(request, device)
                log.info("Seconde étape réussie : utilisateur %s, %s.", user.pk, type(device).__name__)
                return device
    log.warning("Seconde étape refusée : utilisateur %s.", user.pk)
    return None


def throttled(user) -> bool:
    """True when every application device of the user is in its waiting period after wrong codes."""
    devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    return bool(devices) and all(not d.verify_is_allowed()[0] for d in devices)


def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODE_COUNT new ones; returns them (shown once)."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME)
        device.confirmed = True
        device.save()
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    log.info("Codes de secours régénérés : utilisateur %s.", user.pk)
    return codes


def pending_totp_device(user) -> TOTPDevice:
    """The application being enrolled: kept unconfirmed until the user types a first code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Application d'authentification", confirmed=False)
    return device


@transaction.atomic  # all devices or none: a half-reset would leave a device she thinks removed
def reset(user) -> int:
    """Remove every device of the user (lost telephone and keys): she enrols again at her next login."""
    count = 0
    for model in (TOTPDevice, StaticDevice, WebAuthnCredential):
        deleted, _ = model.objects.filter(user=user).delete()
        count += deleted
    log.warning("Seconde étape réinitialisée : utilisateur %s.", user.pk)
    return count
