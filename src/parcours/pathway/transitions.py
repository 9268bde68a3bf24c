"""Every change of a pathway's state: one function per step, each checking role and state, writing in one
transaction and recording an event. Views, commands and jobs call these; nothing else writes pathway state.

A refused step raises `DomainError` with a French message and leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from parcours.accounts import policy
from parcours.accounts.models import Membership, Organisation
from parcours.accounts.roles import ASSOCIATION_STAFF, OrganisationKind, Role
from parcours.audit import log as audit
from parcours.core import clock
from parcours.core.dates import date_format
from parcours.core.errors import DomainError
from parcours.people.models import Person

from . import commission as body
from . import rules, signals
from .models import (
    AgendaItem,
    Avis,
    CommissionSession,
    Commitment,
    Decision,
    DecisionKind,
    Event,
    Exit,
    Pathway,
    PathwayRequest,
    Period,
    PlanAction,
    SessionStatus,
    StepCounter,
)

RS = rules.RequestStatus
PS = rules.PathwayStatus


def _d(day: dt.date) -> str:
    return date_format(day, "j F Y")


# --- Checks and the event journal --------------------------------------------------------------------
def _require_role(by: Membership | None, roles: Iterable[str]) -> None:
    if not policy.active(by) or by.role not in roles:
        raise DomainError(_("Votre rôle ne permet pas cette action."))


def _require_transition(by: Membership | None, transition: rules.Transition, status: str) -> None:
    _require_role(by, transition.roles)
    if status not in transition.sources:
        states = PS if transition.action in rules.PATHWAY_TRANSITIONS else RS
        current = states(status).label
        raise DomainError(
            _("« %(action)s » est impossible dans l'état actuel (%(status)s).")
            % {"action": transition.label, "status": current}
        )


def _require_own_association(by: Membership, pathway: Pathway) -> None:
    if pathway.association_id != by.organisation_id:
        raise DomainError(_("Ce parcours est suivi par une autre association."))


def _record(pathway, action, by, *, request=None, from_status="", to_status="", comment="") -> Event:
    # One more step of the association's pathways (held to-do pages are computed again: decision 0057).
    # The row is created once; a concurrent first step waits for it, then counts (ON CONFLICT DO NOTHING).
    StepCounter.objects.bulk_create(
        [StepCounter(association_id=pathway.association_id)], ignore_conflicts=True
    )
    StepCounter.objects.filter(association_id=pathway.association_id).update(steps=F("steps") + 1)
    return Event.objects.create(
        pathway=pathway,
        request=request,
        action=action,
        actor=by.user if by else None,
        actor_organisation=by.organisation if by else None,
        at=clock.now(),
        from_status=from_status,
        to_status=to_status,
        comment=comment,
    )


def _lock_request(request: PathwayRequest) -> PathwayRequest:
    """Re-read the request under a row lock so that two people acting at once cannot both succeed."""
    return (
        PathwayRequest.objects.select_for_update()
        .select_related("pathway", "pathway__person")
        .get(pk=request.pk)
    )


def _move_request(req: PathwayRequest, action: str, by: Membership | None, comment: str = "") -> str:
    transition = rules.REQUEST_TRANSITIONS[action]
    _require_transition(by, transition, req.status)
    previous = req.status
    req.status = transition.target
    req.save(update_fields=["status"])
    _record(req.pathway, action, by, request=req, from_status=previous, to_status=req.status, comment=comment)
    return previous


def _move_pathway(pathway: Pathway, status: str) -> None:
    if pathway.status != status:
        pathway.status = status
        pathway.save(update_fields=["status"])


# --- The association prepares the request ------------------------------------------------------------
@dataclass
class PlanLine:
    domain: str
    description: str
    target_date: dt.date | None = None


@dataclass
class RequestContent:
    situation: str = ""
    motivation: str = ""
    evaluation: str = ""
    sworn_statement: bool = False
    signed_on: dt.date | None = None
    sworn_statement_on: dt.date | None = None  # the day it was signed (rules.SWORN_STATEMENT)
    actions: list[PlanLine] | None = None
    commitments: list[str] | None = None


def months_used(pathway: Pathway) -> int:
    """Months AUTHORISED in this pathway (the sum of its periods), what the 24-month cap counts
    (rules.CAP_PER_PATHWAY); the months elapsed are `deadlines.summarise(...).months_used`."""
    return pathway.periods.aggregate(total=Sum("months"))["total"] or 0


@transaction.atomic
def open_request(person: Person, kind: str, by: Membership, content: RequestContent) -> PathwayRequest:
    """Open an entry request (on a new pathway, or after a refusal) or a renewal request."""
    _require_role(by, ASSOCIATION_STAFF)
    if person.association_id != by.organisation_id:
        raise DomainError(_("Cette personne est suivie par une autre association."))
    # Lock the person: with no pathway yet there is no pathway row to lock, and a double click would
    # otherwise open two pathways.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    pathway = (
        Pathway.objects.select_for_update()
        .filter(person=person)
        .exclude(status__in=[PS.EXITED])
        .order_by("-created_at")
        .first()
    )
    if kind == rules.RequestKind.ENTRY and pathway is None:
        rule = rules.rule_version_on(clock.today())
        pathway = Pathway.objects.create(
            person=person, association=by.organisation, departement=person.departement, rule_version=rule.code
        )
        _record(pathway, "open_pathway", by, to_status=pathway.status)
    if pathway is None or pathway.status not in rules.REQUEST_OPENING_STATES[kind]:
        if kind == rules.RequestKind.ENTRY:
            raise DomainError(
                _("Cette personne a déjà un parcours en cours : faites une demande de renouvellement.")
            )
        raise DomainError(_("Un renouvellement suppose un parcours autorisé."))
    if pathway.requests.filter(status__in=rules.OPEN_REQUEST_STATUSES).exists():
        raise DomainError(_("Une demande est déjà en cours pour ce parcours."))
    if kind == rules.RequestKind.RENEWAL and months_used(pathway) >= pathway.rule.max_total_months:
        raise DomainError(
            _("Le plafond de %(months)s mois de parcours est atteint : aucun renouvellement n'est possible.")
            % {"months": pathway.rule.max_total_months}
        )
    if kind == rules.RequestKind.ENTRY and pathway.status == PS.REFUSED:
        _move_pathway(pathway, PS.PREPARING)
        _record(pathway, "pathway_status", by, from_status=PS.REFUSED, to_status=PS.PREPARING)
    req = PathwayRequest.objects.create(pathway=pathway, kind=kind, created_by=by.user)
    _write_content(req, content)
    _record(pathway, "open_request", by, request=req, to_status=req.status)
    _journal(by, "request.open", req, pathway)
    return req


def _journal(by: Membership | None, event: str, obj, pathway: Pathway | None = None) -> None:
    """The journal row of the change, in the service's transaction (audit.log.record_event)."""
    audit.record_event(by, event, obj, person_id=pathway.person_id if pathway is not None else None)


def _write_content(req: PathwayRequest, content: RequestContent) -> None:
    if content.signed_on and content.signed_on > clock.today():
        raise DomainError(_("La date de signature ne peut pas être dans le futur."))
    if content.sworn_statement_on and content.sworn_statement_on > clock.today():
        raise DomainError(_("La date de l'attestation sur l'honneur ne peut pas être dans le futur."))
    if content.sworn_statement_on:
        content.sworn_statement = True
    for line in content.actions or []:
        if line.target_date and line.target_date < dt.date(2016, 4, 13):
            raise DomainError(_("L'échéance d'une action est antérieure à la loi du 13 avril 2016."))
    for field in (
        "situation",
        "motivation",
        "evaluation",
        "sworn_statement",
        "signed_on",
        "sworn_statement_on",
    ):
        setattr(req, field, getattr(content, field))
    req.save()
    if content.actions is not None:
        req.actions.all().delete()
        PlanAction.objects.bulk_create(
            PlanAction(request=req, domain=a.domain, description=a.description, target_date=a.target_date)
            for a in content.actions
            if a.description.strip()
        )
    if content.commitments is not None:
        req.commitments.all().delete()
        Commitment.objects.bulk_create(
            Commitment(request=req, text=text) for text in content.commitments if text.strip()
        )


@transaction.atomic
def update_request(
    request: PathwayRequest, by: Membership, content: RequestContent, *, expected_version: int | None = None
) -> PathwayRequest:
    """Edit a draft, or complete a request the commission adjourned. `expected_version` is the version the
    form showed: if the request was saved since, raises `locking.EditConflict` and nothing is written."""
    from parcours.core import locking  # imports this module

    req = _lock_request(request)
    _require_role(by, ASSOCIATION_STAFF)
    _require_own_association(by, req.pathway)
    if req.status not in (RS.DRAFT, RS.ADJOURNED):
        raise DomainError(_("Seule une demande en brouillon ou ajournée peut être modifiée."))
    locking.claim(req, expected_version)
    _write_content(req, content)
    _record(req.pathway, "update_request", by, request=req)
    _journal(by, "request.update", req, req.pathway)
    return req


@transaction.atomic
def submit_for_validation(request: PathwayRequest, by: Membership) -> PathwayRequest:
    """The worker hands a complete draft to the head of service (rules.PRACTICE_HAND_OFF)."""
    req = _lock_request(request)
    _require_transition(by, rules.REQUEST_TRANSITIONS["submit_for_validation"], req.status)
    _require_own_association(by, req.pathway)
    _check_complete(req)
    _move_request(req, "submit_for_validation", by)
    _journal(by, "request.submit_for_validation", req, req.pathway)
    return req


@transaction.atomic
def take_back_request(request: PathwayRequest, by: Membership, comment: str = "") -> PathwayRequest:
    """The worker takes a request back from the head of service's validation, to edit it again."""
    req = _lock_request(request)
    _require_transition(by, rules.REQUEST_TRANSITIONS["take_back"], req.status)
    _require_own_association(by, req.pathway)
    _move_request(req, "take_back", by, comment)
    _journal(by, "request.take_back", req, req.pathway)
    return req


@transaction.atomic
def validate_request(request: PathwayRequest, by: Membership) -> PathwayRequest:
    req = _lock_request(request)
    _require_transition(by, rules.REQUEST_TRANSITIONS["validate"], req.status)
    _require_own_association(by, req.pathway)
    _check_complete(req)
    _move_request(req, "validate", by)
    _journal(by, "request.validate", req, req.pathway)
    signals.request_validated.send(sender=PathwayRequest, request=req, by=by)
    return req


def _check_complete(req: PathwayRequest) -> None:
    missing = []
    if not req.motivation.strip():
        missing.append(_("la motivation et le projet d'insertion"))
    if not req.actions.exists():
        missing.append(_("au moins une action prévue"))
    if not req.commitments.exists():
        missing.append(_("au moins un engagement de la personne"))
    if req.kind == rules.RequestKind.RENEWAL and not req.evaluation.strip():
        missing.append(_("l'évaluation de la période écoulée"))
    if rules.SWORN_STATEMENT_REQUIRED and not req.sworn_statement:
        missing.append(_("l'attestation sur l'honneur"))
    if not req.signed_on:
        missing.append(_("la date de signature"))
    if missing:
        raise DomainError(
            _("La demande est incomplète : il manque %(missing)s.") % {"missing": ", ".join(missing)}
        )


@transaction.atomic
def return_to_draft(request: PathwayRequest, by: Membership, comment: str = "") -> PathwayRequest:
    req = _lock_request(request)
    _require_transition(by, rules.REQUEST_TRANSITIONS["return_to_draft"], req.status)
    _require_own_association(by, req.pathway)
    _move_request(req, "return_to_draft", by, comment)
    _journal(by, "request.return_to_draft", req, req.pathway)
    return req


def commission_for(person: Person) -> Organisation:
    commission = Organisation.objects.filter(
        kind=OrganisationKind.COMMISSION, departement_id=person.departement_id
    ).first()
    if commission is None:
        raise DomainError(
            _("Aucune commission n'est enregistrée pour le département de résidence de la personne (%(d)s).")
            % {"d": person.departement_id}
        )
    return commission


@transaction.atomic
def submit_request(
    request: PathwayRequest, by: Membership, commission: Organisation | None = None
) -> PathwayRequest:
    """Transmit a validated request to the commission of the département where the person lives."""
    req = _lock_request(request)
    _require_transition(by, rules.REQUEST_TRANSITIONS["submit"], req.status)
    _require_own_association(by, req.pathway)
    expected = commission_for(req.pathway.person)
    if commission is not None and commission.pk != expected.pk:
        raise DomainError(
            _(
                "La demande doit être transmise à la commission du département de résidence "
                "de la personne (%(c)s)."
            )
            % {"c": expected}
        )
    req.commission = expected
    req.submitted_on = clock.today()
    req.save(update_fields=["commission", "submitted_on"])
    _move_request(req, "submit", by)
    _journal(by, "request.submit", req, req.pathway)
    return req


@transaction.atomic
def resubmit_request(request: PathwayRequest, by: Membership) -> PathwayRequest:
    req = _lock_request(request)
    _require_transition(by, rules.REQUEST_TRANSITIONS["resubmit"], req.status)
    _require_own_association(by, req.pathway)
    _check_complete(req)
    _move_request(req, "resubmit", by)
    _journal(by, "request.resubmit", req, req.pathway)
    return req


@transaction.atomic
def withdraw_request(request: PathwayRequest, by: Membership, comment: str = "") -> PathwayRequest:
    req = _lock_request(request)
    _require_transition(by, rules.REQUEST_TRANSITIONS["withdraw"], req.status)
    _require_own_association(by, req.pathway)
    _move_request(req, "withdraw", by, comment)
    after = rules.PATHWAY_STATUS_AFTER.get((req.kind, RS.WITHDRAWN))
    if after == PS.EXITED and not req.pathway.periods.exists():
        Exit.objects.create(
            pathway=req.pathway,
            date=clock.today(),
            reason=rules.ExitReason.WITHDRAWN,
            recorded_by=by.user,
            comment=comment,
        )
        previous = req.pathway.status
        _move_pathway(req.pathway, PS.EXITED)
        _record(req.pathway, "record_exit", by, from_status=previous, to_status=PS.EXITED, comment=comment)
    _journal(by, "request.withdraw", req, req.pathway)
    return req


# --- The commission ----------------------------------------------------------------------------------
def _require_own_commission(by: Membership, commission_id: int) -> None:
    if commission_id != by.organisation_id:
        raise DomainError(_("Cette demande relève d'une autre commission."))


@transaction.atomic
def create_session(by: Membership, date: dt.date, place: str = "") -> CommissionSession:
    _require_role(by, {Role.SECRETARIAT})
    if date < dt.date(2016, 10, 30):
        raise DomainError(_("La date de séance est antérieure au décret du 28 octobre 2016."))
    session = CommissionSession.objects.create(commission=by.organisation, date=date, place=place)
    _journal(by, "session.create", session)
    return session


@transaction.atomic
def update_session(
    session: CommissionSession,
    by: Membership,
    place: str,
    attendance: str,
    *,
    expected_version: int | None = None,
) -> CommissionSession:
    """Place and attendance (the members present), as the minutes record them. `expected_version` is the
    version the form showed: if the session was saved since, raises `locking.EditConflict`."""
    from parcours.core import locking  # imports this module

    _require_role(by, {Role.SECRETARIAT})
    if session.commission_id != by.organisation_id:
        raise DomainError(_("Cette séance est celle d'une autre commission."))
    locking.claim(session, expected_version)
    session.place, session.attendance = place.strip(), attendance.strip()
    session.save(update_fields=["place", "attendance"])
    _journal(by, "session.update", session)
    return session


@transaction.atomic
def cancel_session(session: CommissionSession, by: Membership, comment: str = "") -> CommissionSession:
    """A session that will not take place: its requests go back to the list waiting for a session."""
    _require_role(by, {Role.SECRETARIAT})
    session = CommissionSession.objects.select_for_update().get(pk=session.pk)
    if session.commission_id != by.organisation_id:
        raise DomainError(_("Cette séance est celle d'une autre commission."))
    if session.status != SessionStatus.PLANNED or session.avis.exists():
        raise DomainError(_("Seule une séance prévue, sans avis enregistré, peut être annulée."))
    for item in session.agenda.select_related("request"):
        req = _lock_request(item.request)
        if req.status == RS.SCHEDULED:
            _move_request(
                req, "unschedule", by, comment=_("Séance du %(d)s annulée") % {"d": _d(session.date)}
            )
            # As `unschedule_request`: the journal names the person, so that the pages held about her (her
            # summaries, her pathway blocks: decisions 0059 and 0066) show the request waiting again.
            _journal(by, "request.unschedule", req, req.pathway)
    session.agenda.all().delete()
    session.status = SessionStatus.CANCELLED
    session.save(update_fields=["status"])
    _journal(by, "session.cancel", session)
    return session


@transaction.atomic
def schedule_request(request: PathwayRequest, session: CommissionSession, by: Membership) -> AgendaItem:
    req = _lock_request(request)
    _require_transition(by, rules.REQUEST_TRANSITIONS["schedule"], req.status)
    _require_own_commission(by, req.commission_id)
    if session.commission_id != req.commission_id:
        raise DomainError(_("Cette séance est celle d'une autre commission."))
    if session.status != SessionStatus.PLANNED:
        raise DomainError(_("On ne peut inscrire une demande qu'à une séance prévue."))
    if session.date < req.submitted_on:
        raise DomainError(_("La séance est antérieure à la transmission de la demande."))
    position = (session.agenda.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    try:
        with transaction.atomic():
            item = AgendaItem.objects.create(session=session, request=req, position=position)
    except IntegrityError as exc:
        raise DomainError(_("Cette demande est déjà inscrite à cette séance.")) from exc
    _move_request(req, "schedule", by, comment=_("Séance du %(d)s") % {"d": _d(session.date)})
    _journal(by, "request.schedule", req, req.pathway)
    return item


def _off_planned_agendas(req: PathwayRequest) -> None:
    """Take the request off the agendas of the sessions still planned that gave it no avis."""
    AgendaItem.objects.filter(request=req, session__status=SessionStatus.PLANNED).exclude(
        session__avis__request=req
    ).delete()


@transaction.atomic
def unschedule_request(request: PathwayRequest, by: Membership) -> PathwayRequest:
    req = _lock_request(request)
    _require_transition(by, rules.REQUEST_TRANSITIONS["unschedule"], req.status)
    _require_own_commission(by, req.commission_id)
    _off_planned_agendas(req)
    _move_request(req, "unschedule", by)
    _journal(by, "request.unschedule", req, req.pathway)
    return req


@transaction.atomic
def record_reconvened(req: PathwayRequest, by: Membership, held: CommissionSession, again: CommissionSession):
    """One step on a scheduled request's pathway when `commission.reconvene` moves it to the new session, in
    its transaction: the timeline shows the new date, the to-do (decision 0057) and caseload (0060) pages
    held for the association are computed again, the person's summaries too (0059). The request stays
    scheduled."""
    comment = _("Séance du %(d)s (quorum non atteint le %(held)s)") % {
        "d": _d(again.date),
        "held": _d(held.date),
    }
    _record(req.pathway, "reconvene", by, request=req, comment=comment)
    _journal(by, "request.reconvene", req, req.pathway)


@transaction.atomic
def record_avis(
    request: PathwayRequest,
    session: CommissionSession,
    kind: str,
    by: Membership,
    reason: str = "",
    votes: tuple[int, int, int] | None = None,
) -> Avis:
    """The commission's avis on one agenda item. Once the commission's composition is kept in Parcours, the
    session must have its quorum (or be reconvened) and `votes` is (for, against, abstentions), checked
    against the members who may vote on the item: recused members do not (pathway/commission.py)."""
    req = _lock_request(request)
    action = "adjourn" if kind == rules.AvisKind.ADJOURNED else "record_avis"
    _require_transition(by, rules.REQUEST_TRANSITIONS[action], req.status)
    _require_own_commission(by, req.commission_id)
    item = session.agenda.filter(request=req).select_related("session", "request__pathway").first()
    if item is None:
        raise DomainError(_("Cette demande n'est pas à l'ordre du jour de cette séance."))
    if session.date > clock.today():
        raise DomainError(_("L'avis ne peut être enregistré qu'à partir du jour de la séance."))
    if kind != rules.AvisKind.FAVOURABLE and not reason.strip():
        raise DomainError(_("Un avis défavorable ou un ajournement doit être motivé."))
    body.check_deliberation(session)
    body.check_votes(item, kind, votes)
    votes_for, against, abstentions = votes if votes is not None else (None, None, None)
    avis = Avis.objects.create(
        request=req, session=session, kind=kind, reason=reason.strip(), recorded_by=by.user,
        votes_for=votes_for, votes_against=against, abstentions=abstentions,
    )  # fmt: skip
    body.record_recusals(item)
    _move_request(req, action, by, comment=f"{rules.AvisKind(kind).label}. {reason}".strip(". "))
    if session.status == SessionStatus.PLANNED:
        session.status = SessionStatus.HELD
        session.save(update_fields=["status"])
    _journal(by, "avis.record", avis, req.pathway)
    return avis


# --- The préfet --------------------------------------------------------------------------------------
def _check_decision_date(req: PathwayRequest, decided_on: dt.date) -> None:
    last_avis = req.avis.select_related("session").order_by("-session__date").first()
    if decided_on > clock.today():
        raise DomainError(_("La date de décision ne peut pas être dans le futur."))
    if last_avis and decided_on < last_avis.session.date:
        raise DomainError(
            _("La décision ne peut pas précéder l'avis de la commission (séance du %(d)s).")
            % {"d": _d(last_avis.session.date)}
        )


@transaction.atomic
def authorise(
    request: PathwayRequest,
    by: Membership,
    decided_on: dt.date,
    start: dt.date | None = None,
    motivation: str = "",
) -> Period:
    """Authorise the pathway (entry) or its renewal: opens a period computed by the rules."""
    req = _lock_request(request)
    _require_transition(by, rules.REQUEST_TRANSITIONS["authorise"], req.status)
    if req.commission.departement_id != by.organisation.departement_id:
        raise DomainError(_("Cette demande relève d'un autre département."))
    _check_decision_date(req, decided_on)
    pathway = Pathway.objects.select_for_update().get(pk=req.pathway_id)
    if pathway.status == PS.EXITED:
        raise DomainError(_("Ce parcours est clos (sortie enregistrée) : il ne peut plus être autorisé."))
    previous = pathway.periods.order_by("-number").first()
    if req.kind == rules.RequestKind.RENEWAL:
        if previous is None:
            raise DomainError(_("Un renouvellement suppose une période déjà autorisée."))
        computed = rules.renewal_start(previous.end, req.submitted_on, decided_on)
        if start and start != computed:
            raise DomainError(
                _("Un renouvellement prend effet le %(d)s, à la suite de la période précédente.")
                % {"d": _d(computed)}
            )
        start = computed
    else:
        start = start or decided_on
        if start < decided_on or start > rules.add_months(decided_on, 3):
            raise DomainError(
                _("Le parcours doit commencer entre la date de la décision et trois mois après.")
            )
    try:
        dates = rules.next_period(pathway.rule, start, months_used(pathway))
    except rules.CapReached as exc:
        raise DomainError(
            _("Le plafond de %(months)s mois de parcours est atteint.")
            % {"months": pathway.rule.max_total_months}
        ) from exc
    Decision.objects.create(
        request=req,
        kind=DecisionKind.AUTHORISED,
        decided_on=decided_on,
        motivation=motivation,
        decided_by=by.user,
    )
    period = Period.objects.create(
        pathway=pathway,
        request=req,
        number=(previous.number + 1 if previous else 1),
        start=dates.start,
        end=dates.end,
        months=dates.months,
    )
    _move_request(
        req,
        "authorise",
        by,
        comment=_("Période du %(s)s au %(e)s") % {"s": _d(dates.start), "e": _d(dates.end)},
    )
    previous_status = pathway.status
    target = PS.ACTIVE if dates.end >= clock.today() else PS.LAPSED
    _move_pathway(pathway, target)
    if previous_status != target:
        _record(pathway, "pathway_status", by, from_status=previous_status, to_status=target)
    _journal(by, "decision.authorise", req, pathway)
    return period


@transaction.atomic
def refuse(
    request: PathwayRequest, by: Membership, decided_on: dt.date, reasons: list[str], motivation: str
) -> Decision:
    req = _lock_request(request)
    _require_transition(by, rules.REQUEST_TRANSITIONS["refuse"], req.status)
    if req.commission.departement_id != by.organisation.departement_id:
        raise DomainError(_("Cette demande relève d'un autre département."))
    _check_decision_date(req, decided_on)
    if not reasons or not motivation.strip():
        raise DomainError(_("Un refus doit indiquer au moins un motif et une motivation écrite."))
    unknown = set(reasons) - set(rules.RefusalReason.values)
    if unknown:
        raise DomainError(_("Motif de refus inconnu."))
    decision = Decision.objects.create(
        request=req,
        kind=DecisionKind.REFUSED,
        decided_on=decided_on,
        refusal_reasons=list(reasons),
        motivation=motivation.strip(),
        decided_by=by.user,
    )
    _move_request(req, "refuse", by, comment=motivation.strip())
    after = rules.PATHWAY_STATUS_AFTER.get((req.kind, RS.REFUSED))
    if after:
        pathway = req.pathway
        previous = pathway.status
        _move_pathway(pathway, after)
        _record(pathway, "pathway_status", by, from_status=previous, to_status=after)
    _journal(by, "decision.refuse", decision, req.pathway)
    return decision


# --- Exit --------------------------------------------------------------------------------------------
def _close(
    pathway: Pathway,
    action: str,
    by: Membership | None,
    exit_date: dt.date,
    reason: str,
    housing="",
    activity="",
    comment="",
) -> Exit:
    pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
    _require_transition(by, rules.PATHWAY_TRANSITIONS[action], pathway.status)
    first = pathway.periods.order_by("number").first()
    if exit_date > clock.today():
        raise DomainError(_("La date de sortie ne peut pas être dans le futur."))
    if first and exit_date < first.start:
        raise DomainError(
            _("La date de sortie précède le début du parcours (%(d)s).") % {"d": _d(first.start)}
        )
    if pathway.requests.filter(status__in=rules.OPEN_REQUEST_STATUSES).exists() and action == "record_exit":
        raise DomainError(_("Une demande est en cours : retirez-la avant d'enregistrer la sortie."))
    if action == "end_early":
        # A pending renewal has no object once the préfet ended the pathway: close it, visibly.
        for req in pathway.requests.select_for_update().filter(status__in=rules.OPEN_REQUEST_STATUSES):
            previous_status, req.status = req.status, RS.WITHDRAWN
            req.save(update_fields=["status"])
            # Off the agenda of a session still planned, as an unscheduled request: the secretariat could not
            # take a withdrawn request off it.
            _off_planned_agendas(req)
            _record(
                pathway, "close_request", by, request=req, from_status=previous_status, to_status=RS.WITHDRAWN
            )
    closed = _close_periods(pathway, exit_date)
    exit_ = Exit.objects.create(
        pathway=pathway,
        date=exit_date,
        reason=reason,
        housing=housing,
        activity=activity,
        comment=comment,
        recorded_by=by.user if by else None,
    )
    previous = pathway.status
    _move_pathway(pathway, PS.EXITED)
    _record(
        pathway,
        action,
        by,
        from_status=previous,
        to_status=PS.EXITED,
        comment=" ".join(filter(None, [f"{rules.ExitReason(reason).label}. {comment}".strip(". "), closed])),
    )
    _journal(by, "pathway.end_early" if action == "end_early" else "pathway.exit", exit_, pathway)
    return exit_


def _close_periods(pathway: Pathway, exit_date: dt.date) -> str:
    """The exit ends the running period that day (rules.CLOSING_PERIOD): its end becomes the exit date and
    its authorised end is kept in `planned_end`; a period authorised to start after the exit is cancelled.
    Returns what the timeline says of it."""
    said = []
    for period in pathway.periods.select_for_update().order_by("number"):
        if period.start > exit_date:
            said.append(
                _("Période n° %(n)s (du %(s)s au %(e)s) annulée par la sortie.")
                % {"n": period.number, "s": _d(period.start), "e": _d(period.end)}
            )
            period.delete()
        elif period.end > exit_date:
            said.append(
                _("Période n° %(n)s close le %(d)s (fin autorisée : %(e)s).")
                % {"n": period.number, "d": _d(exit_date), "e": _d(period.end)}
            )
            period.planned_end, period.end = period.end, exit_date
            period.save(update_fields=["planned_end", "end"])
    return " ".join(said)


@transaction.atomic
def record_exit(
    pathway: Pathway,
    by: Membership,
    exit_date: dt.date,
    reason: str,
    housing: str = "",
    activity: str = "",
    comment: str = "",
) -> Exit:
    _require_role(by, ASSOCIATION_STAFF)
    _require_own_association(by, pathway)
    if reason == rules.ExitReason.ENDED_EARLY:
        raise DomainError(_("Seul le préfet peut mettre fin au parcours de manière anticipée."))
    if reason not in rules.ExitReason.values:
        raise DomainError(_("Motif de sortie inconnu."))
    return _close(pathway, "record_exit", by, exit_date, reason, housing, activity, comment)


def history_problem(start: dt.date, renewals: int, today: dt.date | None = None) -> str | None:
    """What makes an earlier pathway, as an association's records give it (its start and the number of
    renewals authorised), impossible under the rules; None when it can be recorded (`record_history`)."""
    today = today or clock.today()
    try:
        rule = rules.rule_version_on(start)
    except ValueError:
        return _("Le parcours de sortie n'existe que depuis le %(d)s.") % {
            "d": _d(rules.RULE_VERSIONS[0].in_force_from)
        }
    if start > today:
        return _("Le début du parcours ne peut pas être dans le futur.")
    if renewals < 0:
        return _("Le nombre de renouvellements ne peut pas être négatif.")
    months = (renewals + 1) * rule.period_months
    if months > rule.max_total_months:
        return _(
            "%(n)d renouvellement(s) donnent %(months)d mois de parcours : au-delà du plafond de "
            "%(cap)d mois."
        ) % {"n": renewals, "months": months, "cap": rule.max_total_months}
    begin = start
    for _number in range(renewals):
        begin = rules.period_end(begin, rule.period_months) + dt.timedelta(days=1)
    if begin > today:
        return _("Le dernier renouvellement commencerait le %(d)s, après aujourd'hui.") % {"d": _d(begin)}
    return None


@transaction.atomic
def record_history(
    person: Person,
    by: Membership,
    start: dt.date,
    renewals: int = 0,
    exit_date: dt.date | None = None,
    exit_reason: str = "",
) -> Pathway:
    """Record a pathway the association followed before Parcours (import of its caseload, docs/decisions/
    0051): the entry and each renewal as authorised requests with the préfet's decision dated the start of
    their period, the periods computed by the rules (6 months each, within the cap), then the exit if any.
    The head of service answers for what she takes over; each period is an event « reprise »."""
    _require_role(by, {Role.HEAD_OF_SERVICE})
    if person.association_id != by.organisation_id:
        raise DomainError(_("Cette personne est suivie par une autre association."))
    problem = history_problem(start, renewals)
    if problem:
        raise DomainError(problem)
    if person.pathways.exclude(status=PS.EXITED).exists():
        raise DomainError(_("La personne a déjà un parcours en cours."))
    rule = rules.rule_version_on(start)
    pathway = Pathway.objects.create(
        person=person, association=by.organisation, departement_id=person.departement_id,
        status=PS.PREPARING, rule_version=rule.code,
    )  # fmt: skip
    used, begin, last = 0, start, None
    for number in range(1, renewals + 2):
        dates = rules.next_period(rule, begin, used)
        req = PathwayRequest.objects.create(
            pathway=pathway, kind=rules.RequestKind.ENTRY if number == 1 else rules.RequestKind.RENEWAL,
            status=RS.AUTHORISED, submitted_on=begin, created_by=by.user,
        )  # fmt: skip
        Decision.objects.create(
            request=req, kind=DecisionKind.AUTHORISED, decided_on=begin, decided_by=by.user,
            motivation=_("Décision reprise de l'historique de l'association (import)."),
        )  # fmt: skip
        Period.objects.create(pathway=pathway, request=req, number=number, start=dates.start, end=dates.end,
                              months=dates.months)  # fmt: skip
        said = _("Période du %(s)s au %(e)s") % {"s": _d(dates.start), "e": _d(dates.end)}
        _record(pathway, "import_history", by, request=req, to_status=RS.AUTHORISED, comment=said)
        used, begin, last = used + dates.months, dates.end + dt.timedelta(days=1), dates
    _move_pathway(pathway, PS.ACTIVE if last.end >= clock.today() else PS.LAPSED)
    _journal(by, "pathway.import", pathway, pathway)
    if exit_date is not None:
        _close(pathway, "record_exit", by, exit_date, exit_reason or rules.ExitReason.OTHER)
    return pathway


@transaction.atomic
def end_early(pathway: Pathway, by: Membership, end_date: dt.date, motivation: str) -> Exit:
    _require_role(by, rules.PATHWAY_TRANSITIONS["end_early"].roles)
    if pathway.departement_id != by.organisation.departement_id:
        raise DomainError(_("Ce parcours relève d'un autre département."))
    if not motivation.strip():
        raise DomainError(_("Une fin anticipée doit être motivée."))
    return _close(
        pathway, "end_early", by, end_date, rules.ExitReason.ENDED_EARLY, comment=motivation.strip()
    )


# --- The daily deadline pass -------------------------------------------------------------------------
def expire_periods(today: dt.date | None = None) -> int:
    """Mark pathways whose last authorised period has ended as lapsed. Returns how many changed."""
    today = today or clock.today()
    changed = 0
    for pathway_id in Pathway.objects.filter(status=PS.ACTIVE).values_list("pk", flat=True):
        with transaction.atomic():
            pathway = Pathway.objects.select_for_update().get(pk=pathway_id)
            last = pathway.periods.order_by("-number").first()
            if pathway.status == PS.ACTIVE and last and last.end < today:
                _move_pathway(pathway, PS.LAPSED)
                _record(
                    pathway,
                    "expire_period",
                    None,
                    from_status=PS.ACTIVE,
                    to_status=PS.LAPSED,
                    comment=_("Fin de la période le %(d)s") % {"d": _d(last.end)},
                )
                _journal(None, "pathway.expire", pathway, pathway)
                changed += 1
    return changed


# --- A file moves to another association (parcours.transfers, docs/decisions/0034-file-transfer.md) -------
# A request in the hands of the commission or the préfet stops a transfer: the body that instructs it belongs
# to the département where it was transmitted, and the receiving association could not answer for it.
TRANSMITTED = frozenset({RS.SUBMITTED, RS.SCHEDULED, RS.ADJOURNED, RS.AVIS_GIVEN})
# A request still inside the sending association follows the file, back to draft: the receiving association's
# head of service validates it herself, and it goes to the commission of the département where she lives.
INSIDE_ASSOCIATION_BACK_TO_DRAFT = frozenset({RS.READY, RS.VALIDATED})


def transfer_obstacle(person: Person) -> str | None:
    """Why the pathway of `person` cannot follow her to another association today (French); None if it can."""
    req = (
        PathwayRequest.objects.filter(pathway__person=person, status__in=TRANSMITTED)
        .select_related("pathway")
        .first()
    )
    if req is None:
        return None
    return _(
        "Une demande de parcours est entre les mains de la commission ou du préfet (%(status)s) : attendez "
        "la décision, ou retirez la demande, avant de transférer le dossier."
    ) % {"status": RS(req.status).label}


def transfer_pathways(person: Person, to_association: Organisation, to_departement, by: Membership) -> None:
    """Hand every pathway of `person` to `to_association` (the history and the months follow her: the same
    pathway goes on, its periods and the 24-month cap with it). If she moved, her pathway in progress now
    belongs to her new département: the next request goes to its commission. Called by
    parcours.transfers inside its transaction, by the receiving head of service `by`."""
    obstacle = transfer_obstacle(person)
    if obstacle:
        raise DomainError(obstacle)
    for pathway in Pathway.objects.select_for_update().filter(person=person).order_by("pk"):
        changed = ["association"]
        pathway.association = to_association
        in_progress = pathway.status != PS.EXITED
        if in_progress and pathway.departement_id != to_departement.pk:
            pathway.departement = to_departement
            changed.append("departement")
        pathway.save(update_fields=changed)
        if not in_progress:
            continue
        _record(pathway, "transfer", by, from_status=pathway.status, to_status=pathway.status)
        for req in pathway.requests.select_for_update().filter(status__in=INSIDE_ASSOCIATION_BACK_TO_DRAFT):
            previous = req.status
            req.status = RS.DRAFT
            req.save(update_fields=["status"])
            _record(
                pathway, "return_to_draft", by, request=req, from_status=previous, to_status=RS.DRAFT,
                comment=_("Dossier transféré : la demande est à valider par la nouvelle association."),
            )  # fmt: skip
