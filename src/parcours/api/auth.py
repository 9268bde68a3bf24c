"""Authentication and throttling of the API: a personal token in `Authorization: Bearer <token>`.

The session cookie of the pages is never accepted here (no CSRF question, no second login path): a call
carries its token, which names the user and the membership she acts under, and those set `request.user` and
`request.membership` exactly as the pages' middleware does, so that the policy, the visibility querysets and
the journal read the same objects.
"""

from django.conf import settings
from django.db.models import F
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from parcours.core import clock

from . import tokens
from .models import ApiToken


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


class TokenThrottle(BaseThrottle):
    """At most PARCOURS_API_CALLS_PER_MINUTE calls per token and per clock minute, counted in the token's own
    row of the database (`window_start`, `window_calls`), so that every process and every app server shares
    the one count. Each step is one conditional UPDATE: PostgreSQL re-reads the row after a concurrent
    writer's commit, so two processes never both take the last call of a minute."""

    def allow_request(self, request) -> bool:
        token = getattr(request, "api_token", None)
        if token is None:
            return True  # no token: refused by the authentication (401), not counted
        limit = settings.PARCOURS_API_CALLS_PER_MINUTE  # read at each call: a change needs no restart
        now = clock.now()
        minute = now.replace(second=0, microsecond=0)
        self.retry_after = 60 - now.second
        row = ApiToken.objects.filter(pk=token.pk)
        count = row.filter(window_start=minute, window_calls__lt=limit)
        if count.update(window_calls=F("window_calls") + 1):
            return True
        # A new minute starts its count at one (unless another process just did: then count again).
        if row.exclude(window_start=minute).update(window_start=minute, window_calls=1):
            return True
        return bool(count.update(window_calls=F("window_calls") + 1))

    def wait(self) -> float:
        return getattr(self, "retry_after", 60)
