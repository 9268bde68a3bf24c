import datetime as dt

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from parcours.accounts import policy
from parcours.accounts.permissions import requires
from parcours.core import clock, spreadsheet

from . import indicators, secrecy, sections
from .tables import BALANCE, delay_rows, national_series, scope_for, tables


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


def _sheets(scope, start, end, tbls, delays, activity=(), extra=()):
    sheets = []
    for t in tbls:
        tail = [_("Total")] if t.has_total else []
        rows = [[_("Ligne")] + [str(label) for _c, label in t.columns] + tail]
        for label, values, total in t.rows:
            rows.append([label] + [secrecy.show(v) for v in values] + ([secrecy.show(total)] if tail else []))
        total = [secrecy.show(t.total)] if tail else []
        rows.append([_("Total")] + [secrecy.show(v) for v in t.column_totals] + total)
        sheets.append(spreadsheet.Sheet(str(t.indicator.name)[:31], rows))
    if delays:
        rows = [
            [_("Délai"), _("Ligne"), _("Nombre de demandes"), _("Médiane (jours)"), _("90e centile (jours)")]
        ]
        for d in delays:
            for label, s in d.rows:
                rows.append(
                    [str(d.indicator.name), label, secrecy.show(s["n"]), secrecy.show(s["median"]),
                     secrecy.show(s["p90"])]
                )  # fmt: skip
        sheets.append(spreadsheet.Sheet(_("Délais"), rows))
    if activity:
        rows = [[_("Activité collective"), _("Valeur")]]
        rows += [[str(label), secrecy.show(v)] for label, v in activity]
        sheets.append(spreadsheet.Sheet(_("Activité collective"), rows))
    for section in extra:
        sheets.append(
            spreadsheet.Sheet(str(section.title)[:31], [list(section.columns), *map(list, section.rows)])
        )
    defs = [[_("Indicateur"), _("Définition"), _("Unité"), _("Source")]]
    for ind in [*indicators.registry().values(), BALANCE]:
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
        if not fmt:
            context["figures"] = figures_html(scope, start, end)
        activity, extra = [], []
        if scope.level == "association":
            from .reports import activity as association_activity

            activity = association_activity(request.membership.organisation, start.year, clock.today())
            extra = sections.for_association(request.membership.organisation, start, end)
        elif scope.level == "departement":
            from .reports import departement_activity

            activity = departement_activity(scope.departement, start.year, clock.today())
        if fmt:
            tbls, delays = tables(scope, start, end), delay_rows(scope, start, end)
            return spreadsheet.response(
                fmt, f"statistiques-{start.year}", _sheets(scope, start, end, tbls, delays, activity, extra)
            )
        top = max([v for _l, v in activity if v] or [1])
        context.update(
            start=start,
            end=end,
            activity=activity,
            sections=extra,
            activity_chart=[(label, v, max(1, round(100 * v / top)) if v else 0) for label, v in activity],
            can_commission_review=request.membership.role in policy.RULES["statistics_commission_review"],
            query=request.GET.urlencode(),
        )
    return render(request, "statistics/dashboard.html", context)


FIGURES_SECONDS = 600  # as the indicators' own cache (indicators.py): rows edited in place show within it


def figures_html(scope, start, end) -> str:
    """The dashboard's tables, delays and (national) official series, rendered once per reading of the data
    and kept in the cache under its fingerprint (indicators.current_reading): a new or deleted source row
    changes the key, so the next reader gets a fresh rendering. Only suppressed figures are in it."""
    key = ":".join(
        str(part)
        for part in ("statistics-page", scope.level, scope.departement, scope.association, start, end,
                     get_language(), secrecy.threshold(), clock.today(), indicators.current_reading())
    )  # fmt: skip
    html = cache.get(key)
    if html is None:
        context = {
            "tables": tables(scope, start, end),
            "delays": delay_rows(scope, start, end),
            "series": national_series(clock.today()) if scope.level == "national" else None,
            "threshold": secrecy.threshold(),
            "hidden": secrecy.HIDDEN,
        }
        html = render_to_string("statistics/_figures.html", context)  # no request: nobody's data in it
        cache.set(key, html, FIGURES_SECONDS)
    return mark_safe(html)  # noqa: S308 (rendered by our own template, autoescaped)


def _year(request, today) -> int:
    try:
        year = int(request.GET.get("annee", today.year - 1))
    except ValueError:
        raise Http404 from None
    if not 2017 <= year <= today.year:
        raise Http404
    return year


def _pdf(template: str, context: dict, filename: str) -> HttpResponse:
    from parcours.core.pdf import render_pdf

    reply = HttpResponse(render_pdf(template, context), content_type="application/pdf")
    reply["Content-Disposition"] = f'attachment; filename="{filename}"'
    return reply


@requires("statistics_commission_review")
def commission_review(request):
    """The commission's annual review for the préfet (PDF): the département's figures, as on the dashboard."""
    from parcours.accounts.letterhead import letterhead_for

    from .reports import commission_review as build

    today = clock.today()
    year = _year(request, today)
    scope = scope_for(request.membership)
    if scope.level != "departement":
        raise Http404
    with indicators.one_reading():
        built = build(scope.departement, year, today)
    context = built | {
        "letterhead": letterhead_for(request.membership.organisation),
        "issued_on": today,
        "threshold": secrecy.threshold(),
    }
    return _pdf(
        "statistics/report_commission.html", context, f"bilan-commission-{scope.departement}-{year}.pdf"
    )


@requires("statistics_national_review")
def national_review(request):
    """The national review (PDF) in the shape of the official figures."""
    from parcours.accounts.letterhead import letterhead_for

    from .reports import national_review as build

    today = clock.today()
    year = _year(request, today)
    with indicators.one_reading():
        built = build(year, today)
    context = built | {
        "letterhead": letterhead_for(request.membership.organisation),
        "issued_on": today,
        "threshold": secrecy.threshold(),
    }
    return _pdf("statistics/report_national.html", context, f"bilan-national-{year}.pdf")


@requires("statistics_report")
def association_report(request):
    """The association's annual activity report in PDF (a past or the current calendar year)."""
    from parcours.accounts.letterhead import letterhead_for

    from .reports import association_report as build

    today = clock.today()
    year = _year(request, today)
    org = request.membership.organisation
    with indicators.one_reading():
        built = build(org, year, today)
    context = built | {
        "letterhead": letterhead_for(org),
        "issued_on": today,
        "threshold": secrecy.threshold(),
    }
    return _pdf("statistics/report_association.html", context, f"rapport-activite-{year}.pdf")
