"""The import and full-export pages (rules `portability` and `portability_export`: the head of service).
A job of another association is a 404. Running jobs are shown with their progress; the page refreshes itself
(a meta refresh, no script) until the job is done."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from parcours.accounts import policy
from parcours.accounts.permissions import ACTION, FORM, requires
from parcours.core import spreadsheet
from parcours.core.errors import DomainError

from . import export, forms, reading, services
from .models import ExportJob, ExportStatus, ImportJob, ImportStatus


def _imports(request):
    return ImportJob.objects.filter(association_id=request.membership.organisation_id)


def _exports(request):
    return ExportJob.objects.filter(association_id=request.membership.organisation_id)


@requires("portability", methods=FORM)
def home(request):
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            reading.check_size(upload.size)
            job = services.start_import(request.membership, upload.name, upload.read())
        except reading.FileRefused as exc:
            form.add_error("file", exc.message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("portability:import_job", pk=job.pk)
    return render(request, "portability/home.html", {
        "title": _("Import et export des données"), "form": form,
        "imports": _imports(request)[:20], "exports": _exports(request)[:10],
        "can_export": policy.can(request.membership, "portability_export"),
        "formats": spreadsheet.FORMATS,
    })  # fmt: skip


@requires("portability")
def template(request):
    fmt = request.GET.get("format", "xlsx")
    if fmt not in spreadsheet.FORMATS:
        raise Http404
    sheets = services.template_sheets()
    return spreadsheet.response(fmt, "modele-import-personnes", sheets[:1] if fmt == "csv" else sheets)


@requires("portability", methods=FORM)
def import_job(request, pk):
    job = get_object_or_404(_imports(request), pk=pk)
    form = forms.ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_import(job, request.membership, valid_only=form.cleaned_data["valid_only"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("L'import est lancé."))
            return redirect("portability:import_job", pk=job.pk)
    return render(request, "portability/import_job.html", {
        "title": _("Import d'un fichier de personnes"), "job": job, "form": form,
        "same_file": services.same_file_imported(job) if job.status == ImportStatus.CHECKED else None,
        "statuses": ImportStatus,
    })  # fmt: skip


@requires("portability_export", methods=ACTION)
def export_start(request):
    try:
        job = export.start_export(request.membership)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("portability:home")
    return redirect("portability:export_job", pk=job.pk)


@requires("portability_export")
def export_job(request, pk):
    job = get_object_or_404(_exports(request), pk=pk)
    if job.status == ExportStatus.READY and export.expired(job):
        export.expire(job)
        job.refresh_from_db()
    return render(request, "portability/export_job.html", {
        "title": _("Export complet des données"), "job": job, "statuses": ExportStatus,
    })  # fmt: skip


@requires("portability_export")
def export_download(request, pk):
    job = get_object_or_404(_exports(request), pk=pk)
    try:
        content = export.download(job, request.membership)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("portability:export_job", pk=job.pk)
    reply = HttpResponse(content, content_type="application/zip")
    stamp = job.created_at.strftime("%Y%m%d-%H%M")
    reply["Content-Disposition"] = f'attachment; filename="parcours-export-{stamp}.zip"'
    reply["Cache-Control"] = "no-store"
    return reply
