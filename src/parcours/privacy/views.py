"""Pages of the person's rights: retention status, export (right of access), erasure, archived files.
Views read through the visibility rule and change nothing themselves: the services do."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts.permissions import requires
from parcours.audit import log as audit
from parcours.core import clock
from parcours.core.errors import DomainError
from parcours.people.models import Person
from parcours.people.search import sort_key

from . import conf, export, retention, services
from .forms import ErasureForm

NO_STORE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


def _person(request, pk) -> Person:
    person = get_object_or_404(
        Person.objects.visible_to(request.membership).select_related("referent", "departement"), pk=pk
    )
    request.audit_person_id = person.pk
    return person


@requires("privacy")
def person_privacy(request, pk):
    person = _person(request, pk)
    m = request.membership
    return render(request, "privacy/person.html", {
        "title": _("Vie privée"), "person": person, "status": retention.status(person),
        "archive_months": conf.archive_after_months(), "anonymise_years": conf.anonymise_after_years(),
        "may_export": export.may_export(m, person), "may_erase": services.may_erase(m, person),
        "obstacle": services.erasure_obstacle(person),
    })  # fmt: skip


def _download(request, person, content: bytes, content_type: str, extension: str, object_type: str):
    audit.record(request, "export", object_type, person.pk, person_id=person.pk)
    response = HttpResponse(content, content_type=content_type, headers=NO_STORE)
    # The file name names the case, never the person.
    response["Content-Disposition"] = (
        f'attachment; filename="donnees-{person.reference}-{clock.today():%Y%m%d}.{extension}"'
    )
    return response


def _export(request, pk):
    person = _person(request, pk)
    if not export.may_export(request.membership, person):
        messages.error(request, _("Seules la référente de la personne et la cheffe de service peuvent "
                                  "exporter ses données."))  # fmt: skip
        audit.record(request, "denied", "person_export", person.pk, person_id=person.pk, outcome="denied")
        return person, None
    return person, export.build(person)


@requires("privacy")
def export_json(request, pk):
    person, data = _export(request, pk)
    if data is None:
        return redirect("privacy:person", pk=person.pk)
    return _download(
        request, person, export.to_json(data), "application/json; charset=utf-8", "json", "person_export"
    )


@requires("privacy")
def export_pdf(request, pk):
    person, data = _export(request, pk)
    if data is None:
        return redirect("privacy:person", pk=person.pk)
    return _download(request, person, export.to_pdf(person, data), "application/pdf", "pdf", "person_export")


@requires("privacy")
def erase(request, pk):
    person = _person(request, pk)
    m = request.membership
    if not services.may_erase(m, person):
        messages.error(request, _("Seule la cheffe de service de l'association peut effacer un dossier."))
        return redirect("privacy:person", pk=person.pk)
    obstacle = services.erasure_obstacle(person)
    form = ErasureForm(request.POST or None)
    if request.method == "POST" and obstacle is None and form.is_valid():
        try:
            services.erase(person, m, form.cleaned_data["ground"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Le dossier est effacé : il ne contient plus aucune donnée "
                                        "permettant d'identifier la personne."))  # fmt: skip
            return redirect("privacy:person", pk=person.pk)
    return render(request, "privacy/erase.html", {
        "title": _("Effacer le dossier"), "person": person, "form": form, "obstacle": obstacle,
    })  # fmt: skip


@requires("privacy_archives")
@require_POST
def reactivate(request, pk):
    person = _person(request, pk)
    try:
        retention.reactivate(person, request.membership)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Le dossier est réactivé : il revient dans la liste des personnes suivies.")
        )
    return redirect("privacy:person", pk=person.pk)


@requires("privacy_archives")
def archives(request):
    people = Person.objects.visible_to(request.membership).filter(archived_on__isnull=False)
    rows = sorted(
        people.select_related("departement"), key=lambda p: (p.anonymised_on is not None, sort_key(p))
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "privacy/archives.html", {
        "title": _("Dossiers archivés"), "page": page, "total": len(rows),
        "archive_months": conf.archive_after_months(), "anonymise_years": conf.anonymise_after_years(),
    })  # fmt: skip
