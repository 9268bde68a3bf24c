"""Moving a person's file to another association: request, acceptance, refusal, cancellation.

Each step checks who acts and the state, writes in one transaction with its journal row, and raises a
`DomainError` with a French message otherwise; a refused step changes nothing and leaves a `denied` row in
the journal (`transfer.denied`), written after the rollback. docs/decisions/0034-file-transfer.md says why.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from parcours.accounts import policy
from parcours.accounts.models import Membership, Organisation, User
from parcours.accounts.roles import ASSOCIATION_STAFF, OrganisationKind, Role
from parcours.audit import log as audit
from parcours.core import clock
from parcours.core.compiled import Statements, slot
from parcours.core.errors import DomainError
from parcours.pathway import transitions as pathway_transitions
from parcours.people.models import Person

from .models import ConsentMethod, Transfer, TransferStatus

TS = TransferStatus
_statements = Statements()


def _journaled_refusals(service):
    """A DomainError raised by `service` leaves a `transfer.denied` row (the change itself rolled back)."""

    @wraps(service)
    def wrapped(subject, by, *args, **kwargs):
        try:
            return service(subject, by, *args, **kwargs)
        except DomainError:
            obj = subject if isinstance(subject, Transfer) else None
            person_id = subject.person_id if isinstance(subject, Transfer) else getattr(subject, "pk", None)
            audit.record_refusal(by, "transfer.denied", obj, person_id=person_id)
            raise

    return wrapped


# --- Who may, for the pages -----------------------------------------------------------------------------
def may_request(membership, person: Person) -> bool:
    return policy.can(membership, "transfer_request", person)


def may_decide(membership, transfer: Transfer) -> bool:
    return policy.can(membership, "transfer_decide", transfer)


def may_cancel(membership, transfer: Transfer) -> bool:
    return policy.can(membership, "transfer_cancel", transfer)


def pending_transfer(person: Person) -> Transfer | None:
    # The person's page names the receiving association. Most files have none: whether there is one is asked
    # first, in a statement compiled once (core/compiled.py).
    pending = _statements.get(
        "pending",
        lambda: Transfer.objects.filter(person_id=slot("person"), status=TS.PENDING).values("pk")[:1],
    )
    if pending.first(person=person.pk) is None:
        return None
    return Transfer.objects.filter(person=person, status=TS.PENDING).select_related("to_association").first()


def receiving_associations(person: Person):
    """The associations a file can go to: approved associations other than hers."""
    return (
        Organisation.objects.filter(kind=OrganisationKind.ASSOCIATION)
        .exclude(pk=person.association_id)
        .prefetch_related("departements_served")
        .order_by("name")
    )


def receiving_staff(association: Organisation):
    """Who may become her referent in the receiving association: its active social workers and heads."""
    return (
        User.objects.filter(
            memberships__organisation=association, memberships__role__in=ASSOCIATION_STAFF,
            memberships__is_active=True, is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )  # fmt: skip


def request_obstacle(person: Person) -> str | None:
    """What stops any transfer of this file today, whatever the receiving association."""
    if person.archived_on is not None:
        return _("Ce dossier est archivé : réactivez-le avant de le transférer.")
    pending = pending_transfer(person)
    if pending is not None:
        return _(
            "Un transfert de ce dossier est déjà en attente de réponse (%(ref)s) : annulez-le avant d'en "
            "demander un autre."
        ) % {"ref": pending.reference}
    return pathway_transitions.transfer_obstacle(person)


# --- The sending association asks --------------------------------------------------------------------------
@_journaled_refusals
def request_transfer(
    person: Person,
    by: Membership,
    *,
    to_association: Organisation | None,
    consent_given_on: dt.date | None,
    consent_method: str,
    to_departement=None,
    message: str = "",
) -> Transfer:
    """Ask `to_association` to take over the file of `person`, with her consent given on `consent_given_on`
    in the form `consent_method`; `to_departement` is where she lives after the move (hers by default)."""
    if not may_request(by, person):
        raise DomainError(
            _("Seules la référente de la personne et la cheffe de service peuvent demander le transfert de "
              "son dossier.")
        )  # fmt: skip
    if to_association is None:
        raise DomainError(_("Choisissez l'association qui reprendra le dossier."))
    if to_association.kind != OrganisationKind.ASSOCIATION:
        raise DomainError(_("Un dossier ne se transfère qu'à une association agréée : « %(name)s » n'en est "
                            "pas une.") % {"name": to_association.name})  # fmt: skip
    if to_association.pk == person.association_id:
        raise DomainError(_("La personne est déjà suivie par cette association : choisissez-en une autre."))
    to_departement = to_departement or person.departement
    served = set(to_association.departements_served.values_list("pk", flat=True))
    if served and to_departement.pk not in served:
        raise DomainError(
            _("L'association « %(name)s » n'intervient pas dans le département %(dep)s, où la personne "
              "résidera : choisissez une association de ce département.")
            % {"name": to_association.name, "dep": to_departement}
        )  # fmt: skip
    if not Membership.objects.filter(
        organisation=to_association, role=Role.HEAD_OF_SERVICE, is_active=True, user__is_active=True
    ).exists():
        raise DomainError(
            _("L'association « %(name)s » n'a pas de cheffe de service sur Parcours : personne ne pourrait "
              "accepter le transfert.") % {"name": to_association.name}
        )  # fmt: skip
    if consent_given_on is None:
        raise DomainError(
            _("Le transfert demande le consentement de la personne : indiquez la date à laquelle elle l'a "
              "donné.")
        )  # fmt: skip
    if consent_given_on > clock.today():
        raise DomainError(_("La date du consentement ne peut pas être dans le futur."))
    if consent_method not in ConsentMethod.values:
        raise DomainError(_("Indiquez comment le consentement de la personne a été recueilli."))
    try:
        with transaction.atomic():
            person = Person.objects.select_for_update().get(pk=person.pk)
            obstacle = request_obstacle(person)
            if obstacle:
                raise DomainError(obstacle)
            transfer = Transfer.objects.create(
                person=person,
                from_association_id=person.association_id,
                to_association=to_association,
                from_departement_id=person.departement_id,
                to_departement=to_departement,
                consent_given_on=consent_given_on,
                consent_method=consent_method,
                message=(message or "").strip(),
                requested_by=by.user,
            )
            audit.record_event(by, "transfer.request", transfer, person_id=person.pk)
    except IntegrityError as exc:  # two requests at once: the constraint keeps one
        raise DomainError(_("Un transfert de ce dossier est déjà en attente de réponse.")) from exc
    return transfer


def _lock(transfer: Transfer) -> Transfer:
    locked = Transfer.objects.select_for_update().select_related("person").get(pk=transfer.pk)
    if locked.status != TS.PENDING:
        raise DomainError(
            _("Ce transfert n'est plus en attente de réponse : il est %(status)s.")
            % {"status": str(TS(locked.status).label).lower()}
        )
    return locked


def _require_decider(by: Membership, transfer: Transfer) -> None:
    if not may_decide(by, transfer):
        raise DomainError(
            _("Seule la cheffe de service de l'association qui reçoit le dossier peut accepter ou refuser ce "
              "transfert.")
        )  # fmt: skip


# --- The receiving association answers ---------------------------------------------------------------------
@_journaled_refusals
def accept_transfer(transfer: Transfer, by: Membership, *, referent: User | None = None) -> Transfer:
    """The file passes to the receiving association in one transaction: the person (association, referent,
    département if she moved) and her pathways with their history and months; the sending association keeps
    the transfer row only."""
    _require_decider(by, transfer)
    referent = referent or by.user
    if not receiving_staff(transfer.to_association).filter(pk=referent.pk).exists():
        raise DomainError(
            _("La référente choisie doit être une travailleuse sociale ou la cheffe de service de votre "
              "association.")
        )  # fmt: skip
    with transaction.atomic():
        transfer = _lock(transfer)
        person = Person.objects.select_for_update().get(pk=transfer.person_id)
        if person.archived_on is not None:
            raise DomainError(_("Ce dossier a été archivé entre-temps : il ne peut plus être transféré."))
        if person.association_id != transfer.from_association_id:
            raise DomainError(_("Ce dossier a changé d'association depuis la demande : elle est caduque."))
        pathway_transitions.transfer_pathways(person, transfer.to_association, transfer.to_departement, by)
        person.association_id = transfer.to_association_id
        person.departement_id = transfer.to_departement_id
        person.referent = referent
        person.version += 1
        person.save(update_fields=["association", "departement", "referent", "version"])
        transfer.status = TS.ACCEPTED
        transfer.decided_by = by.user
        transfer.decided_at = clock.now()
        transfer.new_referent = referent
        transfer.save(update_fields=["status", "decided_by", "decided_at", "new_referent"])
        audit.record_event(by, "transfer.accept", transfer, person_id=person.pk)
    return transfer


@_journaled_refusals
def refuse_transfer(transfer: Transfer, by: Membership, reason: str) -> Transfer:
    _require_decider(by, transfer)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Indiquez le motif du refus : l'association qui transfère le lira."))
    with transaction.atomic():
        transfer = _lock(transfer)
        transfer.status = TS.REFUSED
        transfer.decided_by = by.user
        transfer.decided_at = clock.now()
        transfer.refusal_reason = reason
        transfer.save(update_fields=["status", "decided_by", "decided_at", "refusal_reason"])
        audit.record_event(by, "transfer.refuse", transfer, person_id=transfer.person_id)
    return transfer


# --- The sending association withdraws its request ---------------------------------------------------------
@_journaled_refusals
def cancel_transfer(transfer: Transfer, by: Membership) -> Transfer:
    if not may_cancel(by, transfer):
        raise DomainError(
            _("Seules la cheffe de service de l'association qui transfère, la référente de la personne ou "
              "l'auteur de la demande peuvent l'annuler.")
        )  # fmt: skip
    with transaction.atomic():
        transfer = _lock(transfer)
        transfer.status = TS.CANCELLED
        transfer.decided_by = by.user
        transfer.decided_at = clock.now()
        transfer.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record_event(by, "transfer.cancel", transfer, person_id=transfer.person_id)
    return transfer
