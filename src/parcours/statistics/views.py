import datetime as dt

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from parcours.accounts.permissions import requires
from parcours.core import clock, spreadsheet

from . import indicators, secrecy
from .tables import delay_rows, national_series, scope_for, tables


def _period(request):
    """The calendar year asked for (the period grid, secrecy.py), or a French error."""
    today = clock.today()
    raw_start, raw_end = request.GET.get("debut", ""), request.GET.get("fin", "")
    try:
        start = dt.date.fromisoformat(raw_start) if raw_start else dt.date(today.year, 1, 1)
        end = dt.date.fromisoformat(raw_end) if raw_end else dt.date(start.year, 12, 31)
    except ValueError:
        return None, None, _("Saisissez les dates au format AAAA-MM-JJ.")
    if end < start:
        return None, None, _("La fin de la période est antérieure à son début.")
    if (start.month, start.day, end.month, end.day) != (1, 1, 12, 31) or start.year != end.year:
        return (
            None,
            None,
            _(
                "Les statistiques sont publiées par année civile (du 1er janvier au 31 décembre) : "
                "une autre période permettrait de déduire de petits effectifs par différence."
            ),
        )
    return start, min(end, today), None


def _sheets(scope, start, end, tbls, delays):
    sheets = []
    for t in tbls:
        head = [_("Ligne")] + [str(label) for _c, label in t.columns] + [_("Total")]
        rows = [head]
        for label, values, total in t.rows:
            rows.append([label] + [secrecy.show(v) for v in values] + [secrecy.show(total)])
        rows.append([_("Total")] + [secrecy.show(v) for v in t.column_totals] + [secrecy.show(t.total)])
        sheets.append(spreadsheet.Sheet(str(t.indicator.name)[:31], rows))
    if delays:
        rows = [[_("Délai"), _("Nombre de demandes"), _("Médiane (jours)"), _("90e centile (jours)")]]
        for ind, s in delays:
            rows.append(
                [str(ind.name), secrecy.show(s["n"]), secrecy.show(s["median"]), secrecy.show(s["p90"])]
            )
        sheets.append(spreadsheet.Sheet(_("Délais"), rows))
    defs = [[_("Indicateur"), _("Définition"), _("Unité"), _("Source")]]
    for ind in indicators.registry().values():
        defs.append([str(ind.name), str(ind.definition), ind.unit, ind.source])
    defs.append(
        [
            _("Secret statistique"),
            _(
                "« s » : effectif de 1 à 10, ou case masquée pour qu'aucun petit effectif ne puisse "
                "se recalculer "
                "(loi n° 51-711 du 7 juin 1951, art. 6)."
            ),
            "",
            "",
        ]
    )
    defs.append([_("Période"), f"{start:%d/%m/%Y} – {end:%d/%m/%Y}", "", str(scope.label)])
    sheets.append(spreadsheet.Sheet(_("Définitions"), defs))
    return sheets


@requires("statistics")
def dashboard(request):
    scope = scope_for(request.membership, request.GET.get("departement") or None)
    start, end, error = _period(request)
    context = {
        "title": _("Tableau de bord statistique"),
        "scope": scope,
        "error": error,
        "threshold": secrecy.threshold(),
        "hidden": secrecy.HIDDEN,
    }
    if error:
        return render(request, "statistics/dashboard.html", context, status=400)
    fmt = request.GET.get("format")
    if fmt and fmt not in spreadsheet.FORMATS:
        raise Http404
    with indicators.one_reading():
        tbls = tables(scope, start, end)
        delays = delay_rows(start, end) if scope.level == "national" else []
        if fmt:
            return spreadsheet.response(
                fmt, f"statistiques-{start.year}", _sheets(scope, start, end, tbls, delays)
            )
        context.update(start=start, end=end, tables=tbls, delays=delays, query=request.GET.urlencode())
        if scope.level == "national":
            context["series"] = national_series(clock.today())
    return render(request, "statistics/dashboard.html", context)


@requires("statistics_report")
def association_report(request):
    """The association's annual activity report in PDF (a past or the current calendar year)."""
    from parcours.accounts.letterhead import letterhead_for
    from parcours.core.pdf import render_pdf

    from .reports import association_report as build

    today = clock.today()
    try:
        year = int(request.GET.get("annee", today.year - 1))
    except ValueError:
        raise Http404 from None
    if not 2017 <= year <= today.year:
        raise Http404
    org = request.membership.organisation
    with indicators.one_reading():
        built = build(org, year, today)
    context = built | {
        "letterhead": letterhead_for(org),
        "issued_on": today,
        "threshold": secrecy.threshold(),
    }
    reply = HttpResponse(
        render_pdf("statistics/report_association.html", context), content_type="application/pdf"
    )
    reply["Content-Disposition"] = f'attachment; filename="rapport-activite-{year}.pdf"'
    return reply
