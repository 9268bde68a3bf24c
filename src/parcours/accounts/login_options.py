"""Other ways to log in, registered by the apps above accounts (accounts imports none of them).

- `BUTTONS`: callables `(request) -> template name or None`; the login page includes each template named,
  under the password form (parcours.proconnect registers the ProConnect button when it is configured).
- `LOGOUT_ELSEWHERE`: callables `(request) -> URL or None`, asked at logout BEFORE the session ends; the first
  URL given is where the browser goes once logged out here (ProConnect's end-session endpoint, so that the
  session at the identity provider ends too).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

BUTTONS: list[Callable[[HttpRequest], str | None]] = []
LOGOUT_ELSEWHERE: list[Callable[[HttpRequest], str | None]] = []


def button_templates(request: HttpRequest) -> list[str]:
    return [name for provider in BUTTONS if (name := provider(request))]


def logout_elsewhere(request: HttpRequest) -> str | None:
    for provider in LOGOUT_ELSEWHERE:
        if url := provider(request):
            return url
    return None
