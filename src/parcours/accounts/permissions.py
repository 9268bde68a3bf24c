"""The page decorator. The rule table and the answer to "who may" live in accounts/policy.py; `PAGE_RULES`
and `can` are kept here as names of the same objects for the code that imports them from here.

Object-level access is the visibility rule (`Model.objects.visible_to(membership)`): an object outside it is
a 404, never a 403 that would confirm it exists. Volunteers and interns, who never open a person's file,
get a 404 too on every refused page whose URL names an object (issue 11: "a volunteer cannot reach a
person's file by any URL (404, audited)"); a refused page without an object stays a 403.
State transitions carry their own roles in pathway/rules.py.

Every view declares its HTTP methods: a page answers GET and HEAD (READ), a page with a form also POST
(FORM), an action POST only (ACTION). Any other method answers 405 before the view runs, so that no method
(OPTIONS, TRACE, PUT...) renders a page the journal would not count as a read.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed

from .policy import RULES as PAGE_RULES
from .policy import can, sees_no_object_it_is_refused

__all__ = ["ACTION", "FORM", "PAGE_RULES", "READ", "can", "requires"]

READ = ("GET", "HEAD")
FORM = ("GET", "HEAD", "POST")
ACTION = ("POST",)


def requires(page: str, methods: tuple[str, ...] = READ):
    """View decorator: the method must be one of `methods` (405 otherwise, before anything else), then login
    required, then the role must be allowed by the rule table (policy.RULES[page])."""
    if page not in PAGE_RULES:
        raise KeyError(page)
    methods = tuple(methods)
    unknown = set(methods) - {"GET", "HEAD", "POST"}
    if unknown or not methods:
        raise ValueError(f"Parcours views answer GET/HEAD and POST only, not {sorted(unknown)}")

    def decorator(view):
        @login_required
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not can(request.membership, page):
                # A volunteer or an intern refused a page about one object (a URL that names it) gets the
                # answer of an object that does not exist: a 403 would confirm that the file is there.
                if kwargs and sees_no_object_it_is_refused(request.membership):
                    raise Http404
                raise PermissionDenied
            return view(request, *args, **kwargs)

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return checked(request, *args, **kwargs)

        wrapped.page_rule = page
        wrapped.http_methods = methods
        return wrapped

    return decorator
