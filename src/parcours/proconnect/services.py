"""Which account a ProConnect identity logs into, and the journal rows of links and refusals.

An account is never created here. At the first ProConnect login of an identity (`sub`), the account is the
one whose e-mail is the e-mail ProConnect gives (case-insensitive, exactly one account), and only when the
organisation the agent chose at ProConnect (claim `siret`) is an organisation of which that account holds an
active membership; the `sub` is then stored (ProConnectIdentity) and later logins match on it. At every
login the SIRET must still name one of the account's organisations, whose membership the session then acts
under. Any other case is refused with a French message, nothing is written but the journal row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Membership
from parcours.audit import log as audit
from parcours.audit.models import Outcome
from parcours.core import clock

from .models import ProConnectIdentity

UNKNOWN_ACCOUNT = "inconnu"

MESSAGES = {
    "claims": _(
        "ProConnect n'a pas transmis votre adresse e-mail ou le SIRET de votre organisation : la connexion "
        "est refusée."
    ),
    "unknown": _(
        "Aucun compte Parcours n'est ouvert à l'adresse e-mail que ProConnect nous a transmise. Aucun compte "
        "n'a été créé : demandez à la personne qui administre Parcours dans votre organisation de vous "
        "inviter avec cette adresse, ou connectez-vous avec votre identifiant et votre mot de passe."
    ),
    "ambiguous": _(
        "Plusieurs comptes Parcours portent l'adresse e-mail que ProConnect nous a transmise : la connexion "
        "par ProConnect est impossible. Connectez-vous avec votre identifiant et votre mot de passe, ou "
        "demandez à la personne qui administre Parcours dans votre organisation de corriger les adresses."
    ),
    "siret": _(
        "L'organisation choisie sur ProConnect (son SIRET) n'est pas une organisation où votre compte "
        "Parcours est actif. Reconnectez-vous en choisissant la bonne organisation sur ProConnect, ou "
        "demandez à la personne qui administre Parcours d'indiquer le SIRET de votre organisation."
    ),
    "linked_elsewhere": _(
        "Votre compte Parcours est déjà relié à une autre identité ProConnect : la connexion est refusée. "
        "Adressez-vous à la personne qui administre Parcours dans votre organisation."
    ),
    "inactive": _("Ce compte Parcours est désactivé : la connexion est refusée."),
    "failed": _(
        "La connexion avec ProConnect n'a pas abouti. Réessayez, ou connectez-vous avec votre identifiant et "
        "votre mot de passe."
    ),
}


@dataclass
class Refusal(Exception):
    reason: str

    @property
    def message(self) -> str:
        return str(MESSAGES[self.reason])


def _first_membership(user) -> Membership | None:
    return Membership.objects.filter(user=user, is_active=True).order_by("pk").first()


def refuse(reason: str, user=None) -> Refusal:
    """Journal the refusal (under the account's organisation when an account was found, so that its head of
    service sees it; the e-mail typed at ProConnect is never written) and return the exception to raise."""
    with transaction.atomic():
        if reason == "unknown":
            audit.record_event(None, "proconnect.refuse_unknown", UNKNOWN_ACCOUNT, outcome=Outcome.DENIED)
        else:
            event = "proconnect.refuse_siret" if reason == "siret" else "proconnect.refuse"
            by = (_first_membership(user) or user) if user is not None else None
            audit.record_event(
                by, event, user.pk if user is not None else UNKNOWN_ACCOUNT, outcome=Outcome.DENIED
            )
    return Refusal(reason)


def account_for(claims: dict):
    """The (user, membership) a ProConnect login opens, or raises Refusal (journaled). `claims`: the
    userinfo (email, siret, sub…) checked against the id_token's subject by the backend."""
    sub = str(claims.get("sub") or "")
    email = str(claims.get("email") or "").strip()
    siret = "".join(str(claims.get("siret") or "").split())
    if not sub or not email or not siret:
        raise refuse("claims")
    identity = ProConnectIdentity.objects.select_related("user").filter(sub=sub).first()
    if identity is not None:
        user = identity.user
    else:
        users = list(get_user_model().objects.filter(email__iexact=email)[:2])
        if not users:
            raise refuse("unknown")
        if len(users) > 1:
            raise refuse("ambiguous")
        user = users[0]
        if ProConnectIdentity.objects.filter(user=user).exists():
            raise refuse("linked_elsewhere", user)
    if not user.is_active:
        raise refuse("inactive", user)
    membership = (
        Membership.objects.filter(user=user, is_active=True, organisation__siret=siret)
        .select_related("organisation")
        .order_by("pk")
        .first()
    )
    if membership is None:
        raise refuse("siret", user)
    with transaction.atomic():
        now = clock.now()
        if identity is None:
            identity = ProConnectIdentity.objects.create(user=user, sub=sub, linked_at=now, last_login_at=now)
            audit.record_event(membership, "proconnect.link", identity)
        else:
            ProConnectIdentity.objects.filter(pk=identity.pk).update(last_login_at=now)
    return user, membership
