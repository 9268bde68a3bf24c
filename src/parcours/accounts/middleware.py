import datetime as dt
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from parcours.core import clock

from . import mfa
from .models import Membership

SESSION_KEY = "membership_id"
LOGIN_AT_KEY = "parcours_login_at"
LAST_SEEN_KEY = "parcours_last_seen"
# The last-activity stamp is rewritten at most once a minute, not at every request.
LAST_SEEN_RESOLUTION = 60

log = logging.getLogger("parcours.security")


class MembershipMiddleware:
    """Attach the membership the user acts under (her first active one unless she chose another)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        if request.user.is_authenticated:
            memberships = Membership.objects.filter(user=request.user, is_active=True).select_related(
                "organisation", "organisation__departement"
            )
            chosen = request.session.get(SESSION_KEY)
            request.membership = (chosen and memberships.filter(pk=chosen).first()) or memberships.order_by(
                "pk"
            ).first()
        return self.get_response(request)


class SessionLimitsMiddleware:
    """End a session after PARCOURS_SESSION_IDLE_MINUTES without a request, or PARCOURS_SESSION_MAX_HOURS
    after the login, whichever comes first (ASVS 7.3.1-2). The user is sent back to the login page with a
    message, and to the page she asked for once logged in again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = clock.now().timestamp()
            session = request.session
            login_at = session.setdefault(LOGIN_AT_KEY, now)
            last_seen = session.get(LAST_SEEN_KEY, now)
            idle = dt.timedelta(minutes=settings.PARCOURS_SESSION_IDLE_MINUTES).total_seconds()
            cap = dt.timedelta(hours=settings.PARCOURS_SESSION_MAX_HOURS).total_seconds()
            if now - last_seen > idle or now - login_at > cap:
                user_id = request.user.pk
                logout(request)
                log.info("Session expirée : utilisateur %s.", user_id)
                if now - last_seen > idle:
                    text = _("Votre session a expiré après %(minutes)s minutes d'inactivité.") % {
                        "minutes": settings.PARCOURS_SESSION_IDLE_MINUTES
                    }
                else:
                    text = _("Votre session a atteint sa durée maximale de %(hours)s heures.") % {
                        "hours": settings.PARCOURS_SESSION_MAX_HOURS
                    }
                messages.info(request, text + " " + _("Reconnectez-vous pour continuer."))
                return redirect_with_next("accounts:login", request)
            if now - last_seen >= LAST_SEEN_RESOLUTION or LAST_SEEN_KEY not in session:
                session[LAST_SEEN_KEY] = now
        return self.get_response(request)


CHANGES_KEY = "parcours_changes"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class ChangesStampMiddleware:
    """Count in the session the requests by which the user may have changed something (any method but GET,
    HEAD and OPTIONS): what is held in memory for her session (the to-do page, decision 0057) is computed
    again after her own changes. Placed after the session middleware, whose answer saves the count."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # A logged-in session only: an API call authenticated by its token has none, and gets none.
        if request.method not in SAFE_METHODS and request.session.get(AUTH_SESSION_KEY) is not None:
            count_change(request)
        return response


def count_change(request) -> None:
    """One more change in the session: also « Actualiser maintenant », so that whichever worker process
    answers next computes the page again (each process holds its own pages)."""
    request.session[CHANGES_KEY] = request.session.get(CHANGES_KEY, 0) + 1


def changes_stamp(request) -> int:
    return request.session.get(CHANGES_KEY, 0)


def reader(request, today) -> tuple:
    """Who reads, as the key of every page held in memory names her (decisions 0057, 0059-0061): her
    session, the membership she acts under (role, organisation, user), the day, the language, and the
    changes she made in her session."""
    m = request.membership
    return (request.session.session_key, m.pk, m.role, m.organisation_id, m.user_id, today.isoformat(),
            get_language(), changes_stamp(request))  # fmt: skip


def start_session_clock(sender, request, user, **kwargs):
    """At login (signal user_logged_in): the maximum duration and the idle time count from now."""
    if request is not None and hasattr(request, "session"):
        now = clock.now().timestamp()
        request.session[LOGIN_AT_KEY] = now
        request.session[LAST_SEEN_KEY] = now


def redirect_with_next(url_name: str, request):
    url = reverse(url_name)
    if request.method == "GET":
        url += "?" + urlencode({"next": request.get_full_path()})
    return redirect(url)


# Pages a user may reach before her second factor: always, when she has a device to verify, and when she
# has none yet and must enrol one.
OPEN_BEFORE_SECOND_FACTOR = frozenset({"accounts:login", "accounts:logout"})
OPEN_TO_VERIFY = frozenset(
    {
        "accounts:mfa_verify",
        "otp_webauthn:credential-authentication-begin",
        "otp_webauthn:credential-authentication-complete",
    }
)
OPEN_TO_ENROL = frozenset(
    {
        "accounts:security",
        "accounts:totp_setup",
        "otp_webauthn:credential-registration-begin",
        "otp_webauthn:credential-registration-complete",
    }
)


class SecondFactorMiddleware:
    """The password alone opens nothing for a user who has a second factor, nor for a user whose role can
    see an identity (accounts.roles.IDENTITY_ROLES) while PARCOURS_MFA_REQUIRED is on: the first is sent to
    the verification page, the second to the enrolment page, until the session is verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        # The header hides the menu while the second step is pending (parcours/header.html).
        request.second_factor_pending = False
        if user.is_authenticated and not user.is_verified():
            try:
                name = resolve(request.path_info).view_name
            except Resolver404:
                name = None
            if mfa.has_any_device(user):
                request.second_factor_pending = True
                if name not in OPEN_BEFORE_SECOND_FACTOR | OPEN_TO_VERIFY:
                    return redirect_with_next("accounts:mfa_verify", request)
            elif mfa.mfa_required(user):
                request.second_factor_pending = True
                if name not in OPEN_BEFORE_SECOND_FACTOR | OPEN_TO_ENROL:
                    return redirect_with_next("accounts:security", request)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers Django does not set itself: Permissions-Policy, Cross-Origin-Resource-Policy, and
    `Cache-Control: no-store` on every page served to a logged-in user, so that nothing of a person's file
    stays in a shared computer's cache or comes back with the Back button after logout (ASVS 14.3.2)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PARCOURS_PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
