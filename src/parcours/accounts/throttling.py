"""Login throttling with django-axes: after PARCOURS_LOGIN_FAILURE_LIMIT failed logins for one account, or
from one address, further attempts are refused for PARCOURS_LOGIN_LOCK_MINUTES (settings.py).

Axes records each failure (user name, address, browser; never the password, which it masks) in its
AccessAttempt table and logs it; the lock is lifted by itself once the time has passed, or at once by
`manage.py axes_reset_username <identifiant>`."""

from django.conf import settings
from django.shortcuts import render

from parcours.core.network import client_ip  # AXES_CLIENT_IP_CALLABLE: the journal's address too

__all__ = ["client_ip", "lockout_response"]


def lockout_response(request, original_response=None, credentials=None):
    """The page shown instead of the login form while an account or an address is locked (HTTP 429)."""
    return render(
        request,
        "accounts/locked.html",
        {"title": "Connexion temporairement bloquée", "minutes": settings.PARCOURS_LOGIN_LOCK_MINUTES},
        status=429,
    )
