"""The directory pages: the entries of the département of the user's association (every member reads them),
added and corrected by its staff. An entry of another département is a 404."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from parcours.accounts import policy
from parcours.accounts.permissions import FORM, READ, requires
from parcours.core.errors import DomainError

from . import forms, services
from .models import DirectoryEntry, EntryKind


@requires("directory", methods=READ)
def entry_list(request):
    m = request.membership
    rows = DirectoryEntry.objects.visible_to(m)
    kind = request.GET.get("type", "")
    if kind in EntryKind.values:
        rows = rows.filter(kind=kind)
    return render(
        request,
        "directory/list.html",
        {
            "title": _("Annuaire des partenaires"),
            "rows": rows,
            "kinds": EntryKind.choices,
            "kind": kind,
            "may_edit": policy.can(m, "directory_edit"),
            "departement": m.organisation.departement,
        },
    )


@requires("directory_edit", methods=FORM)
def entry_create(request):
    form = forms.EntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_entry(request.membership, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("La fiche est ajoutée à l'annuaire du département."))
            return redirect("directory:list")
    return render(
        request,
        "directory/form.html",
        {"title": _("Nouvelle fiche de l'annuaire"), "form": form},
        status=400 if form.errors else 200,
    )


@requires("directory_edit", methods=FORM)
def entry_edit(request, pk):
    entry = get_object_or_404(DirectoryEntry.objects.visible_to(request.membership), pk=pk)
    initial = {k: getattr(entry, k) for k in ("kind", "name", "town", "contact", "description", "is_active")}
    form = forms.EntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_entry(entry, request.membership, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("La fiche est corrigée."))
            return redirect("directory:list")
    return render(
        request,
        "directory/form.html",
        {
            "title": _("Modifier « %(name)s »") % {"name": entry.name},
            "form": form,
            "entry": entry,
        },
        status=400 if form.errors else 200,
    )
