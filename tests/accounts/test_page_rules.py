"""Every page of the URLconf declares a rule, and each role gets exactly what the rule table says."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from parcours.accounts.permissions import PAGE_RULES

PUBLIC = {
    "health",  # monitoring: no login, each check's name and OK or KO (core/health.py)
    "accounts:login",
    "accounts:logout",
    "core:home",
    # The second step of the login, and the JSON endpoints of security keys (accounts/webauthn.py): open
    # to any logged-in user for her own account, guarded by accounts.middleware.SecondFactorMiddleware.
    "accounts:mfa_verify",
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    # ProConnect's start and return (parcours/proconnect): before any login, 404 while ProConnect is off.
    "proconnect:start",
    "proconnect:callback",
    # The invitee's pages (parcours.onboarding): reachable logged out, the invitation's token is the key.
    "onboarding:accept",
    "onboarding:accept_link",
    # The personal calendar read by a calendar app (parcours.notifications): no session, the secret token in
    # the query string is the key (404 without it).
    "notifications:calendar_feed",
}
ROLES = ["worker", "head", "volunteer", "intern", "secretariat", "member", "agent", "national"]


# The JSON API (namespace "api"): token-authenticated operations, each checking its "api_<resource>" rule of
# the table; their role × scope matrix is tests/api/test_api_matrix.py.
API_NAMESPACE = "api:"


def named_patterns(resolver=None, namespace=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver) and p.namespace == API_NAMESPACE[:-1] and not namespace:
            continue
        if isinstance(p, URLResolver):
            yield from named_patterns(p, f"{namespace}{p.namespace}:" if p.namespace else namespace)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", p


def test_every_page_declares_a_rule_of_the_table():
    missing = [
        name
        for name, pattern in named_patterns()
        if name not in PUBLIC and getattr(pattern.callback, "page_rule", None) not in PAGE_RULES
    ]
    assert missing == []


PAGES_WITHOUT_ARGUMENTS = [
    (name, pattern.callback.page_rule)
    for name, pattern in named_patterns()
    if name not in PUBLIC and not pattern.pattern.converters
]


# Who gets 200 or 403 is decided by accounts.policy and the views, as in the access matrix's snapshot: run in
# the SQLite pass only (decisions 0058 and 0065); on PostgreSQL each page's view still runs once, through
# tests/accounts/test_access_matrix.py's test_other_methods_….
@pytest.mark.engine_independent
@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "rule"), PAGES_WITHOUT_ARGUMENTS)
def test_each_role_opens_exactly_the_pages_its_rule_allows(client, personas, role, name, rule):
    membership = getattr(personas, role)
    client.force_login(membership.user)
    response = client.get(reverse(name))
    callback = resolve(reverse(name)).func
    if "GET" not in callback.http_methods:
        # An action (POST only) answers 405 to a GET before any role check; who may POST it is the access
        # matrix's (tests/accounts/test_access_matrix.py).
        assert response.status_code == 405
        return
    expected = 200 if membership.role in PAGE_RULES[rule] else 403
    assert response.status_code == expected


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_home_sends_each_role_to_a_page_it_may_open(client, personas, role):
    client.force_login(getattr(personas, role).user)
    response = client.get("/", follow=True)
    assert response.status_code == 200
