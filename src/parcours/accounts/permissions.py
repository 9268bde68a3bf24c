"""The rule table: which role may open which page or start which action.

Object-level access is the visibility rule (`Model.objects.visible_to(membership)`): an object outside it is
a 404, never a 403 that would confirm it exists. State transitions carry their own roles in pathway/rules.py.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .roles import ASSOCIATION_STAFF, Role

PAGE_RULES: dict[str, frozenset[str]] = {
    "todo": ASSOCIATION_STAFF | {Role.SECRETARIAT, Role.PREFECTURE_AGENT},
    "caseload": ASSOCIATION_STAFF,
    "person_create": ASSOCIATION_STAFF,
    "person_view": ASSOCIATION_STAFF | {Role.SECRETARIAT, Role.PREFECTURE_AGENT},
    # The association's own file on the person (situation, follow-up, documents, life story, rights).
    "person_file": ASSOCIATION_STAFF,
    "agenda": ASSOCIATION_STAFF,
    "request_edit": ASSOCIATION_STAFF,
    "request_view": ASSOCIATION_STAFF | {Role.SECRETARIAT, Role.PREFECTURE_AGENT},
    "exit_record": ASSOCIATION_STAFF,
    "inbox": frozenset({Role.SECRETARIAT}),
    "session_list": frozenset({Role.SECRETARIAT, Role.COMMISSION_MEMBER, Role.PREFECTURE_AGENT}),
    "session_manage": frozenset({Role.SECRETARIAT}),
    "decision": frozenset({Role.PREFECTURE_AGENT}),
    "end_early": frozenset({Role.PREFECTURE_AGENT}),
    "statistics": frozenset(
        {Role.NATIONAL_ADMIN, Role.HEAD_OF_SERVICE, Role.SECRETARIAT, Role.PREFECTURE_AGENT}
    ),
    "volunteer_home": frozenset({Role.VOLUNTEER, Role.INTERN}),
    # A partner's pages (parcours.sharing): the people who consented to share with her organisation, and of
    # each only the consented scopes (the visibility rule and sharing/services.py do the rest).
    "shared_people": frozenset({Role.PARTNER_COUNSELLOR}),
    "audit_journal": frozenset({Role.HEAD_OF_SERVICE}),
    # The national administration reviews the reads and refusals of commission and préfecture users
    # (audit/views.py review): nobody else sees them, and they see no other journal.
    "audit_review": frozenset({Role.NATIONAL_ADMIN}),
    # The person's rights (parcours.privacy): her retention status and the export of her data (her referent
    # and the head of service), erasure and reactivation (head of service, checked by the services).
    "privacy": ASSOCIATION_STAFF,
    "privacy_archives": frozenset({Role.HEAD_OF_SERVICE}),
    "organisation": frozenset(Role.values),
    # The user's own second factors and password (accounts/views.py).
    "account_security": frozenset(Role.values),
}


def can(membership, page: str) -> bool:
    return membership is not None and membership.role in PAGE_RULES[page]


def requires(page: str):
    """View decorator: login required, then the role must be allowed by PAGE_RULES[page]."""
    if page not in PAGE_RULES:
        raise KeyError(page)

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not can(request.membership, page):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.page_rule = page
        return wrapped

    return decorator
