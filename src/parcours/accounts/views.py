from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from parcours.core import clock

from .forms import LoginForm
from .permissions import requires


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    extra_context = {"title": _("Connexion")}


class LogoutView(auth_views.LogoutView):
    pass


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
        },
    )
