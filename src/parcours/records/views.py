"""Pages of the documents and the life story. Views read through the visibility rule and change nothing
themselves: every change goes through `services.py`."""

import logging

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from parcours.accounts.permissions import requires
from parcours.audit import log as audit
from parcours.core import clock
from parcours.core.crypto import DecryptionError
from parcours.core.errors import DomainError
from parcours.core.pdf import render_pdf
from parcours.people.models import Person

from . import files, services
from .deadlines import expiry_state
from .diff import changed, line_diff
from .forms import CompareForm, DocumentForm, LifeStoryForm
from .models import Document, LifeStoryVersion

logger = logging.getLogger(__name__)
UNREADABLE_FILE = _lazy(
    "Le fichier de ce document est manquant ou altéré : il ne peut pas être téléchargé. Signalez-le à la "
    "personne qui administre Parcours."
)

# A stored file is never rendered nor sniffed by the browser: it is downloaded as what it was checked to be.
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


def _person(request, pk) -> Person:
    return get_object_or_404(Person.objects.visible_to(request.membership).select_related("referent"), pk=pk)


def _attempt(request, service, *args, **kwargs):
    """Run a domain service; a refusal becomes an error message and nothing is saved."""
    try:
        return service(*args, **kwargs), True
    except DomainError as exc:
        messages.error(request, exc.message)
        return None, False


# --- Documents ------------------------------------------------------------------------------------------
@requires("person_file")
def documents(request, pk):
    person = _person(request, pk)
    m = request.membership
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            _saved, ok = _attempt(
                request, services.add_document, person, m,
                kind=data["kind"], upload=data["file"], title=data["title"], expires_on=data["expires_on"],
            )  # fmt: skip
            if ok:
                messages.success(request, _("Le document est enregistré."))
                return redirect("records:documents", pk=person.pk)
    else:
        form = DocumentForm()
    today = clock.today()
    rows = [
        {
            "document": d,
            "state": expiry_state(d, today),
            "size": files.human_size(d.size),
            "can_delete": services.can_delete_document(m, d),
        }
        for d in person.documents.select_related("uploaded_by")
    ]
    return render(request, "records/documents.html", {
        "title": _("Documents"), "person": person, "rows": rows, "form": form,
    }, status=400 if request.method == "POST" else 200)  # fmt: skip


def _document(request, pk) -> Document:
    visible = Person.objects.visible_to(request.membership)
    return get_object_or_404(Document.objects.filter(person__in=visible).select_related("person"), pk=pk)


@requires("person_file")
def document_download(request, pk):
    document = _document(request, pk)
    try:
        content = files.read(document.storage_name)
    except (OSError, ValueError, DecryptionError) as exc:
        logger.error("records: the file of document %s cannot be read (%s)", document.pk, type(exc).__name__)
        messages.error(request, UNREADABLE_FILE)
        return redirect("records:documents", pk=document.person_id)
    response = HttpResponse(content, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(True, document.original_name)
    for header, value in DOWNLOAD_HEADERS.items():
        response[header] = value
    audit.record(request, "download", "document", document.pk, person_id=document.person_id)
    return response


@requires("person_file")
def document_delete(request, pk):
    """GET asks for confirmation (no script needed), POST deletes."""
    document = _document(request, pk)
    if request.method == "POST":
        _done, ok = _attempt(request, services.delete_document, document, request.membership)
        if ok:
            messages.success(request, _("Le document est supprimé."))
        return redirect("records:documents", pk=document.person_id)
    if not services.can_delete_document(request.membership, document):
        messages.error(request, services.DELETE_REFUSED)
        return redirect("records:documents", pk=document.person_id)
    return render(request, "records/document_delete.html", {
        "title": _("Supprimer un document"), "person": document.person, "document": document,
    })  # fmt: skip


# --- Life story -----------------------------------------------------------------------------------------
def _restricted(request, person, exc):
    return render(request, "records/life_story_restricted.html", {
        "title": _("Récit de vie"), "person": person, "reason": exc.message,
    }, status=403)  # fmt: skip


def _versions(person):
    return list(LifeStoryVersion.objects.filter(life_story__person=person).select_related("author"))


@requires("person_file")
def life_story(request, pk):
    person = _person(request, pk)
    m = request.membership
    try:
        services.require_life_story_access(m, person)
    except services.LifeStoryRestricted as exc:
        return _restricted(request, person, exc)
    versions = _versions(person)
    current = versions[0] if versions else None
    conflict_diff = None
    status = 200
    if request.method == "POST":
        form = LifeStoryForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.save_life_story(person, m, data["text"], based_on=data["based_on"],
                                         comment=data["comment"])  # fmt: skip
            except services.LifeStoryConflict as exc:
                messages.error(request, exc.message)
                versions = _versions(person)
                current = versions[0] if versions else None
                # The writer's text comes back, now based on the latest version: saving again is deliberate.
                form = LifeStoryForm(initial={
                    "text": data["text"], "comment": data["comment"],
                    "based_on": current.number if current else 0,
                })  # fmt: skip
                conflict_diff = line_diff(current.text if current else "", services.normalise(data["text"]))
                status = 409
            except DomainError as exc:
                messages.error(request, exc.message)
                status = 400
            else:
                messages.success(request, _("La nouvelle version du récit est enregistrée."))
                return redirect("records:life_story", pk=person.pk)
        else:
            status = 400
    else:
        start = current
        if (from_number := request.GET.get("depuis", "")).isdigit():
            start = next((v for v in versions if v.number == int(from_number)), current)
        form = LifeStoryForm(initial={
            "text": start.text if start else "", "based_on": current.number if current else 0,
        })  # fmt: skip
    numbers = [v.number for v in versions]
    compare = CompareForm(numbers=numbers, initial={"old": numbers[1] if len(numbers) > 1 else None,
                                                    "new": numbers[0] if numbers else None})  # fmt: skip
    if current is not None:
        audit.record(request, "read", "life_story_version", current.pk, person_id=person.pk)
    return render(request, "records/life_story.html", {
        "title": _("Récit de vie"), "person": person, "current": current, "versions": versions, "form": form,
        "compare": compare, "conflict_diff": conflict_diff,
    }, status=status)  # fmt: skip


def _version(request, pk, number):
    """The person (visible), the access check, then the version; returns (person, version, refusal page)."""
    person = _person(request, pk)
    try:
        services.require_life_story_access(request.membership, person)
    except services.LifeStoryRestricted as exc:
        return person, None, _restricted(request, person, exc)
    version = get_object_or_404(
        LifeStoryVersion.objects.filter(life_story__person=person).select_related("author"), number=number
    )
    return person, version, None


@requires("person_file")
def life_story_version(request, pk, number):
    person, version, refused = _version(request, pk, number)
    if refused:
        return refused
    audit.record(request, "read", "life_story_version", version.pk, person_id=person.pk)
    versions = _versions(person)
    previous = next((v for v in versions if v.number < version.number), None)
    return render(request, "records/life_story_version.html", {
        "title": _("Récit de vie"), "person": person, "version": version, "previous": previous,
        "latest": versions[0],
    })  # fmt: skip


@requires("person_file")
def life_story_diff(request, pk):
    person = _person(request, pk)
    try:
        services.require_life_story_access(request.membership, person)
    except services.LifeStoryRestricted as exc:
        return _restricted(request, person, exc)
    versions = {v.number: v for v in _versions(person)}
    form = CompareForm(request.GET, numbers=list(versions))
    if not form.is_valid():
        messages.error(request, _("Choisissez deux versions du récit à comparer."))
        return redirect("records:life_story", pk=person.pk)
    old, new = versions[form.cleaned_data["old"]], versions[form.cleaned_data["new"]]
    lines = line_diff(old.text, new.text)
    for version in dict.fromkeys([old, new]):
        audit.record(request, "read", "life_story_version", version.pk, person_id=person.pk)
    return render(request, "records/life_story_diff.html", {
        "title": _("Récit de vie"), "person": person, "old": old, "new": new, "lines": lines,
        "changed": changed(lines), "compare": form,
    })  # fmt: skip


@requires("person_file")
def life_story_pdf(request, pk, number):
    person, version, refused = _version(request, pk, number)
    if refused:
        return refused
    aliases = [n for n in [person.alias, *person.other_names.values_list("name", flat=True)] if n]
    nationalities = [c.name for c in [person.nationality, *person.other_nationalities] if c]
    pdf = render_pdf("records/life_story_pdf.html", {
        "person": person, "version": version, "aliases": aliases, "nationalities": nationalities,
    })  # fmt: skip
    audit.record(request, "export", "life_story_version", version.pk, person_id=person.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    # The file name names the case, never the person.
    response["Content-Disposition"] = (
        f'attachment; filename="recit-de-vie-{person.reference}-v{version.number}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
