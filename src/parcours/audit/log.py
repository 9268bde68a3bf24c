"""What the other apps call to record an access.

    from parcours.audit import log as audit

    # Inside a domain service's transaction.atomic(): the change and its row commit (or roll back) together.
    audit.record_event(by, "note.update", note)                       # person from note.person_id
    audit.record_event(by, "person.create", person, person_id=person.pk)

    audit.record(request, "read", "person", person.pk, person_id=person.pk)
    audit.record(request, "update", "note", note.pk, person_id=note.person_id)
    audit.record_system("update", "pathway", pathway.pk, person_id=pathway.person_id)   # jobs, commands

    @audit.audited_read("person", person_kwarg="pk")      # records the read once the page answered 2xx
    @requires("person_view")
    def person_detail(request, pk): ...

Identifiers only: `object_id` is a primary key (or another opaque identifier) and `person_id` the primary key
of the person concerned, never a name; both are checked. Refusals (403, 404) under the person URLs are
recorded by the middleware (middleware.py), so views need not record them.
"""

import contextvars
import re
from functools import wraps
from urllib.parse import quote

from django.apps import apps
from django.db import connection
from django.db.models import CharField, Count, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Cast, Concat
from django.http import HttpRequest
from django.urls import Resolver404, resolve

from parcours.core.compiled import row_key
from parcours.core.network import client_ip  # the throttling's address too

from . import chain
from .events import EVENTS
from .models import CHANGE_ACTIONS, SYSTEM_ROLE, AccessLog, Action, Outcome
from .scope import scope

OBJECT_TYPE = re.compile(r"[a-z][a-z0-9_]{0,29}")
OBJECT_ID = re.compile(r"[0-9A-Za-z_.:-]{0,64}")
PATH_MAX = 500


def record(
    request: HttpRequest,
    action: str,
    object_type: str,
    object_id,
    person_id=None,
    outcome: str = Outcome.ALLOWED,
    *,
    status_code: int | None = None,
) -> AccessLog:
    """One journal row for what `request.user`, acting under `request.membership`, did to an object."""
    user = getattr(request, "user", None)
    user = user if user is not None and user.is_authenticated else None
    membership = getattr(request, "membership", None)
    row = chain.append(
        user=user,
        organisation_id=membership.organisation_id if membership else None,
        role=membership.role if membership else "",
        ip=client_ip(request),
        path=journal_path(request),
        status_code=status_code,
        **_checked(action, object_type, object_id, person_id, outcome),
    )
    if outcome == Outcome.DENIED:
        request._audit_denied_recorded = True  # the middleware does not record the refusal a second time
    else:
        request._audit_recorded = True  # nor the access the view recorded itself
    return row


# The request being served, set by RequestContextMiddleware, so that services record its address and page.
current_request: contextvars.ContextVar = contextvars.ContextVar("parcours_audit_request", default=None)


class JournalOutsideTransactionError(RuntimeError):
    """record_event() is called inside the service's transaction.atomic(), never after it."""


def record_event(
    by,
    event: str,
    obj=None,
    *,
    person_id=None,
    request: HttpRequest | None = None,
    outcome: str = Outcome.ALLOWED,
) -> AccessLog:
    """One semantic journal row for a change made by a domain service, written in the caller's transaction.

    `by` is the Membership acting (or a User, or None for a job); `event` a key of events.EVENTS
    (e.g. "note.update"); `obj` the object changed (or its key); `person_id` the person concerned, by
    default `obj.person_id` (or `obj.pk` for a person). The address and page come from `request`, or from the
    request being served (RequestContextMiddleware); `outcome` DENIED for a refusal the service journals
    itself (a ProConnect login refused). Must be called inside `transaction.atomic()`: if the
    row cannot be written, the exception rolls the change back with it."""
    if event not in EVENTS:
        raise ValueError(f"Événement inconnu pour le journal : {event!r}")
    if not connection.in_atomic_block:
        raise JournalOutsideTransactionError(
            "audit.log.record_event() s'appelle dans la transaction du service (transaction.atomic())."
        )
    action = str(EVENTS[event][0])
    object_type = event.partition(".")[0]
    if person_id is None and obj is not None and not isinstance(obj, int | str):
        person_id = getattr(obj, "person_id", None)
        if person_id is None and getattr(getattr(obj, "_meta", None), "label", "") == "people.Person":
            person_id = obj.pk
    user, organisation_id, role = None, None, SYSTEM_ROLE
    if by is not None and hasattr(by, "organisation_id"):  # a Membership
        user, organisation_id, role = by.user, by.organisation_id, by.role
    elif by is not None:  # a User
        user, role = by, ""
    request = request if request is not None else current_request.get()
    fields = _checked(action, object_type, getattr(obj, "pk", obj), person_id, outcome)
    row = chain.append(
        user=user,
        organisation_id=organisation_id,
        role=role,
        event=event,
        ip=client_ip(request) if request is not None else None,
        path=journal_path(request) if request is not None else "",
        **fields,
    )
    if request is not None and outcome == Outcome.DENIED:
        request._audit_denied_recorded = True
    elif request is not None:
        request._audit_recorded = True  # the middleware does not record the POST a second time
    return row


def last_change_of(person) -> Subquery:
    """A stamp of the journal's rows of a change about `person` (a pk, or an OuterRef to one): their count
    and the sum of their numbers ("3:1234"), None if there is none. Every domain service records its change
    in the change's own transaction (record_event, person_id included), so a new value means that something
    about the person changed, by whoever, through whichever page, API or job (decision 0059). Not the
    largest number: the chains of two organisations commit in any order (decision 0062), and a change
    committed after a larger number was read would leave the largest as it was; any row added changes the
    count or the sum (and the purge only removes smaller numbers). An index-only scan of the person's
    entries in audit_person_change."""
    rows = (
        AccessLog.objects.filter(person_id=person, action__in=CHANGE_ACTIONS)
        .order_by()
        .values("person_id")
        .annotate(stamp=Concat(Cast(Count("seq"), CharField()), Value(":"), Cast(Sum("seq"), CharField())))
    )
    return Subquery(rows.values("stamp")[:1], output_field=CharField())


def last_change_rows(people):
    """(pk, last_change_of) of each of `people` (a queryset of people), by pk: one query, a scan of each
    person's entries in the index audit_person_change (a session's agenda, decisions 0061 and 0066)."""
    return (
        people.annotate(last_change=last_change_of(OuterRef("pk"))).order_by("pk").values("pk", "last_change")
    )


def record_refusal(
    by, event: str, obj=None, *, person_id=None, request: HttpRequest | None = None
) -> AccessLog:
    """One `denied` journal row for a step a domain service refused (bad input, wrong association, wrong
    state): written OUTSIDE the refused change's transaction, which rolled back, so that the attempt stays in
    the journal. Same arguments as record_event; `event` is an event whose action is `denied`."""
    if event not in EVENTS or str(EVENTS[event][0]) != Action.DENIED:
        raise ValueError(f"Événement de refus inconnu pour le journal : {event!r}")
    object_type = event.partition(".")[0]
    if person_id is None and obj is not None and not isinstance(obj, int | str):
        person_id = getattr(obj, "person_id", None)
    user, organisation_id, role = None, None, SYSTEM_ROLE
    if by is not None and hasattr(by, "organisation_id"):
        user, organisation_id, role = by.user, by.organisation_id, by.role
    elif by is not None:
        user, role = by, ""
    request = request if request is not None else current_request.get()
    fields = _checked(Action.DENIED, object_type, getattr(obj, "pk", obj), person_id, Outcome.DENIED)
    row = chain.append(
        user=user,
        organisation_id=organisation_id,
        role=role,
        event=event,
        ip=client_ip(request) if request is not None else None,
        path=journal_path(request) if request is not None else "",
        **fields,
    )
    if request is not None:
        request._audit_denied_recorded = True
    return row


# URL names whose object is not the person: where to find the person concerned by a refused request, so
# that refusals carry the person whenever the object exists (looked up without the visibility filter).
OBJECT_URLS = {
    "followup:note": "followup.Note",
    "followup:action": "followup.ActionItem",
    "followup:appointment_outcome": "followup.Appointment",
    "followup:referral": "followup.Referral",
    "records:document_download": "records.Document",
    "records:document_delete": "records.Document",
    "pathway:request": ("pathway.PathwayRequest", "pathway__person_id"),
    "pathway:request_edit": ("pathway.PathwayRequest", "pathway__person_id"),
    "pathway:request_action": ("pathway.PathwayRequest", "pathway__person_id"),
    "pathway:decide": ("pathway.PathwayRequest", "pathway__person_id"),
    "pathway:exit": "pathway.Pathway",
    "pathway:end_early": "pathway.Pathway",
    "transfers:detail": "transfers.Transfer",
    "transfers:accept": "transfers.Transfer",
    "transfers:refuse": "transfers.Transfer",
    "transfers:cancel": "transfers.Transfer",
}
PERSON_KWARGS = ("person_pk",)


def person_of_url(view_name: str, kwargs: dict, person_urls=frozenset()) -> int | None:
    """The key of the person a URL is about, whether or not the user may see it (for refusals); None for a
    number no row can have (the refusal is journaled without a person)."""
    if view_name in person_urls and row_key(kwargs.get("pk")):
        return kwargs["pk"]
    for name in PERSON_KWARGS:
        if row_key(kwargs.get(name)):
            return kwargs[name]
    target = OBJECT_URLS.get(view_name)
    if target and row_key(kwargs.get("pk")):
        label, field = target if isinstance(target, tuple) else (target, "person_id")
        model = apps.get_model(label)
        return model._base_manager.filter(pk=kwargs["pk"]).values_list(field, flat=True).first()
    return None


def record_system(
    action: str,
    object_type: str,
    object_id,
    person_id=None,
    outcome: str = Outcome.ALLOWED,
    *,
    user=None,
    organisation=None,
    role: str = "",
) -> AccessLog:
    """A row written by a job or a command, with no request (no address, no page)."""
    return chain.append(
        user=user,
        organisation=organisation,
        role=role or SYSTEM_ROLE,
        **_checked(action, object_type, object_id, person_id, outcome),
    )


def audited_read(
    object_type: str, *, object_kwarg: str = "pk", person_kwarg: str | None = None, action: str = Action.READ
):
    """View decorator: once the view answered with a 2xx response, record `action` on the object named by the
    URL argument `object_kwarg`, the person concerned being the URL argument `person_kwarg`, or else
    `request.audit_person_id` when the view set it. A refusal raised by the view (403, 404) is recorded by
    the middleware instead."""
    _checked(action, object_type, "", None, Outcome.ALLOWED)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if 200 <= response.status_code < 300:
                person = (
                    kwargs.get(person_kwarg) if person_kwarg else getattr(request, "audit_person_id", None)
                )
                record(request, action, object_type, kwargs.get(object_kwarg, ""), person_id=person)
            return response

        return wrapped

    return decorator


def _checked(action, object_type, object_id, person_id, outcome) -> dict:
    action, outcome = str(action), str(outcome)
    if action not in Action.values:
        raise ValueError(f"Action inconnue pour le journal : {action!r}")
    if outcome not in Outcome.values:
        raise ValueError(f"Résultat inconnu pour le journal : {outcome!r}")
    if not OBJECT_TYPE.fullmatch(object_type or ""):
        raise ValueError(f"Type d'objet invalide pour le journal : {object_type!r}")
    object_id = "" if object_id is None else str(getattr(object_id, "pk", object_id))
    if not OBJECT_ID.fullmatch(object_id):
        raise ValueError(
            "L'identifiant d'objet du journal doit être une clé, jamais un nom ou un texte libre."
        )
    if person_id is not None:
        person_id = getattr(person_id, "pk", person_id)
        if isinstance(person_id, bool) or not (str(person_id).isascii() and str(person_id).isdigit()):
            raise ValueError("La personne concernée s'indique par sa clé numérique, jamais par son nom.")
        person_id = int(person_id)
    return {
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "person_id": person_id,
        "outcome": outcome,
    }


ROUTE_ARGUMENT = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def journal_path(request: HttpRequest) -> str:
    """The page as its URL pattern with the object keys filled in (`/personnes/12/notes/<slug>/` keeps any
    text argument as its placeholder), never the raw path: a segment typed in the address bar (a name, a
    phone number) is not stored. A path that matches no page keeps only its audited mount prefix
    (`/personnes/`), or nothing. Review of issue 7, m3."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
    if match is None or match.route is None or "^" in match.route or "(?P" in match.route:
        prefixes = [p for p in scope().prefixes if request.path_info.startswith(p)]
        return clean_path(max(prefixes, key=len)) if prefixes else ""

    def fill(argument: re.Match) -> str:
        value = match.kwargs.get(argument["name"])
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return f"<{argument['name']}>"

    route = "/" + ROUTE_ARGUMENT.sub(fill, match.route).lstrip("/")
    return quote(route, safe="/:@!$&'()*+,;=-._~<>")[:PATH_MAX]  # the pattern comes from the code


def clean_path(path: str) -> str:
    """The page's path without its query string (searches carry names), control characters and
    non-ASCII percent-encoded so that nothing can forge a line or a terminal sequence."""
    return quote(path or "", safe="/:@!$&'()*+,;=-._~")[:PATH_MAX]
