"""One mechanism journals every access to the pages about people, so that no view can forget it.

Which pages: those of the URL modules that declare ABOUT_PEOPLE (parcours.audit.scope), and any path under
the place they are mounted.

- A refusal (any 4xx: 403, 404 — an object outside the user's visibility answers 404 —, 405 for a method the
  view does not declare, 400 for a form refused) is a `denied` row, unless the view recorded it.
- A page answered 2xx to any method other than POST (GET, HEAD, or any method a view would let through) is a
  `read` (or `download`/`export` for files and PDFs): what returns content is journaled whatever the method.
- A form accepted (a POST answered 2xx/3xx, or 409 for a conflict, which shows the values saved meanwhile)
  is an `update`, unless the request was already journaled (`request._audit_recorded`, set by
  `log.record`: the services journal their changes inside their own transaction).

The object is the URL's first integer argument and its type the URL name; the person concerned is the
URL's person argument (PERSON_ARGUMENT of its URL module), or `request.audit_person_id` set by views whose
argument is another object (a note, a request, a document).
"""

from django.urls import Resolver404, resolve

from . import log
from .models import Action, Outcome
from .scope import is_audited, scope

ACTION_BY_URL = {
    "records:document_download": Action.DOWNLOAD,
    "records:life_story_pdf": Action.EXPORT,
    "followup:agenda_ics": Action.EXPORT,
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
        elif self._succeeded(request, status) and not getattr(request, "_audit_recorded", False):
            self._record_access(request)
        return response

    @staticmethod
    def _succeeded(request, status: int) -> bool:
        if request.method == "POST":
            return 200 <= status < 400 or status == 409
        # Every other method that returned content is a read (a redirect carries none).
        return 200 <= status < 300

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
        action = Action.UPDATE if request.method == "POST" else ACTION_BY_URL.get(name, Action.READ)
        object_type = name.replace(":", "_").replace("-", "_")[:30]
        log.record(request, action, object_type, object_id, person_id=person_id)
