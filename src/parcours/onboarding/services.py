"""Onboarding and administration: organisations, invitations, roles and access, for the pages and for the
`provision` command alike (docs/decisions/0033-onboarding.md).

Each service checks who acts (`by`, a Membership; None for an operator's command), the role-versus-kind rule
(accounts.roles.ROLES_BY_KIND, also enforced by database triggers), writes in one transaction and records its
journal row inside it. A refused step raises `Refused` (a DomainError with a French message): nothing is
changed, and the refusal itself is journaled once the transaction is left.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from functools import wraps
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from parcours.accounts import policy
from parcours.accounts.models import InternProfile, Invitation, Membership, Organisation, User
from parcours.accounts.roles import ASSOCIATION_STAFF, ROLES_BY_KIND, OrganisationKind, Role
from parcours.audit import log as audit
from parcours.audit.models import Action, Outcome
from parcours.core import clock
from parcours.core.errors import DomainError


class Refused(DomainError):
    """A refused step that the journal keeps (a role the kind cannot hold, another organisation, a used or
    expired invitation)."""

    def __init__(self, message: str, *, by=None, object_type: str = "invitation", object_id=""):
        super().__init__(message)
        self.by = by
        self.object_type = object_type
        self.object_id = object_id


def _journal_refusal(exc: Refused) -> None:
    request = audit.current_request.get()
    if request is not None:
        audit.record(request, Action.DENIED, exc.object_type, exc.object_id, outcome=Outcome.DENIED)
        return
    by = exc.by
    audit.record_system(
        Action.DENIED,
        exc.object_type,
        exc.object_id,
        outcome=Outcome.DENIED,
        user=getattr(by, "user", None),
        organisation=getattr(by, "organisation", None),
        role=getattr(by, "role", ""),
    )


def journals_refusals(service):
    """The refusal's row is written after the service's own transaction rolled back (so that it stays)."""

    @wraps(service)
    def wrapped(*args, **kwargs):
        try:
            return service(*args, **kwargs)
        except Refused as exc:
            _journal_refusal(exc)
            raise

    return wrapped


# --- Checks ------------------------------------------------------------------------------------------------
def _require(by, action: str, obj=None, *, object_type: str = "organisation") -> None:
    """`by` None is the operator's command (`manage.py provision`), trusted like a shell."""
    if by is None or policy.can(by, action, obj):
        return
    national_only = action in ("manage_organisations", "manage_users")
    raise Refused(
        _("Seule l'administration nationale crée une organisation ou désactive un compte entier.")
        if national_only
        else _(
            "Vous ne pouvez pas gérer les accès ni les informations d'une autre organisation que la vôtre."
        ),
        by=by,
        object_type=object_type,
        object_id=getattr(obj, "pk", "") or "",
    )


def roles_for(kind: str) -> list[tuple[str, str]]:
    """The (value, label) of the roles an organisation of `kind` can give, in Role's order."""
    allowed = ROLES_BY_KIND[OrganisationKind(kind)]
    return [(value, label) for value, label in Role.choices if value in allowed]


def role_problem(organisation: Organisation, role: str) -> str | None:
    if role in Role.values and role in ROLES_BY_KIND[OrganisationKind(organisation.kind)]:
        return None
    label = dict(Role.choices).get(role, role)
    return _(
        "Le rôle « %(role)s » n'existe pas dans une organisation de type « %(kind)s » : choisissez "
        "l'un de ces rôles : %(allowed)s."
    ) % {
        "role": label,
        "kind": organisation.get_kind_display(),
        "allowed": ", ".join(str(label) for _value, label in roles_for(organisation.kind)),
    }


def _check_role(by, organisation: Organisation, role: str, object_type: str, object_id="") -> None:
    problem = role_problem(organisation, role)
    if problem:
        raise Refused(problem, by=by, object_type=object_type, object_id=object_id)


# --- Organisations -----------------------------------------------------------------------------------------
ORGANISATION_FIELDS = ("kind", "name", "departement", "siret", "approval_number", "approval_start")


def organisation_problems(org: Organisation, served) -> dict[str, str]:
    """What a kind of organisation needs, field by field (the form shows them next to each field)."""
    problems = {}
    kind = org.kind
    needs_departement = (
        OrganisationKind.ASSOCIATION,
        OrganisationKind.COMMISSION,
        OrganisationKind.PREFECTURE,
    )
    if kind in needs_departement and org.departement_id is None:
        problems["departement"] = (
            _("Indiquez le département du siège de l'association.")
            if kind == OrganisationKind.ASSOCIATION
            else _("Indiquez le département de la commission ou de la préfecture.")
        )
    if kind == OrganisationKind.ASSOCIATION:
        if not org.approval_number:
            problems["approval_number"] = _("Indiquez le numéro de l'agrément délivré par le préfet.")
        if not org.approval_start:
            problems["approval_start"] = _("Indiquez la date de début de l'agrément.")
    elif served:
        problems["departements_served"] = _("Seule une association indique des départements d'intervention.")
    if kind == OrganisationKind.NATIONAL and org.departement_id is not None:
        problems["departement"] = _("L'administration nationale n'a pas de département.")
    return problems


@journals_refusals
def create_organisation(by, org: Organisation, served=()) -> Organisation:
    _require(by, "manage_organisations", None)
    problems = organisation_problems(org, served)
    if problems:
        raise DomainError(" ".join(problems.values()))
    with transaction.atomic():
        org.full_clean(exclude=["departements_served"])
        org.save()
        _set_served(org, served)
        audit.record_event(by, "organisation.create", org)
    return org


@journals_refusals
def update_organisation(by, org: Organisation, served=()) -> Organisation:
    _require(by, "organisation_edit", org)
    stored = Organisation.objects.get(pk=org.pk)
    if stored.kind != org.kind:
        raise DomainError(
            _("Le type d'une organisation ne change pas : créez une nouvelle organisation de ce type.")
        )
    problems = organisation_problems(org, served)
    if problems:
        raise DomainError(" ".join(problems.values()))
    with transaction.atomic():
        org.full_clean(exclude=["departements_served"])
        org.save()
        _set_served(org, served)
        audit.record_event(by, "organisation.update", org)
    return org


def _set_served(org: Organisation, served) -> None:
    served = list(served)
    if org.kind == OrganisationKind.ASSOCIATION and org.departement_id:
        served = [*served, org.departement] if org.departement not in served else served
    org.departements_served.set(served)


# --- Invitations -------------------------------------------------------------------------------------------
def hash_token(token: str) -> str:
    """The token is 32 random bytes: a plain SHA-256 suffices (no password to slow a guess down)."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    local, _at, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if local else email.strip()


def invitation_link(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + reverse("onboarding:accept_link", kwargs={"token": token})


@journals_refusals
def invite(
    by, organisation: Organisation, *, email: str, role: str, base_url: str, deliver: bool = True
) -> tuple[Invitation, str]:
    """Invite `email` to hold `role` in `organisation`; returns the invitation and the link of its e-mail.

    The e-mail leaves inside the transaction (`deliver`): if it cannot be sent, nothing is saved. The command
    sends its e-mails after its own transaction (deliver=False, then `send_invitation`)."""
    _require(by, "manage_members", organisation)
    _check_role(by, organisation, role, "organisation", organisation.pk)
    email = normalise_email(email)
    if Membership.objects.filter(user__email__iexact=email, organisation=organisation, role=role).exists():
        raise DomainError(_("Cette personne a déjà ce rôle dans cette organisation."))
    now = clock.now()
    if Invitation.objects.pending(now).filter(email__iexact=email, organisation=organisation).exists():
        raise DomainError(
            _(
                "Une invitation est déjà en attente pour cette adresse dans cette organisation : "
                "révoquez-la avant d'en envoyer une autre."
            )
        )
    token = secrets.token_urlsafe(32)
    link = invitation_link(base_url, token)
    with transaction.atomic():
        invitation = Invitation(
            email=email,
            organisation=organisation,
            role=role,
            token_hash=hash_token(token),
            invited_by=getattr(by, "user", None),
            created_at=now,
            expires_at=now + dt.timedelta(days=settings.PARCOURS_INVITATION_DAYS),
        )
        invitation.full_clean()
        invitation.save()
        audit.record_event(by, "invitation.send", invitation)
        if deliver:
            try:
                send_invitation(invitation, link)
            except OSError as exc:  # smtplib.SMTPException is an OSError
                raise DomainError(
                    _(
                        "L'e-mail d'invitation n'a pas pu être envoyé (serveur de messagerie injoignable) : "
                        "rien n'est enregistré, réessayez plus tard."
                    )
                ) from exc
    return invitation, link


def send_invitation(invitation: Invitation, link: str) -> None:
    organisation = invitation.organisation
    inviter = invitation.invited_by
    subject = _("Invitation à rejoindre %(site)s — %(organisation)s") % {
        "site": settings.PARCOURS_SITE_TITLE,
        "organisation": organisation.name,
    }
    body = _(
        "Bonjour,\n\n"
        "%(inviter)s vous invite à rejoindre %(site)s en tant que « %(role)s » de l'organisation "
        "« %(organisation)s ».\n\n"
        "Pour créer votre accès, ouvrez ce lien (valable une seule fois, jusqu'au %(expires)s) :\n"
        "%(link)s\n\n"
        "Vous choisirez un mot de passe, puis enregistrerez une seconde étape de connexion (une application "
        "d'authentification ou une clé de sécurité).\n\n"
        "Si vous n'attendiez pas cette invitation, ignorez ce message : sans action de votre part, il "
        "expirera.\n"
    ) % {
        "inviter": (inviter.get_full_name() or inviter.username) if inviter else _("L'administration"),
        "site": settings.PARCOURS_SITE_TITLE,
        "role": invitation.get_role_display(),
        "organisation": organisation.name,
        "expires": invitation.expires_at.astimezone(clock.PARIS).strftime("%d/%m/%Y à %H:%M"),
        "link": link,
    }
    send_mail(subject, body, None, [invitation.email], fail_silently=False)


@journals_refusals
def revoke_invitation(by, invitation: Invitation) -> Invitation:
    _require(by, "manage_members", invitation, object_type="invitation")
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None or invitation.revoked_at is not None:
            raise DomainError(_("Cette invitation a déjà été acceptée ou révoquée."))
        invitation.revoked_at = clock.now()
        invitation.save(update_fields=["revoked_at"])
        audit.record_event(by, "invitation.revoke", invitation)
    return invitation


def _usable(invitation: Invitation | None) -> Invitation:
    """The invitation, if it can still be accepted; Refused with what to do otherwise."""
    if invitation is None:
        raise Refused(
            _(
                "Ce lien d'invitation n'est pas valide : vérifiez qu'il est complet, ou demandez une "
                "nouvelle invitation."
            )
        )
    status = invitation.status(clock.now())
    messages = {
        "accepted": _(
            "Cette invitation a déjà été utilisée : un lien d'invitation ne sert qu'une fois. "
            "Connectez-vous avec l'identifiant choisi alors, ou demandez une nouvelle invitation."
        ),
        "revoked": _("Cette invitation a été révoquée : demandez une nouvelle invitation si besoin."),
        "expired": _(
            "Cette invitation a expiré : demandez une nouvelle invitation à la personne qui vous a invitée."
        ),
    }
    if status in messages:
        raise Refused(str(messages[status]), object_id=invitation.pk)
    problem = role_problem(invitation.organisation, invitation.role)
    if problem:
        raise Refused(problem, object_id=invitation.pk)
    return invitation


def find_invitation(token: str) -> Invitation | None:
    if not token:
        return None
    return Invitation.objects.select_related("organisation").filter(token_hash=hash_token(token)).first()


@journals_refusals
def check_invitation(token: str) -> Invitation:
    """The invitation of `token` if it can be accepted (Refused, journaled, otherwise)."""
    return _usable(find_invitation(token))


def account_for(invitation: Invitation) -> User | None:
    return User.objects.filter(email__iexact=invitation.email).order_by("pk").first()


def password_problems(password: str, username: str, email: str) -> list[str]:
    try:
        password_validation.validate_password(password, User(username=username, email=email))
    except ValidationError as exc:
        return list(exc.messages)
    return []


@journals_refusals
def accept_with_new_account(token: str, *, username: str, password: str) -> Membership:
    """A new account for the invited e-mail, with the password she chose; the membership of the invitation."""
    invitation = _usable(find_invitation(token))
    if account_for(invitation) is not None:
        raise DomainError(
            _("Un compte existe déjà pour cette adresse : connectez-vous pour accepter l'invitation.")
        )
    username = username.strip() or invitation.email
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("Cet identifiant est déjà pris : choisissez-en un autre."))
    problems = password_problems(password, username, invitation.email)
    if problems:
        raise DomainError(" ".join(problems))
    with transaction.atomic():
        invitation = _usable(Invitation.objects.select_for_update().filter(pk=invitation.pk).first())
        user = User(username=username, email=invitation.email)
        user.set_password(password)
        user.save()
        return _accept(invitation, user)


@journals_refusals
def accept_for_existing_account(token: str, user: User) -> Membership:
    """The invitation adds its membership to the account of the invited e-mail (she is logged in)."""
    invitation = _usable(find_invitation(token))
    if (user.email or "").lower() != invitation.email.lower():
        raise Refused(
            _(
                "Cette invitation est adressée à une autre adresse électronique que celle de votre compte : "
                "déconnectez-vous, ou demandez une invitation à votre adresse."
            ),
            object_id=invitation.pk,
        )
    with transaction.atomic():
        invitation = _usable(Invitation.objects.select_for_update().filter(pk=invitation.pk).first())
        return _accept(invitation, user)


def _accept(invitation: Invitation, user: User) -> Membership:
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, role=invitation.role, defaults={"is_active": True}
    )
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    invitation.accepted_at = clock.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    audit.record_event(membership, "invitation.accept", invitation)
    return membership


# --- Roles and access --------------------------------------------------------------------------------------
def _not_self(by, user: User, message: str) -> None:
    if by is not None and by.user_id == user.pk:
        raise DomainError(message)


@journals_refusals
def change_role(by, membership: Membership, role: str) -> Membership:
    _require(by, "manage_members", membership, object_type="membership")
    _check_role(by, membership.organisation, role, "membership", membership.pk)
    _not_self(by, membership.user, _("Vous ne pouvez pas changer votre propre rôle."))
    if role == membership.role:
        return membership
    if Membership.objects.filter(
        user=membership.user, organisation=membership.organisation, role=role
    ).exists():
        raise DomainError(_("Cette personne a déjà ce rôle dans cette organisation."))
    with transaction.atomic():
        membership.role = role
        membership.save(update_fields=["role"])
        audit.record_event(by, "membership.role", membership)
    return membership


@journals_refusals
def set_membership_active(by, membership: Membership, active: bool) -> Membership:
    """Deactivation cuts her access at her next request and ends her sessions; reactivation restores it."""
    _require(by, "manage_members", membership, object_type="membership")
    _not_self(by, membership.user, _("Vous ne pouvez pas désactiver ni réactiver votre propre accès."))
    if membership.is_active == active:
        return membership
    with transaction.atomic():
        membership.is_active = active
        membership.save(update_fields=["is_active"])
        if not active:
            end_sessions(membership.user)
        audit.record_event(by, "membership.reactivate" if active else "membership.deactivate", membership)
    return membership


@journals_refusals
def set_user_active(by, user: User, active: bool) -> User:
    """The whole account (every membership): the national administration only."""
    _require(by, "manage_users", None, object_type="user")
    _not_self(by, user, _("Vous ne pouvez pas désactiver ni réactiver votre propre compte."))
    if user.is_active == active:
        return user
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            end_sessions(user)
        audit.record_event(by, "user.reactivate" if active else "user.deactivate", user)
    return user


DATABASE_SESSIONS = ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db")


def end_sessions(user: User) -> int:
    """Delete the sessions of `user` (database-backed sessions: her rows of django_session). With another
    session engine, her next request is refused anyway: Django's ModelBackend refuses an inactive account,
    and MembershipMiddleware ignores an inactive membership."""
    if settings.SESSION_ENGINE not in DATABASE_SESSIONS:
        return 0
    store: Callable = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.filter(expire_date__gt=clock.now()).iterator():
        if str(session.get_decoded().get(AUTH_SESSION_KEY)) == str(user.pk):
            store(session_key=session.session_key).delete()
            ended += 1
    return ended


# --- Interns -----------------------------------------------------------------------------------------------
INTERNSHIP_MAX_DAYS = 3 * 366  # a social-work course lasts three years: no internship runs longer


@journals_refusals
def set_intern_profile(by, membership: Membership, *, school: str, tutor: Membership | None,
                       starts_on: dt.date | None, ends_on: dt.date | None) -> InternProfile:  # fmt: skip
    """The school, tutor and dates of an intern of her association: the head of service's."""
    _require(by, "intern_profile_edit", membership, object_type="membership")
    if membership.role != Role.INTERN:
        raise DomainError(_("Seul l'accès d'une ou d'un stagiaire porte une école, un tuteur et des dates."))
    school = " ".join((school or "").split())
    if not school:
        raise DomainError(_("L'école ou le centre de formation est obligatoire."))
    if len(school) > 150:
        raise DomainError(_("Le nom de l'école dépasse 150 caractères."))
    if tutor is None or not (
        tutor.organisation_id == membership.organisation_id
        and tutor.is_active
        and tutor.role in ASSOCIATION_STAFF
    ):
        raise DomainError(
            _("Le tuteur ou la tutrice est une salariée de l'association (travailleuse sociale, cheffe).")
        )
    if starts_on is None or ends_on is None:
        raise DomainError(_("Les dates de début et de fin du stage sont obligatoires."))
    if ends_on < starts_on:
        raise DomainError(
            _("La fin du stage (%(end)s) précède son début (%(start)s).")
            % {"end": ends_on.strftime("%d/%m/%Y"), "start": starts_on.strftime("%d/%m/%Y")}
        )
    if (ends_on - starts_on).days > INTERNSHIP_MAX_DAYS:
        raise DomainError(_("Un stage dure au plus trois ans : vérifiez les dates."))
    with transaction.atomic():
        profile, _created = InternProfile.objects.update_or_create(
            membership=membership,
            defaults={"school": school, "tutor": tutor, "starts_on": starts_on, "ends_on": ends_on},
        )
        audit.record_event(by, "intern_profile.save", profile)
    return profile
