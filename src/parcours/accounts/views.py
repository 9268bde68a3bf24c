import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from parcours.core import clock

from . import login_options, mfa
from .forms import LoginForm, PasswordChange, SecondFactorForm, TOTPConfirmForm
from .models import InternProfile
from .permissions import ACTION, FORM, can, requires


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    extra_context = {"title": gettext_lazy("Connexion")}

    def get_context_data(self, **kwargs):
        # Other ways to log in (ProConnect), registered by the apps above this one.
        return super().get_context_data(**kwargs, other_logins=login_options.button_templates(self.request))


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        # Asked before the session ends: after a ProConnect login, the session there ends too.
        elsewhere = login_options.logout_elsewhere(request)
        response = super().post(request, *args, **kwargs)
        return redirect(elsewhere) if elsewhere else response


def _next_url(request, default="core:home") -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def mfa_verify(request):
    """Second step of every login for a user who has an application, a key or recovery codes."""
    user = request.user
    if user.is_verified() or not mfa.has_any_device(user):
        return redirect(_next_url(request))
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        waiting = mfa.throttled(user)
        if mfa.verify(request, form.cleaned_data["code"]):
            request.session.cycle_key()
            return redirect(_next_url(request))
        if waiting:
            form.add_error("code", _("Trop de codes erronés : patientez un moment avant de réessayer."))
        else:
            form.add_error("code", _("Code incorrect ou expiré."))
    return render(
        request,
        "accounts/mfa_verify.html",
        {
            "title": _("Vérification en deux étapes"),
            "form": form,
            "next": _next_url(request),
            "has_totp": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "has_key": WebAuthnCredential.objects.filter(user=user, confirmed=True).exists(),
            "recovery_left": mfa.recovery_codes_left(user),
        },
    )


@requires("account_security")
def security(request):
    """The user's second factors: list, add an application or a key, recovery codes, password."""
    user = request.user
    has_factor = mfa.has_second_factor(user)
    return render(
        request,
        "accounts/security.html",
        {
            "title": _("Sécurité du compte"),
            "required": mfa.mfa_required(user),
            "has_factor": has_factor,
            "verified": user.is_verified(),
            "applications": TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"),
            "keys": WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("pk"),
            "recovery_left": mfa.recovery_codes_left(user),
            "next": _next_url(request) if request.GET.get("next") else "",
            # Where the page goes once a key is registered: recovery codes after a first factor.
            "after_key": reverse("accounts:security" if has_factor else "accounts:recovery_codes"),
            # Personal API tokens (parcours.api, an app above this one: linked by URL name only).
            "can_hold_api_tokens": can(request.membership, "api_tokens"),
            "limits": {
                "idle": settings.PARCOURS_SESSION_IDLE_MINUTES,
                "hours": settings.PARCOURS_SESSION_MAX_HOURS,
                "failures": settings.PARCOURS_LOGIN_FAILURE_LIMIT,
                "lock": settings.PARCOURS_LOGIN_LOCK_MINUTES,
            },
        },
    )


def _qr_svg(uri: str) -> str:
    return segno.make(uri, error="m").svg_inline(
        scale=5, border=3, dark="#000", light="#fff", title=_("QR code à scanner avec l'application")
    )


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@requires("account_security", methods=FORM)
def totp_setup(request):
    """Enrol an authenticator application: scan the QR code (or type the key), then type a first code."""
    user = request.user
    device = mfa.pending_totp_device(user)
    form = TOTPConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = "".join(form.cleaned_data["code"].split())
        if device.verify_token(code):
            first = not mfa.has_second_factor(user)
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            if not user.is_verified():
                mfa.otp_login(request, device)
                request.session.cycle_key()
            mfa.log.info("Application d'authentification ajoutée : utilisateur %s.", user.pk)
            messages.success(request, _("L'application d'authentification est enregistrée."))
            if first or not mfa.recovery_codes_left(user):
                return redirect("accounts:recovery_codes")
            return redirect("accounts:security")
        form.add_error("code", _("Code incorrect : vérifiez l'heure de votre téléphone et réessayez."))
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/totp_setup.html",
        {
            "title": _("Ajouter une application d'authentification"),
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "secret": _grouped(secret),
        },
    )


@requires("account_security", methods=FORM)
def recovery_codes(request):
    """Generate recovery codes (each usable once), shown a single time; generating again replaces them."""
    user = request.user
    allowed = user.is_verified()
    codes = None
    if request.method == "POST":
        if not allowed:
            raise Http404
        codes = mfa.new_recovery_codes(user)
    return render(
        request,
        "accounts/recovery_codes.html",
        {
            "title": _("Codes de secours"),
            "allowed": allowed,
            "codes": codes,
            "left": mfa.recovery_codes_left(user),
            "generated_on": clock.now(),
        },
    )


DEVICE_KINDS = {
    "application": (TOTPDevice, gettext_lazy("L'application d'authentification est retirée.")),
    "cle": (WebAuthnCredential, gettext_lazy("La clé de sécurité est retirée.")),
    "codes": (StaticDevice, gettext_lazy("Les codes de secours sont supprimés.")),
}


@require_POST
@requires("account_security", methods=ACTION)
def device_remove(request, kind, pk):
    """Remove an application, a key or the recovery codes (a verified session only). A user whose role
    imposes a second factor keeps at least one; the recovery codes go with the last factor."""
    user = request.user
    if kind not in DEVICE_KINDS or not user.is_verified():
        raise Http404
    model, done = DEVICE_KINDS[kind]
    device = get_object_or_404(model, pk=pk, user=user)
    others = mfa.has_second_factor_besides(user, device)
    if kind != "codes" and not others and mfa.mfa_required(user):
        messages.error(
            request,
            _(
                "Votre rôle impose une seconde étape : ajoutez une autre application ou clé avant de "
                "retirer celle-ci."
            ),
        )
        return redirect("accounts:security")
    device.delete()
    if not others:
        StaticDevice.objects.filter(user=user).delete()
    mfa.log.info("Seconde étape retirée (%s) : utilisateur %s.", kind, user.pk)
    messages.success(request, done)
    return redirect("accounts:security")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = PasswordChange
    success_url = reverse_lazy("accounts:security")
    extra_context = {"title": gettext_lazy("Changer de mot de passe")}

    def form_valid(self, form):
        messages.success(self.request, _("Votre mot de passe est changé."))
        return super().form_valid(form)


password_change = requires("account_security", methods=FORM)(PasswordChangeView.as_view())


@requires("organisation")
def organisation(request):
    org = request.membership.organisation
    members = (
        org.memberships.filter(is_active=True).select_related("user").order_by("role", "user__last_name")
    )
    end = org.approval_end
    return render(
        request,
        "accounts/organisation.html",
        {
            "title": org.name,
            "org": org,
            "members": members,
            "approval_end": end,
            "approval_expired": end is not None and end < clock.today(),
            "departements": org.departements_served.all(),
            "intern_profile": InternProfile.objects.filter(membership=request.membership)
            .select_related("tutor__user")
            .first(),
        },
    )
