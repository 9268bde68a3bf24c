"""The account's page of personal API tokens: list, create (the secret shown once), revoke."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found

from parcours.accounts.permissions import FORM, requires
from parcours.core import clock
from parcours.core.errors import DomainError

from . import tokens
from .forms import TokenForm
from .models import ApiToken


@requires("api_tokens", methods=FORM)
def tokens_page(request):
    m = request.membership
    form = TokenForm(request.POST or None, membership=m)
    secret = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _token, secret = tokens.create_token(
                m, name=data["name"], read=data["read"], write=data["write"], expires_on=data["expires_on"]
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            form = TokenForm(membership=m)
    labels = {code: str(label) for code, (_r, label, _w) in tokens.RESOURCES.items()}
    now = clock.now()
    rows = list(ApiToken.objects.filter(user=request.user).select_related("membership__organisation"))
    for t in rows:
        t.read_labels = [labels.get(c, c) for c in t.read_scopes]
        t.write_labels = [labels.get(c, c) for c in t.write_scopes]
        t.expired = t.expires_at <= now
    return render(request, "api/tokens.html", {
        "title": _("Jetons d'API"), "form": form, "secret": secret, "tokens": rows,
    })  # fmt: skip


@requires("api_tokens", methods=FORM)
def revoke(request, pk):
    """GET (or a POST without `confirmed`) asks for confirmation; the confirmed POST revokes the token."""
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if request.method != "POST" or not request.POST.get("confirmed"):
        return render(request, "parcours/confirm.html", {
            "title": _("Révoquer un jeton d'API"),
            "question": _("Révoquer le jeton « %(name)s » ?") % {"name": token.name},
            "consequences": _("Les outils qui l'utilisent seront refusés dès leur prochain appel. Un jeton "
                              "révoqué ne peut pas être rétabli : créez-en un autre si besoin."),
            "action_url": reverse("api_tokens:revoke", kwargs={"pk": pk}),
            "confirm_label": _("Révoquer ce jeton"),
            "back_url": reverse("api_tokens:list"),
        })  # fmt: skip
    tokens.revoke_token(token, request.membership)
    messages.success(request, _("Le jeton « %(name)s » est révoqué : il est refusé dès le prochain appel.")
                     % {"name": token.name})  # fmt: skip
    return redirect("api_tokens:list")


def not_found(request, exception=None):
    """The site's 404 (settings' handler404): JSON with a French message under /api/ (an address that is no
    operation of the API), the usual page elsewhere."""
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            {"detail": _("Cette adresse ne correspond à aucune opération de l'API.")}, status=404
        )
    return page_not_found(request, exception)
