"""One mechanism journals every access to the pages about people, so that no view can forget it.

Which pages: those of the URL modules that declare ABOUT_PEOPLE (parcours.audit.scope), and any path under
the place they are mounted.

- A refusal (any 4xx: 403, 404 — an object outside the user's visibility answers 404 —, 405 for a method the
  view does not declare, 400 for a form refused) is a `denied` row, unless the view recorded it.
- A page answered 2xx to any method other than POST (GET, HEAD, or any method a view would let through) is a
  `read` (or `download`/`export` for files and PDFs): what returns content is journaled whatever the method.
- A change is journaled by the service that makes it, inside its own transaction (`log.record_event`, which
  sets `request._audit_recorded`); the middleware never claims one. A POST without such a row that answered
  2xx (the form shown again with its errors) or 409 (a conflict showing the values saved meanwhile) returned
  a page about the person: it is a `read`. A POST answered with a redirect and no service row returned no
  content and changed nothing journaled: no row (decision of the review of issue 7, m2).
- A server error (5xx) is a `denied` row with its status (500…): the request reached a person's page and
  nothing says what it returned or did (review m8).

The object is the URL's first integer argument and its type the URL name; the person concerned is the
URL's person argument (PERSON_ARGUMENT of its URL module), or `request.audit_person_id` set by views whose
argument is another object (a note, a request, a document).
"""

import logging

from django.urls import Resolver404, resolve

from . import log
from .models import Action, Outcome
from .scope import is_audited, scope

logger = logging.getLogger("parcours.security")

ACTION_BY_URL = {
    "records:document_download": Action.DOWNLOAD,
    "records:life_story_pdf": Action.EXPORT,
    "followup:agenda_ics": Action.EXPORT,
    # Official papers (parcours.papers): a PDF carrying the person's data (or her pseudonymised file).
    "papers:decision_letter": Action.DOWNLOAD,
    "papers:early_end_letter": Action.DOWNLOAD,
    "papers:afis_certificate": Action.DOWNLOAD,
    "papers:aps_certificate": Action.DOWNLOAD,
    "papers:request_file": Action.DOWNLOAD,
    "papers:request_file_members": Action.DOWNLOAD,
    "papers:pathway_document": Action.DOWNLOAD,
}


def _is_refusal(request, status: int) -> bool:
    if request.method == "POST" and status == 409:  # an edit refused for a conflict: recorded as the update
        return False
    return 400 <= status < 500


class DeniedAccessMiddleware:
    """Kept under its historical name in settings: records refusals, reads and writes (see module doc)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not is_audited(request.path_info):
            return response
        status = response.status_code
        if _is_refusal(request, status):
            if not getattr(request, "_audit_denied_recorded", False):
                log.record(
                    request, Action.DENIED, "page", "", person_id=self._refused_person(request),
                    outcome=Outcome.DENIED, status_code=status,
                )  # fmt: skip
        elif status >= 500:
            self._record_error(request, status)
        elif self._succeeded(request, status) and not getattr(request, "_audit_recorded", False):
            self._record_access(request)
        return response

    @staticmethod
    def _succeeded(request, status: int) -> bool:
        # Every method that returned content is a read (a redirect carries none); a POST answered 409 shows
        # the values saved meanwhile.
        return 200 <= status < 300 or (request.method == "POST" and status == 409)

    def _record_error(self, request, status: int) -> None:
        try:
            log.record(
                request, Action.DENIED, "page", "", person_id=self._refused_person(request),
                outcome=Outcome.DENIED, status_code=status,
            )  # fmt: skip
        except Exception:  # the error may come from the database itself: say so in the log, one line
            logger.error("journal : la ligne de l'erreur %s n'a pu être écrite", status)

    @staticmethod
    def _refused_person(request) -> int | None:
        """The person a refused request was about, when the URL names one or an object of hers."""
        person = getattr(request, "audit_person_id", None)
        if person is not None:
            return person
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        person_urls = frozenset(name for name, arg in scope().person_argument.items() if arg == "pk")
        return log.person_of_url(match.view_name, match.kwargs, person_urls)

    @staticmethod
    def _record_access(request) -> None:
        if not getattr(request, "user", None) or not request.user.is_authenticated:
            return
        match = getattr(request, "resolver_match", None)
        if match is None:
            try:
                match = resolve(request.path_info)
            except Resolver404:
                return
        name = match.view_name
        ids = [v for v in match.kwargs.values() if isinstance(v, int)]
        object_id = ids[0] if ids else ""
        person_id = getattr(request, "audit_person_id", None)
        argument = scope().person_argument.get(name)
        if person_id is None and argument:
            person_id = match.kwargs.get(argument)
        action = ACTION_BY_URL.get(name, Action.READ)
        object_type = name.replace(":", "_").replace("-", "_")[:30]
        log.record(request, action, object_type, object_id, person_id=person_id)
