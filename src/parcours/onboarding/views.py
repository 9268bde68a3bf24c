"""Administration pages (organisations, who has access, invitations) and the invitee's acceptance page.

The national administration reaches every organisation; a head of service her association, the secretariat
its commission (accounts.policy: `administration`, `manage_members`, `organisation_edit`). An organisation
outside her reach answers 404, and the refusal is journaled. Every change goes through services.py.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from parcours.accounts import mfa, policy
from parcours.accounts.middleware import SESSION_KEY
from parcours.accounts.models import InternProfile, Invitation, Membership, Organisation
from parcours.accounts.permissions import ACTION, FORM, requires
from parcours.accounts.roles import Role
from parcours.audit import log as audit
from parcours.audit.models import Action, Outcome
from parcours.core import clock
from parcours.core.errors import DomainError

from . import services
from .forms import AcceptForm, InternProfileForm, InviteForm, OrganisationForm, RoleChoiceForm

INVITATION_SESSION_KEY = "parcours_invitation_token"


def _refused(request, pk):
    """An object outside her reach: journaled, then a 404 (a 403 would confirm that it exists)."""
    name = request.resolver_match.view_name.replace(":", "_")
    audit.record(request, Action.DENIED, name, pk, outcome=Outcome.DENIED, status_code=404)
    raise Http404


def _reached(request, queryset, pk, action):
    obj = get_object_or_404(queryset, pk=pk)
    if not policy.can(request.membership, action, obj):
        _refused(request, pk)
    return obj


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


# --- Organisations -----------------------------------------------------------------------------------------
@requires("administration")
def organisations(request):
    m = request.membership
    queryset = Organisation.objects.select_related("departement").annotate(
        active_members=Count("memberships", filter=Q(memberships__is_active=True))
    )
    if m.role != "national_admin":
        queryset = queryset.filter(pk=m.organisation_id)
    kind = request.GET.get("type", "")
    if kind:
        queryset = queryset.filter(kind=kind)
    return render(
        request,
        "onboarding/organisations.html",
        {
            "title": _("Administration"),
            "organisations": queryset.order_by("kind", "departement_id", "name"),
            "may_create": policy.can(m, "manage_organisations"),
            "kinds": Organisation._meta.get_field("kind").choices,
            "kind": kind,
        },
    )


@requires("manage_organisations", methods=FORM)
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.create_organisation(
                request.membership, form.instance, form.cleaned_data["departements_served"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("L'organisation « %(name)s » est créée.") % {"name": org.name})
            return redirect("onboarding:members", pk=org.pk)
    return render(
        request, "onboarding/organisation_form.html", {"title": _("Nouvelle organisation"), "form": form}
    )


@requires("organisation_edit", methods=FORM)
def organisation_edit(request, pk):
    org = _reached(request, Organisation.objects.all(), pk, "organisation_edit")
    form = OrganisationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organisation(
                request.membership, form.instance, form.cleaned_data["departements_served"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("L'organisation est enregistrée."))
            return redirect("onboarding:members", pk=org.pk)
    return render(
        request,
        "onboarding/organisation_form.html",
        {"title": _("Modifier l'organisation"), "form": form, "org": org},
    )


# --- Who has access ----------------------------------------------------------------------------------------
@requires("manage_members")
def members(request, pk):
    org = _reached(request, Organisation.objects.select_related("departement"), pk, "manage_members")
    now = clock.now()
    rows = list(
        org.memberships.select_related("user").order_by("-is_active", "user__last_name", "user__username")
    )
    for row in rows:
        row.second_factor = mfa.has_second_factor(row.user)
    invitations = list(org.invitations.select_related("invited_by").order_by("-created_at")[:50])
    for invitation in invitations:
        invitation.current_status = invitation.status(now)
        invitation.current_status_display = invitation.status_display(now)
    return render(
        request,
        "onboarding/members.html",
        {
            "title": _("Accès à %(name)s") % {"name": org.name},
            "org": org,
            "members": rows,
            "invitations": invitations,
            "may_edit": policy.can(request.membership, "organisation_edit", org),
            "may_list": policy.can(request.membership, "manage_organisations"),
        },
    )


@requires("manage_members", methods=FORM)
def invite(request, pk):
    org = _reached(request, Organisation.objects.all(), pk, "manage_members")
    form = InviteForm(request.POST or None, organisation=org)
    if request.method == "POST":
        if form.is_valid():
            try:
                invitation, _link = services.invite(
                    request.membership, org, email=form.cleaned_data["email"], role=form.cleaned_data["role"],
                    base_url=_base_url(request),
                )  # fmt: skip
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("L'invitation est envoyée à %(email)s ; elle expire le %(date)s.")
                    % {
                        "email": invitation.email,
                        "date": invitation.expires_at.astimezone(clock.PARIS).strftime("%d/%m/%Y"),
                    },
                )
                return redirect("onboarding:members", pk=org.pk)
        elif "role" in form.errors and request.POST.get("role"):
            # A role the kind cannot hold (a crafted form): refused and journaled, like the service does.
            audit.record(
                request, Action.DENIED, "organisation", org.pk, outcome=Outcome.DENIED, status_code=400
            )
    return render(
        request,
        "onboarding/invite.html",
        {"title": _("Inviter une personne"), "form": form, "org": org},
    )


@requires("manage_members", methods=ACTION)
def invitation_revoke(request, pk):
    invitation = _reached(request, Invitation.objects.select_related("organisation"), pk, "manage_members")
    try:
        services.revoke_invitation(request.membership, invitation)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("L'invitation est révoquée : son lien ne s'ouvre plus."))
    return redirect("onboarding:members", pk=invitation.organisation_id)


@requires("manage_members", methods=FORM)
def membership(request, pk):
    target = _reached(
        request, Membership.objects.select_related("user", "organisation"), pk, "manage_members"
    )
    form = RoleChoiceForm(
        request.POST if request.POST.get("action") == "role" else None,
        organisation=target.organisation,
        initial={"role": target.role},
    )
    intern_form = _intern_form(request, target)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "intern" and intern_form is not None:
                if intern_form.is_valid():
                    services.set_intern_profile(request.membership, target, **intern_form.cleaned_data)
                    messages.success(request, _("L'école, le tuteur et les dates du stage sont enregistrés."))
                    return redirect("onboarding:membership", pk=target.pk)
            elif action == "role":
                if form.is_valid():
                    services.change_role(request.membership, target, form.cleaned_data["role"])
                    messages.success(request, _("Le rôle est changé."))
                    return redirect("onboarding:members", pk=target.organisation_id)
                if request.POST.get("role"):
                    audit.record(
                        request,
                        Action.DENIED,
                        "membership",
                        target.pk,
                        outcome=Outcome.DENIED,
                        status_code=400,
                    )
            elif action in ("deactivate", "reactivate"):
                services.set_membership_active(request.membership, target, action == "reactivate")
                messages.success(
                    request,
                    _("L'accès est désactivé : ses sessions sont fermées.")
                    if action == "deactivate"
                    else _("L'accès est réactivé."),
                )
                return redirect("onboarding:members", pk=target.organisation_id)
        except DomainError as exc:
            if action == "intern" and intern_form is not None:
                intern_form.add_error(None, exc.message)
            else:
                messages.error(request, exc.message)
    return render(
        request,
        "onboarding/membership.html",
        {
            "title": _("Accès de %(name)s") % {"name": target.user},
            "target": target,
            "form": form,
            "intern_form": intern_form,
            "intern_profile": InternProfile.objects.filter(membership=target)
            .select_related("tutor__user")
            .first(),
            "is_self": target.user_id == request.user.pk,
            "second_factor": mfa.has_second_factor(target.user),
            "may_manage_user": policy.can(request.membership, "manage_users"),
        },
    )


def _intern_form(request, target):
    """The form of an intern's school, tutor and dates, for the head of service of her association."""
    if target.role != Role.INTERN or not policy.can(request.membership, "intern_profile_edit", target):
        return None
    profile = InternProfile.objects.filter(membership=target).first()
    initial = (
        {"school": profile.school, "tutor": profile.tutor_id, "starts_on": profile.starts_on,
         "ends_on": profile.ends_on} if profile else {}
    )  # fmt: skip
    return InternProfileForm(
        request.POST if request.POST.get("action") == "intern" else None,
        organisation=target.organisation,
        initial=initial,
    )


@requires("manage_users", methods=ACTION)
def user_active(request, pk):
    target = get_object_or_404(Membership.objects.select_related("user"), pk=pk)
    active = request.POST.get("active") == "1"
    try:
        services.set_user_active(request.membership, target.user, active)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Le compte est réactivé.")
            if active
            else _("Le compte est désactivé : ses sessions sont fermées."),
        )
    return redirect("onboarding:membership", pk=target.pk)


# --- The invitee -------------------------------------------------------------------------------------------
@require_http_methods(["GET", "HEAD"])
def accept_link(request, token):
    """The link of the e-mail: the token moves into the session and out of the address bar (as Django's
    password reset does), so that it leaks neither through the Referer nor the history."""
    request.session[INVITATION_SESSION_KEY] = token
    return redirect("onboarding:accept")


@require_http_methods(["GET", "HEAD", "POST"])
def accept(request):
    token = request.session.get(INVITATION_SESSION_KEY, "")
    try:
        invitation = services.check_invitation(token)
    except services.Refused as exc:
        return render(
            request,
            "onboarding/accept_invalid.html",
            {"title": _("Invitation"), "message": exc.message},
            status=410 if exc.object_id else 404,
        )
    context = {
        "title": _("Rejoindre %(name)s") % {"name": invitation.organisation.name},
        "invitation": invitation,
    }
    existing = services.account_for(invitation)
    user = request.user
    if existing is not None:
        context["existing"] = True
        if not user.is_authenticated:
            context["login_url"] = reverse("accounts:login") + "?next=" + reverse("onboarding:accept")
        elif user.pk != existing.pk:
            context["other_account"] = True
        elif request.method == "POST":
            try:
                joined = services.accept_for_existing_account(token, user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                request.session.pop(INVITATION_SESSION_KEY, None)
                request.session[SESSION_KEY] = joined.pk  # she acts under the new membership
                messages.success(request, _("Vous avez rejoint %(name)s.") % {"name": joined.organisation})
                return redirect("core:home")
        return render(request, "onboarding/accept.html", context)
    if user.is_authenticated:
        context["other_account"] = True
        return render(request, "onboarding/accept.html", context)
    form = AcceptForm(request.POST or None, email=invitation.email, initial={"username": invitation.email})
    if request.method == "POST" and form.is_valid():
        try:
            joined = services.accept_with_new_account(
                token, username=form.cleaned_data["username"], password=form.cleaned_data["password1"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            login(request, joined.user, backend="django.contrib.auth.backends.ModelBackend")
            request.session.pop(INVITATION_SESSION_KEY, None)
            messages.success(
                request,
                _(
                    "Votre compte est créé. Enregistrez maintenant une seconde étape de connexion : "
                    "elle protège les personnes que vous suivrez."
                ),
            )
            return redirect("accounts:security")
    context["form"] = form
    return render(request, "onboarding/accept.html", context)
