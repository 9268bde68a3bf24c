"""The funding pages: the head of service of the association (rule `funding`) sees and manages its funders,
grants, posts funded and charges, and prints each grant's report. Objects of another association are a 404."""

from django.contrib import messages
from django.db.models import Count, OuterRef, Subquery, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from parcours.accounts.letterhead import letterhead_for
from parcours.accounts.permissions import ACTION, FORM, READ, requires
from parcours.core import clock, spreadsheet
from parcours.core.errors import DomainError
from parcours.core.pdf import render_pdf

from . import forms, report, reports_due, services
from .models import Charge, FundedPost, Funder, Grant


def _run(form, service, *args, **kwargs):
    """Run a domain service; a refusal becomes an error on the form (input kept) and nothing is saved."""
    try:
        return service(*args, **kwargs) or True
    except DomainError as exc:
        form.add_error(None, exc.message)
        return None


def _saved(request, form, service, *args):
    """The service's result when the form was posted, valid and accepted; None otherwise."""
    if request.method == "POST" and form.is_valid():
        return _run(form, service, *args, **form.cleaned_data)
    return None


def _act(request, service, *args) -> bool:
    try:
        service(*args)
        return True
    except DomainError as exc:
        messages.error(request, exc.message)
        return False


def _funder(request, pk) -> Funder:
    return get_object_or_404(Funder.objects.visible_to(request.membership), pk=pk)


def _grant(request, pk) -> Grant:
    visible = Grant.objects.visible_to(request.membership).select_related("funder__association")
    return get_object_or_404(visible, pk=pk)


def _post(request, pk) -> FundedPost:
    return get_object_or_404(FundedPost.objects.visible_to(request.membership).select_related("grant"), pk=pk)


def _charge(request, pk) -> Charge:
    return get_object_or_404(Charge.objects.visible_to(request.membership).select_related("grant"), pk=pk)


def _form_page(request, form, title, back, submit, **extra):
    return render(request, "funding/form.html", {
        "title": title, "form": form, "back": back, "submit": submit, **extra,
    })  # fmt: skip


# --- Home ---------------------------------------------------------------------------------------------------
@requires("funding", methods=READ)
def home(request):
    m = request.membership
    funders = Funder.objects.visible_to(m).annotate(grants_count=Count("grants"))
    spent = Charge.objects.filter(grant=OuterRef("pk")).values("grant").annotate(t=Sum("amount")).values("t")
    grants = list(
        Grant.objects.visible_to(m).select_related("funder")
        .annotate(spent=Subquery(spent), posts_count=Count("posts"))
    )  # fmt: skip
    today = clock.today()
    for g in grants:
        g.report_state = reports_due.report_state(g, today)
    return render(request, "funding/home.html", {
        "title": _("Financements"), "funders": funders, "grants": grants, "today": today,
        "reports_to_write": reports_due.reports_to_write(grants, today),
    })  # fmt: skip


# --- Funders ------------------------------------------------------------------------------------------------
@requires("funding", methods=FORM)
def funder_create(request):
    form = forms.FunderForm(request.POST or None)
    if _saved(request, form, services.create_funder, request.membership):
        messages.success(request, _("Le financeur est enregistré."))
        return redirect("funding:home")
    return _form_page(request, form, _("Nouveau financeur"), "funding:home", _("Enregistrer"))


@requires("funding", methods=FORM)
def funder_edit(request, pk):
    funder = _funder(request, pk)
    form = forms.FunderForm(request.POST or None, initial={"kind": funder.kind, "name": funder.name})
    if _saved(request, form, services.update_funder, funder, request.membership):
        messages.success(request, _("Le financeur est modifié."))
        return redirect("funding:home")
    return _form_page(request, form, _("Financeur — %(name)s") % {"name": funder.name}, "funding:home",
                      _("Enregistrer"), funder=funder)  # fmt: skip


@requires("funding", methods=ACTION)
def funder_close(request, pk):
    funder = _funder(request, pk)
    try:
        closed = services.close_funder(funder, request.membership)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("funding:funder_edit", pk=funder.pk)
    messages.success(request, _("Le financeur est clos : ses subventions restent.") if closed
                     else _("Le financeur est supprimé."))  # fmt: skip
    return redirect("funding:home")


# --- Grants -------------------------------------------------------------------------------------------------
def _grant_form(request, initial=None):
    funders = Funder.objects.visible_to(request.membership)
    return forms.GrantForm(request.POST or None, initial=initial, funders=funders)


@requires("funding", methods=FORM)
def grant_create(request):
    form = _grant_form(request)
    form.fields["funder"].queryset = form.fields["funder"].queryset.filter(closed_on__isnull=True)
    grant = _saved(request, form, services.create_grant, request.membership)
    if grant:
        messages.success(request, _("La subvention est enregistrée."))
        return redirect("funding:grant", pk=grant.pk)
    return _form_page(request, form, _("Nouvelle subvention"), "funding:home", _("Enregistrer"))


@requires("funding", methods=FORM)
def grant_edit(request, pk):
    grant = _grant(request, pk)
    initial = {f: getattr(grant, f) for f in ("label", "starts_on", "ends_on", "amount", "purpose",
                                              "conditions", "indicators", "report_due_on",
                                              "report_sent_on")}  # fmt: skip
    form = _grant_form(request, initial={**initial, "funder": grant.funder_id})
    if _saved(request, form, services.update_grant, grant, request.membership):
        messages.success(request, _("La subvention est modifiée."))
        return redirect("funding:grant", pk=grant.pk)
    return _form_page(request, form, _("Modifier — %(label)s") % {"label": grant.label}, "funding:home",
                      _("Enregistrer"), grant=grant)  # fmt: skip


@requires("funding", methods=ACTION)
def grant_delete(request, pk):
    grant = _grant(request, pk)
    if _act(request, services.delete_grant, grant, request.membership):
        messages.success(request, _("La subvention est supprimée."))
        return redirect("funding:home")
    return redirect("funding:grant", pk=grant.pk)


@requires("funding", methods=READ)
def grant(request, pk):
    g = _grant(request, pk)
    g.report_state = reports_due.report_state(g, clock.today())
    return render(request, "funding/grant.html", {
        "title": g.label, "grant": g, "report": report.build(g, clock.today()),
        "small_count_label": report.small_count_label(), "formats": ("xlsx", "ods", "csv"),
    })  # fmt: skip


def _stem(g: Grant) -> str:
    return f"rapport-subvention-{g.pk}-{g.starts_on:%Y%m%d}-{g.ends_on:%Y%m%d}"


@requires("funding", methods=READ)
def report_pdf(request, pk):
    g = _grant(request, pk)
    today = clock.today()
    pdf = render_pdf("funding/report_pdf.html", {
        "report": report.build(g, today), "grant": g, "letterhead": letterhead_for(g.funder.association),
        "issued_on": today, "small_count_label": report.small_count_label(),
    })  # fmt: skip
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_stem(g)}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@requires("funding", methods=READ)
def report_sheet(request, pk, fmt):
    g = _grant(request, pk)
    if fmt not in spreadsheet.FORMATS:
        raise Http404
    return spreadsheet.response(fmt, _stem(g), report.sheets(report.build(g, clock.today())))


# --- Posts funded -------------------------------------------------------------------------------------------
POST_FIELDS = ("role", "sites", "months", "starts_on", "ends_on")


@requires("funding", methods=FORM)
def post_add(request, pk):
    g = _grant(request, pk)
    form = forms.PostForm(request.POST or None, initial={"starts_on": g.starts_on, "ends_on": g.ends_on})
    if _saved(request, form, services.add_post, g, request.membership):
        messages.success(request, _("Le poste financé est enregistré."))
        return redirect("funding:grant", pk=g.pk)
    return _form_page(request, form, _("Nouveau poste financé — %(label)s") % {"label": g.label},
                      "funding:grant", _("Enregistrer"), grant=g)  # fmt: skip


@requires("funding", methods=FORM)
def post_edit(request, pk):
    post = _post(request, pk)
    form = forms.PostForm(request.POST or None, initial={f: getattr(post, f) for f in POST_FIELDS})
    if _saved(request, form, services.update_post, post, request.membership):
        messages.success(request, _("Le poste financé est modifié."))
        return redirect("funding:grant", pk=post.grant_id)
    return _form_page(request, form, _("Poste financé — %(role)s") % {"role": post.role}, "funding:grant",
                      _("Enregistrer"), grant=post.grant, delete_url="funding:post_delete",
                      obj=post)  # fmt: skip


@requires("funding", methods=ACTION)
def post_delete(request, pk):
    post = _post(request, pk)
    if _act(request, services.delete_post, post, request.membership):
        messages.success(request, _("Le poste financé est supprimé."))
    return redirect("funding:grant", pk=post.grant_id)


# --- Charges ------------------------------------------------------------------------------------------------
CHARGE_FIELDS = ("date", "label", "amount", "hours")


@requires("funding", methods=FORM)
def charge_add(request, pk):
    g = _grant(request, pk)
    form = forms.ChargeForm(
        request.POST or None, initial={"date": min(max(clock.today(), g.starts_on), g.ends_on)}
    )
    if _saved(request, form, services.add_charge, g, request.membership):
        messages.success(request, _("La dépense est imputée à la subvention."))
        return redirect("funding:grant", pk=g.pk)
    return _form_page(request, form, _("Nouvelle dépense — %(label)s") % {"label": g.label}, "funding:grant",
                      _("Enregistrer"), grant=g)  # fmt: skip


@requires("funding", methods=FORM)
def charge_edit(request, pk):
    charge = _charge(request, pk)
    form = forms.ChargeForm(request.POST or None, initial={f: getattr(charge, f) for f in CHARGE_FIELDS})
    if _saved(request, form, services.update_charge, charge, request.membership):
        messages.success(request, _("La dépense est modifiée."))
        return redirect("funding:grant", pk=charge.grant_id)
    return _form_page(request, form, _("Dépense — %(label)s") % {"label": charge.label}, "funding:grant",
                      _("Enregistrer"), grant=charge.grant, delete_url="funding:charge_delete",
                      obj=charge)  # fmt: skip


@requires("funding", methods=ACTION)
def charge_delete(request, pk):
    charge = _charge(request, pk)
    if _act(request, services.delete_charge, charge, request.membership):
        messages.success(request, _("La dépense est supprimée."))
    return redirect("funding:grant", pk=charge.grant_id)
