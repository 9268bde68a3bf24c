"""The operations of the API. Each one goes through the same rule table as the pages
(accounts/policy.py, "api_<resource>" rules) and the same visibility querysets (`visible_to`): an object
outside them is a 404. Each one is journaled like the page that shows the same data."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Path as PathParam
from ninja import Query, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from parcours.accounts import policy
from parcours.accounts.models import User
from parcours.audit import log as audit
from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.followup import services as followup
from parcours.followup.models import Appointment, AppointmentStatus
from parcours.pathway import rules
from parcours.pathway.models import Avis, CommissionSession, Decision, Domain, Pathway, PathwayRequest
from parcours.pathway.visibility import identified_people
from parcours.people.models import Person
from parcours.statistics import indicators, secrecy
from parcours.statistics.tables import scope_for, tables

from .api import api
from .tokens import RESOURCES

ObjectId = Annotated[int, PathParam(ge=1, le=2**31 - 1, description="Identifiant (entier positif).")]
PER_PAGE_MAX = 100
PAGE_MAX = 100_000


# --- Schemas ------------------------------------------------------------------------------------------------
class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    loc: list[str]
    message: str
    type: str


class ValidationErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut]


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut, 429: ErrorOut}


class PersonOut(Schema):
    id: int
    reference: str
    first_name: str
    last_name: str
    birth_date: dt.date | None
    nationality: str
    gender: str
    departement: str
    association_id: int
    referent_id: int | None = Field(description="Pour l'association qui la suit seulement ; null sinon.")
    archived_on: dt.date | None


class PeriodOut(Schema):
    number: int
    start: dt.date
    end: dt.date
    months: int


class PathwayOut(Schema):
    id: int
    reference: str
    person_id: int
    association_id: int
    departement: str
    status: str
    created_at: dt.datetime
    periods: list[PeriodOut]


class PersonRefOut(Schema):
    """Who the request is about: her identity for the roles that see it (the same rule as the pages),
    her pseudonymised fields only for commission members (docs/decisions/0025)."""

    reference: str
    initials: str
    birth_year: int | None
    nationality: str
    id: int | None
    first_name: str | None
    last_name: str | None


class RequestOut(Schema):
    id: int
    pathway_id: int
    pathway_reference: str
    kind: str
    status: str
    commission_id: int | None
    submitted_on: dt.date | None
    signed_on: dt.date | None
    sworn_statement: bool
    created_at: dt.datetime
    person: PersonRefOut


class SessionOut(Schema):
    id: int
    commission_id: int
    date: dt.date
    status: str
    agenda: list[int] = Field(description="Identifiants des demandes inscrites, dans l'ordre du jour.")


class AvisOut(Schema):
    id: int
    request_id: int
    session_id: int
    kind: str
    votes_for: int | None
    votes_against: int | None
    abstentions: int | None
    recorded_at: dt.datetime


class DecisionOut(Schema):
    id: int
    request_id: int
    kind: str
    decided_on: dt.date
    refusal_reasons: list[str]


class AppointmentOut(Schema):
    id: int
    person_id: int
    worker_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    purpose: str
    status: str


DomainCode = Literal[tuple(Domain.values)]  # type: ignore[valid-type]


class AppointmentIn(Schema):
    person_id: int = Field(ge=1, le=2**31 - 1)
    starts_at: dt.datetime
    ends_at: dt.datetime
    purpose: DomainCode
    place: str = Field(default="", max_length=200)
    worker_id: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="La professionnelle qui tient le rendez-vous ; vous par défaut.",
    )


def _page_schema(name: str, item):
    return type(
        name,
        (Schema,),
        {"__annotations__": {"count": int, "page": int, "per_page": int, "results": list[item]}},
    )


PersonPage = _page_schema("PersonPage", PersonOut)
PathwayPage = _page_schema("PathwayPage", PathwayOut)
RequestPage = _page_schema("RequestPage", RequestOut)
SessionPage = _page_schema("SessionPage", SessionOut)
AvisPage = _page_schema("AvisPage", AvisOut)
DecisionPage = _page_schema("DecisionPage", DecisionOut)
AppointmentPage = _page_schema("AppointmentPage", AppointmentOut)


class Paging(Schema):
    page: int = Field(1, ge=1, le=PAGE_MAX)
    per_page: int = Field(50, ge=1, le=PER_PAGE_MAX)


# --- The same rule as the pages -----------------------------------------------------------------------------
def allow(request, resource: str, *, write: bool = False, about_object: bool = False):
    """Her role must be in the API rule of `resource` (a 403, or a 404 for a URL naming an object when her
    role never opens a file, as on the pages), and the token must carry the scope."""
    m = request.membership
    if not policy.can(m, RESOURCES[resource][0]):
        if about_object and policy.sees_no_object_it_is_refused(m):
            raise Http404
        raise HttpError(403, _("Votre rôle ne donne pas accès à cette ressource."))
    token = request.api_token
    if resource not in (token.write_scopes if write else token.read_scopes):
        raise HttpError(
            403,
            _("Ce jeton ne permet pas l'écriture sur cette ressource.")
            if write
            else _("Ce jeton ne permet pas la lecture de cette ressource."),
        )
    return m


def refused_about(request, model, pk: int, person_path: str) -> Http404:
    """The 404 of an object outside her visibility names, in the journal, the person it is about when it
    exists (looked up without the visibility filter, as the pages do: audit.log.person_of_url)."""
    request.audit_person_id = model._base_manager.filter(pk=pk).values_list(person_path, flat=True).first()
    return Http404()


def paginate(queryset, paging: Paging):
    count = queryset.count()
    start = (paging.page - 1) * paging.per_page
    return count, list(queryset[start : start + paging.per_page])


def journal_read(request, object_type: str, object_id="", person_id=None):
    audit.record(request, "read", object_type, object_id, person_id=person_id)


def page_of(count, paging, results):
    return {"count": count, "page": paging.page, "per_page": paging.per_page, "results": results}


# --- People -------------------------------------------------------------------------------------------------
def person_out(m, p: Person) -> dict:
    staff = policy.can(m, "person_file")
    return {
        "id": p.pk, "reference": p.reference, "first_name": p.first_name, "last_name": p.last_name,
        "birth_date": p.birth_date, "nationality": p.nationality.code or "", "gender": p.gender,
        "departement": p.departement_id, "association_id": p.association_id,
        "referent_id": p.referent_id if staff else None, "archived_on": p.archived_on,
    }  # fmt: skip


class PeopleFilters(Paging):
    archived: bool | None = Field(
        None, description="true : dossiers archivés seulement ; false : les autres."
    )
    referent_me: bool = Field(False, description="Seulement les personnes dont vous êtes la référente.")


@api.get(
    "/people",
    response={200: PersonPage, **ERRORS},
    url_name="people",
    tags=["personnes"],
    summary="Personnes visibles",
)
def people_list(request, filters: Query[PeopleFilters]):
    m = allow(request, "people")
    qs = Person.objects.visible_to(m).order_by("pk")
    if filters.archived is not None:
        qs = qs.filter(archived_on__isnull=not filters.archived)
    if filters.referent_me:
        qs = qs.filter(referent_id=m.user_id)
    count, rows = paginate(qs, filters)
    journal_read(request, "api_people")
    return page_of(count, filters, [person_out(m, p) for p in rows])


@api.get(
    "/people/{pk}",
    response={200: PersonOut, **ERRORS},
    url_name="person",
    tags=["personnes"],
    summary="Une personne",
)
def person_detail(request, pk: ObjectId):
    m = allow(request, "people", about_object=True)
    person = Person.objects.visible_to(m).filter(pk=pk).first()
    if person is None:
        raise refused_about(request, Person, pk, "pk")
    journal_read(request, "api_person", pk, person_id=pk)
    return person_out(m, person)


# --- Pathways -----------------------------------------------------------------------------------------------
def pathway_out(p: Pathway) -> dict:
    return {
        "id": p.pk, "reference": p.reference, "person_id": p.person_id, "association_id": p.association_id,
        "departement": p.departement_id, "status": p.status, "created_at": p.created_at,
        "periods": [{"number": x.number, "start": x.start, "end": x.end, "months": x.months}
                    for x in p.periods.all()],
    }  # fmt: skip


class PathwayFilters(Paging):
    status: Literal[tuple(rules.PathwayStatus.values)] | None = None  # type: ignore[valid-type]
    person_id: int | None = Field(None, ge=1, le=2**31 - 1)


@api.get(
    "/pathways",
    response={200: PathwayPage, **ERRORS},
    url_name="pathways",
    tags=["parcours"],
    summary="Parcours visibles",
)
def pathways_list(request, filters: Query[PathwayFilters]):
    m = allow(request, "pathways")
    qs = Pathway.objects.visible_to(m).order_by("pk").prefetch_related("periods")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.person_id:
        qs = qs.filter(person_id=filters.person_id)
    count, rows = paginate(qs, filters)
    journal_read(request, "api_pathways", person_id=filters.person_id if rows else None)
    return page_of(count, filters, [pathway_out(p) for p in rows])


@api.get(
    "/pathways/{pk}",
    response={200: PathwayOut, **ERRORS},
    url_name="pathway",
    tags=["parcours"],
    summary="Un parcours",
)
def pathway_detail(request, pk: ObjectId):
    m = allow(request, "pathways", about_object=True)
    pathway = Pathway.objects.visible_to(m).prefetch_related("periods").filter(pk=pk).first()
    if pathway is None:
        raise refused_about(request, Pathway, pk, "person_id")
    journal_read(request, "api_pathway", pk, person_id=pathway.person_id)
    return pathway_out(pathway)


# --- Requests -----------------------------------------------------------------------------------------------
def requests_of(m):
    """Commission members reach the requests on their commission's agendas, pseudonymised (as their pages)."""
    return PathwayRequest.objects.pseudonymised_visible_to(m)


def request_out(r: PathwayRequest, identified: set[int]) -> dict:
    p = r.pathway.person
    known = p.pk in identified
    return {
        "id": r.pk, "pathway_id": r.pathway_id, "pathway_reference": r.pathway.reference, "kind": r.kind,
        "status": r.status, "commission_id": r.commission_id, "submitted_on": r.submitted_on,
        "signed_on": r.signed_on, "sworn_statement": r.sworn_statement, "created_at": r.created_at,
        "person": {
            "reference": p.reference, "initials": p.initials,
            "birth_year": p.birth_date.year if p.birth_date else None,
            "nationality": p.nationality.code or "", "id": p.pk if known else None,
            "first_name": p.first_name if known else None, "last_name": p.last_name if known else None,
        },
    }  # fmt: skip


class RequestFilters(Paging):
    status: Literal[tuple(rules.RequestStatus.values)] | None = None  # type: ignore[valid-type]
    kind: Literal[tuple(rules.RequestKind.values)] | None = None  # type: ignore[valid-type]
    pathway_id: int | None = Field(None, ge=1, le=2**31 - 1)


@api.get(
    "/requests",
    response={200: RequestPage, **ERRORS},
    url_name="requests",
    tags=["demandes"],
    summary="Demandes visibles",
)
def requests_list(request, filters: Query[RequestFilters]):
    m = allow(request, "requests")
    qs = requests_of(m).select_related("pathway__person").order_by("pk")
    for field in ("status", "kind", "pathway_id"):
        if getattr(filters, field):
            qs = qs.filter(**{field: getattr(filters, field)})
    count, rows = paginate(qs, filters)
    identified = identified_people(m, [r.pathway.person_id for r in rows])
    journal_read(request, "api_requests")
    return page_of(count, filters, [request_out(r, identified) for r in rows])


@api.get(
    "/requests/{pk}",
    response={200: RequestOut, **ERRORS},
    url_name="request",
    tags=["demandes"],
    summary="Une demande",
)
def request_detail(request, pk: ObjectId):
    m = allow(request, "requests", about_object=True)
    req = requests_of(m).select_related("pathway__person").filter(pk=pk).first()
    if req is None:
        raise refused_about(request, PathwayRequest, pk, "pathway__person_id")
    identified = identified_people(m, [req.pathway.person_id])
    # A pseudonymised read names no person in the journal either (the reader does not know who she is).
    journal_read(request, "api_request", pk, person_id=req.pathway.person_id)
    return request_out(req, identified)


# --- Sessions -----------------------------------------------------------------------------------------------
def session_out(s: CommissionSession, visible: set[int]) -> dict:
    return {"id": s.pk, "commission_id": s.commission_id, "date": s.date, "status": s.status,
            "agenda": [i.request_id for i in s.agenda.all() if i.request_id in visible]}  # fmt: skip


def _visible_requests(m, sessions) -> set[int]:
    ids = {i.request_id for s in sessions for i in s.agenda.all()}
    return set(requests_of(m).filter(pk__in=ids).values_list("pk", flat=True))


class SessionFilters(Paging):
    status: Literal["planned", "held", "cancelled"] | None = None
    date_from: dt.date | None = Field(None, description="Séances à partir de ce jour (AAAA-MM-JJ).")
    date_to: dt.date | None = Field(None, description="Séances jusqu'à ce jour inclus (AAAA-MM-JJ).")


@api.get(
    "/sessions",
    response={200: SessionPage, **ERRORS},
    url_name="sessions",
    tags=["commission"],
    summary="Séances de la commission",
)
def sessions_list(request, filters: Query[SessionFilters]):
    m = allow(request, "sessions")
    qs = CommissionSession.objects.visible_to(m).prefetch_related("agenda").order_by("date", "pk")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    count, rows = paginate(qs, filters)
    visible = _visible_requests(m, rows)
    journal_read(request, "api_sessions")
    return page_of(count, filters, [session_out(s, visible) for s in rows])


@api.get(
    "/sessions/{pk}",
    response={200: SessionOut, **ERRORS},
    url_name="session",
    tags=["commission"],
    summary="Une séance",
)
def session_detail(request, pk: ObjectId):
    m = allow(request, "sessions", about_object=True)
    session = CommissionSession.objects.visible_to(m).prefetch_related("agenda").filter(pk=pk).first()
    if session is None:
        raise Http404
    journal_read(request, "api_session", pk)
    return session_out(session, _visible_requests(m, [session]))


# --- Avis and decisions -------------------------------------------------------------------------------------
def avis_out(a: Avis) -> dict:
    return {"id": a.pk, "request_id": a.request_id, "session_id": a.session_id, "kind": a.kind,
            "votes_for": a.votes_for, "votes_against": a.votes_against, "abstentions": a.abstentions,
            "recorded_at": a.recorded_at}  # fmt: skip


class AvisFilters(Paging):
    kind: Literal[tuple(rules.AvisKind.values)] | None = None  # type: ignore[valid-type]
    request_id: int | None = Field(None, ge=1, le=2**31 - 1)
    session_id: int | None = Field(None, ge=1, le=2**31 - 1)


@api.get(
    "/avis",
    response={200: AvisPage, **ERRORS},
    url_name="avis_list",
    tags=["commission"],
    summary="Avis de la commission",
)
def avis_list(request, filters: Query[AvisFilters]):
    m = allow(request, "avis")
    qs = Avis.objects.filter(request__in=requests_of(m)).order_by("pk")
    for field in ("kind", "request_id", "session_id"):
        if getattr(filters, field):
            qs = qs.filter(**{field: getattr(filters, field)})
    count, rows = paginate(qs, filters)
    journal_read(request, "api_avis_list")
    return page_of(count, filters, [avis_out(a) for a in rows])


@api.get(
    "/avis/{pk}", response={200: AvisOut, **ERRORS}, url_name="avis", tags=["commission"], summary="Un avis"
)
def avis_detail(request, pk: ObjectId):
    m = allow(request, "avis", about_object=True)
    avis = Avis.objects.filter(request__in=requests_of(m), pk=pk).select_related("request__pathway").first()
    if avis is None:
        raise refused_about(request, Avis, pk, "request__pathway__person_id")
    journal_read(request, "api_avis", pk, person_id=avis.request.pathway.person_id)
    return avis_out(avis)


def decision_out(d: Decision) -> dict:
    return {"id": d.pk, "request_id": d.request_id, "kind": d.kind, "decided_on": d.decided_on,
            "refusal_reasons": [str(r) for r in d.refusal_reasons or []]}  # fmt: skip


class DecisionFilters(Paging):
    kind: Literal["authorised", "refused"] | None = None
    decided_from: dt.date | None = None
    decided_to: dt.date | None = None


@api.get(
    "/decisions",
    response={200: DecisionPage, **ERRORS},
    url_name="decisions",
    tags=["préfecture"],
    summary="Décisions du préfet",
)
def decisions_list(request, filters: Query[DecisionFilters]):
    m = allow(request, "decisions")
    qs = Decision.objects.filter(request__in=PathwayRequest.objects.visible_to(m)).order_by("pk")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.decided_from:
        qs = qs.filter(decided_on__gte=filters.decided_from)
    if filters.decided_to:
        qs = qs.filter(decided_on__lte=filters.decided_to)
    count, rows = paginate(qs, filters)
    journal_read(request, "api_decisions")
    return page_of(count, filters, [decision_out(d) for d in rows])


@api.get(
    "/decisions/{pk}",
    response={200: DecisionOut, **ERRORS},
    url_name="decision",
    tags=["préfecture"],
    summary="Une décision",
)
def decision_detail(request, pk: ObjectId):
    m = allow(request, "decisions", about_object=True)
    decision = (
        Decision.objects.filter(request__in=PathwayRequest.objects.visible_to(m), pk=pk)
        .select_related("request__pathway")
        .first()
    )
    if decision is None:
        raise refused_about(request, Decision, pk, "request__pathway__person_id")
    journal_read(request, "api_decision", pk, person_id=decision.request.pathway.person_id)
    return decision_out(decision)


# --- Appointments -------------------------------------------------------------------------------------------
def appointment_out(a: Appointment) -> dict:
    return {"id": a.pk, "person_id": a.person_id, "worker_id": a.worker_id, "starts_at": a.starts_at,
            "ends_at": a.ends_at, "place": a.place, "purpose": a.purpose, "status": a.status}  # fmt: skip


class AppointmentFilters(Paging):
    person_id: int | None = Field(None, ge=1, le=2**31 - 1)
    status: Literal[tuple(AppointmentStatus.values)] | None = None  # type: ignore[valid-type]
    starts_from: dt.date | None = None
    starts_to: dt.date | None = None


@api.get(
    "/appointments",
    response={200: AppointmentPage, **ERRORS},
    url_name="appointments",
    tags=["suivi"],
    summary="Rendez-vous",
)
def appointments_list(request, filters: Query[AppointmentFilters]):
    m = allow(request, "appointments")
    qs = Appointment.objects.visible_to(m).order_by("starts_at", "pk")
    if filters.person_id:
        qs = qs.filter(person_id=filters.person_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.starts_from:
        qs = qs.filter(starts_at__date__gte=filters.starts_from)
    if filters.starts_to:
        qs = qs.filter(starts_at__date__lte=filters.starts_to)
    count, rows = paginate(qs, filters)
    journal_read(request, "api_appointments", person_id=filters.person_id if rows else None)
    return page_of(count, filters, [appointment_out(a) for a in rows])


@api.get(
    "/appointments/{pk}",
    response={200: AppointmentOut, **ERRORS},
    url_name="appointment",
    tags=["suivi"],
    summary="Un rendez-vous",
)
def appointment_detail(request, pk: ObjectId):
    m = allow(request, "appointments", about_object=True)
    appointment = Appointment.objects.visible_to(m).filter(pk=pk).first()
    if appointment is None:
        raise refused_about(request, Appointment, pk, "person_id")
    journal_read(request, "api_appointment", pk, person_id=appointment.person_id)
    return appointment_out(appointment)


@api.post(
    "/appointments",
    response={201: AppointmentOut, **ERRORS},
    url_name="appointments_create",
    tags=["suivi"],
    summary="Fixer un rendez-vous",
)
def appointment_create(request, data: AppointmentIn):
    """The same service as the appointments page: same checks, same journal row, in one transaction."""
    m = allow(request, "appointments", write=True)
    person = Person.objects.visible_to(m).filter(pk=data.person_id).first()
    if person is None:
        raise refused_about(request, Person, data.person_id, "pk")
    request.audit_person_id = person.pk
    worker = m.user if data.worker_id is None else User.objects.filter(pk=data.worker_id).first()
    if data.starts_at.tzinfo is None or data.ends_at.tzinfo is None:
        raise HttpError(422, _("Indiquez le fuseau horaire des dates (par exemple +01:00)."))
    try:
        with transaction.atomic():
            appointment = followup.schedule_appointment(
                person,
                m,
                worker=worker,
                starts_at=data.starts_at,
                ends_at=data.ends_at,
                purpose=data.purpose,
                place=data.place,
            )
    except DomainError as exc:
        raise HttpError(422, exc.message) from None
    return Status(201, appointment_out(appointment))


# --- Statistics ---------------------------------------------------------------------------------------------
class CellColumnOut(Schema):
    code: str
    label: str


class StatRowOut(Schema):
    label: str
    values: list[int | None] = Field(description="null : case masquée par le secret statistique.")
    total: int | None = Field(
        description="null : total masqué, ou sans objet (tableau « équilibre » : quatre nombres de natures "
        "différentes)."
    )


class IndicatorOut(Schema):
    code: str
    name: str
    columns: list[CellColumnOut]
    rows: list[StatRowOut]
    column_totals: list[int | None]
    total: int | None


class StatisticsOut(Schema):
    level: str
    label: str
    start: dt.date
    end: dt.date
    threshold: int
    indicators: list[IndicatorOut]


def _number(total):
    """A table's total, or None: hidden, or "" on the page where no total makes sense (the balance table)."""
    return None if total == "" else total


class StatisticsFilters(Schema):
    year: int | None = Field(
        None, ge=2017, le=2100, description="Année civile ; l'année en cours par défaut."
    )
    departement: str | None = Field(None, min_length=1, max_length=3, pattern=r"^[0-9AB]{1,3}$")


@api.get(
    "/statistics",
    response={200: StatisticsOut, **ERRORS},
    url_name="statistics",
    tags=["statistiques"],
    summary="Statistiques (secret statistique appliqué comme sur les pages)",
)
def statistics(request, filters: Query[StatisticsFilters]):
    m = allow(request, "statistics")
    today = clock.today()
    year = filters.year or today.year
    if year > today.year:
        raise HttpError(422, _("Les statistiques d'une année à venir n'existent pas encore."))
    scope = scope_for(m, filters.departement or None)  # a département she may not read: 404
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)
    with indicators.one_reading():
        tbls = tables(scope, start, end)
    out = []
    for t in tbls:
        out.append(
            {
                "code": t.indicator.code,
                "name": str(t.indicator.name),
                "columns": [{"code": str(c), "label": str(label)} for c, label in t.columns],
                "rows": [
                    {"label": str(label), "values": list(values), "total": _number(total)}
                    for label, values, total in t.rows
                ],
                "column_totals": list(t.column_totals),
                "total": _number(t.total),
            }
        )
    journal_read(request, "api_statistics")
    return {"level": scope.level, "label": str(scope.label), "start": start, "end": end,
            "threshold": secrecy.threshold(), "indicators": out}  # fmt: skip
