"""Authentication and throttling of the API: a personal token in `Authorization: Bearer <token>`.

The session cookie of the pages is never accepted here (no CSRF question, no second login path): a call
carries its token, which names the user and the membership she acts under, and those set `request.user` and
`request.membership` exactly as the pages' middleware does, so that the policy, the visibility querysets and
the journal read the same objects.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from . import tokens


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        found = tokens.authenticate(token)
        if found is None:
            raise AuthenticationError(401, _("Jeton absent, inconnu, expiré ou révoqué."))
        request.user = found.user
        request.membership = found.membership
        request.api_token = found
        return found

    def __call__(self, request):
        answer = super().__call__(request)
        if answer is None:  # no "Authorization: Bearer …" header at all
            raise AuthenticationError(401, _("Jeton absent, inconnu, expiré ou révoqué."))
        return answer


class TokenThrottle(SimpleRateThrottle):
    """At most PARCOURS_API_CALLS_PER_MINUTE calls per token, counted in the cache."""

    scope = "api_token"

    def __init__(self):
        super().__init__(rate=f"{settings.PARCOURS_API_CALLS_PER_MINUTE}/min")

    def allow_request(self, request) -> bool:
        # The rate is read at each call so that a test (or an operator) can change it without a restart.
        self.rate = f"{settings.PARCOURS_API_CALLS_PER_MINUTE}/min"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request):
        token = getattr(request, "api_token", None)
        if token is None:
            return None
        # The digest, not the primary key: a key reused after a deletion does not inherit the count.
        return self.cache_format % {"scope": self.scope, "ident": token.digest[:32]}
