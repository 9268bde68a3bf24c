"""One mechanism journals every access to the pages about people, so that no view can forget it.

- A refusal (403, or 404: an object outside the user's visibility answers 404) is a `denied` row.
- A page answered 2xx is a `read` (or `download`/`export` for files and PDFs); a form accepted (a POST
  answered 2xx/3xx) is an `update`. The object is the URL's first integer argument and its type the URL
  name; the person concerned is that argument on URLs about a person, or `request.audit_person_id` set by
  views whose argument is another object (a note, a request, a document).
"""

from django.urls import Resolver404, resolve

from . import log
from .models import Action, Outcome

# Refusals and accesses on these pages are journalled: the person's file, everything hanging from it, the
# commission's and the préfecture's pages, and the journal itself.
AUDITED_PREFIXES = (
    "/personnes/",
    "/parcours/",
    "/suivi/",
    "/pieces/",
    "/droits/",
    "/journal/",
    "/partage/",
    "/vie-privee/",
)
REFUSALS = frozenset({403, 404})

# URL names whose `pk` is a person (the others carry their own object).
PERSON_URLS = frozenset({
    "people:person", "people:situation", "people:situation_edit", "people:other_name_add",
    "people:other_name_remove", "people:consent_add", "people:consent_withdraw",
    "followup:notes", "followup:actions", "followup:appointments", "followup:referrals",
    "records:documents", "records:life_story", "records:life_story_version", "records:life_story_diff",
    "records:life_story_pdf", "rights:person", "pathway:request_create", "sharing:person",
})  # fmt: skip
ACTION_BY_URL = {
    "records:document_download": Action.DOWNLOAD,
    "records:life_story_pdf": Action.EXPORT,
    "followup:agenda_ics": Action.EXPORT,
}


class DeniedAccessMiddleware:
    """Kept under its historical name in settings: records refusals, reads and writes (see module doc)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(AUDITED_PREFIXES):
            return response
        status = response.status_code
        if status in REFUSALS:
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
        if request.method == "POST":  # 409: an edit refused for a conflict shows the values saved meanwhile
            return 200 <= status < 400 or status == 409
        return request.method == "GET" and 200 <= status < 300

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
        return log.person_of_url(match.view_name, match.kwargs, PERSON_URLS)

    @staticmethod
    def _record_access(request) -> None:
        if not getattr(request, "user", None) or not request.user.is_authenticated:
            return
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return
        name = match.view_name
        ids = [v for v in match.kwargs.values() if isinstance(v, int)]
        object_id = ids[0] if ids else ""
        person_id = getattr(request, "audit_person_id", None)
        if person_id is None and name in PERSON_URLS:
            person_id = match.kwargs.get("pk")
        action = Action.UPDATE if request.method == "POST" else ACTION_BY_URL.get(name, Action.READ)
        object_type = name.replace(":", "_").replace("-", "_")[:30]
        log.record(request, action, object_type, object_id, person_id=person_id)
