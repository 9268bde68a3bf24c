"""Personal API tokens: creation (the secret shown once), revocation, and the check at each call.

The secret is `prc_` followed by 43 URL-safe characters (256 bits); only its SHA-256 digest is stored, so a
copy of the database gives no usable token. Lookups compare digests (a unique index), never secrets.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.accounts import policy
from parcours.audit import log as audit
from parcours.core import clock
from parcours.core.errors import DomainError

from .models import ApiToken

SECRET_PREFIX = "prc_"  # noqa: S105 (the visible start of every token, not a secret)
SHOWN_PREFIX_LENGTH = 12
MAX_DAYS = 365  # no token lives longer than a year
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)  # last_used_at is rewritten at most once a minute

# The resources of the API: code -> (page rule of accounts/policy.py, label, writable).
RESOURCES: dict[str, tuple[str, object, bool]] = {
    "people": ("api_people", gettext_lazy("Personnes"), False),
    "pathways": ("api_pathways", gettext_lazy("Parcours"), False),
    "requests": ("api_requests", gettext_lazy("Demandes"), False),
    "sessions": ("api_sessions", gettext_lazy("Séances de la commission"), False),
    "avis": ("api_avis", gettext_lazy("Avis de la commission"), False),
    "decisions": ("api_decisions", gettext_lazy("Décisions du préfet"), False),
    "appointments": ("api_appointments", gettext_lazy("Rendez-vous"), True),
    "statistics": ("api_statistics", gettext_lazy("Statistiques"), False),
}


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def resources_for(membership) -> list[str]:
    """The resources her role may read through the API (the same rule table as the pages)."""
    return [code for code, (rule, _label, _w) in RESOURCES.items() if policy.can(membership, rule)]


def writable_for(membership) -> list[str]:
    return [code for code in resources_for(membership) if RESOURCES[code][2]]


def create_token(by, *, name: str, read: list[str], write: list[str], expires_on: dt.date):
    """A new token for `by` (a Membership); returns (token, secret). The secret is not kept anywhere."""
    if not policy.can(by, "api_tokens"):
        raise DomainError(_("Votre rôle ne permet pas de créer de jeton d'API."))
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise DomainError(_("Donnez au jeton un nom de 1 à 100 caractères."))
    allowed, writable = set(resources_for(by)), set(writable_for(by))
    read, write = sorted(set(read)), sorted(set(write))
    if not read and not write:
        raise DomainError(_("Choisissez au moins une ressource en lecture."))
    if set(read) - allowed or set(write) - writable:
        raise DomainError(_("Votre rôle ne donne pas accès à l'une des ressources choisies."))
    if set(write) - set(read):
        raise DomainError(_("Une ressource en écriture doit aussi être choisie en lecture."))
    today = clock.today()
    if expires_on is None or expires_on <= today or expires_on > today + dt.timedelta(days=MAX_DAYS):
        raise DomainError(
            _("La date d'expiration doit être comprise entre demain et dans %(n)s jours.") % {"n": MAX_DAYS}
        )
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    expires_at = dt.datetime.combine(expires_on, dt.time(23, 59, 59), tzinfo=clock.PARIS)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=by.user, membership=by, name=name, prefix=secret[:SHOWN_PREFIX_LENGTH],
            digest=digest_of(secret), read_scopes=read, write_scopes=write, expires_at=expires_at,
        )  # fmt: skip
        audit.record_event(by, "api_token.create", token)
    return token, secret


def revoke_token(token: ApiToken, by) -> ApiToken:
    """Revoked by its holder: refused from the next call on."""
    if token.user_id != by.user_id:
        raise DomainError(_("Ce jeton n'est pas le vôtre."))
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = clock.now()
            token.save(update_fields=["revoked_at"])
            audit.record_event(by, "api_token.revoke", token)
    return token


def authenticate(secret: str) -> ApiToken | None:
    """The usable token of this secret, or None (unknown, revoked, expired, membership ended)."""
    if not secret or not secret.startswith(SECRET_PREFIX) or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user", "membership__organisation__departement")
        .filter(digest=digest_of(secret))
        .first()
    )
    now = clock.now()
    if token is None or not token.user.is_active or not token.is_usable(now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
