"""What the other apps call to record an access.

    from parcours.audit import log as audit

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

import re
from functools import wraps
from urllib.parse import quote

from django.http import HttpRequest

from parcours.core.network import client_ip  # the throttling's address too

from . import chain
from .models import SYSTEM_ROLE, AccessLog, Action, Outcome

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
        path=clean_path(request.path),
        status_code=status_code,
        **_checked(action, object_type, object_id, person_id, outcome),
    )
    if outcome == Outcome.DENIED:
        request._audit_denied_recorded = True  # the middleware does not record the refusal a second time
    else:
        request._audit_recorded = True  # nor the access the view recorded itself
    return row


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


def clean_path(path: str) -> str:
    """The page's path without its query string (searches carry names), control characters and
    non-ASCII percent-encoded so that nothing can forge a line or a terminal sequence."""
    return quote(path or "", safe="/:@!$&'()*+,;=-._~")[:PATH_MAX]
