"""A grant's report: what was granted, the posts funded, what was charged against the amount, and each
indicator the grant must report, computed over the grant's period (up to today when it runs on).

The report names no person: posts are roles, indicators are counts. A report that leaves the association (PDF,
spreadsheet) shows a count of people from 1 to the statistics threshold as « moins de 11 »
(`Line.outside`); the page, read by the head of service only, shows the exact value and says that it will be
hidden (docs/decisions/0047-funding.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from parcours.core import spreadsheet
from parcours.pathway.statistics import threshold

from . import indicators
from .models import Grant


@dataclass(frozen=True)
class Line:
    indicator: indicators.Indicator
    value: indicators.Number

    @property
    def hidden(self) -> bool:
        return self.indicator.small_counts and 0 < self.value <= threshold()

    @property
    def outside(self) -> str | indicators.Number:
        """The value as a report leaving the association shows it."""
        return small_count_label() if self.hidden else self.value


def small_count_label() -> str:
    return _("moins de %(n)s") % {"n": threshold() + 1}


@dataclass(frozen=True)
class Report:
    grant: Grant
    start: dt.date
    end: dt.date
    computed_on: dt.date
    lines: list[Line]
    posts: list
    charges: list
    spent: Decimal
    hours: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.grant.amount - self.spent


def build(grant: Grant, today: dt.date) -> Report:
    organisation = grant.funder.association
    start, end = grant.starts_on, grant.ends_on
    lines = [
        Line(indicators.REGISTRY[code], indicators.compute(code, organisation, start, end))
        for code in grant.indicators
        if code in indicators.REGISTRY
    ]
    totals = grant.charges.aggregate(spent=Sum("amount"), hours=Sum("hours"))
    return Report(
        grant=grant, start=start, end=end, computed_on=today, lines=lines, posts=list(grant.posts.all()),
        charges=list(grant.charges.all()), spent=totals["spent"] or Decimal("0"),
        hours=totals["hours"] or Decimal("0"),
    )  # fmt: skip


def sheets(report: Report) -> list[spreadsheet.Sheet]:
    g = report.grant
    summary = [
        [_("Rubrique"), _("Valeur")],
        [_("Association"), g.funder.association.name],
        [_("Financeur"), g.funder.name],
        [_("Type de financeur"), g.funder.get_kind_display()],
        [_("Subvention"), g.label],
        [_("Début"), g.starts_on],
        [_("Fin"), g.ends_on],
        [_("Montant accordé (€)"), g.amount],
        [_("Dépenses imputées (€)"), report.spent],
        [_("Reste (€)"), report.remaining],
        [_("Heures imputées"), report.hours],
        [_("Objet"), g.purpose],
        [_("Conditions"), g.conditions],
        [_("Données arrêtées le"), report.computed_on],
    ]
    values = [[_("Code"), _("Indicateur"), _("Valeur"), _("Unité")]] + [
        [line.indicator.code, str(line.indicator.name), line.outside, str(line.indicator.unit)]
        for line in report.lines
    ]
    definitions = [[_("Code"), _("Indicateur"), _("Définition"), _("Petits effectifs masqués")]] + [
        [line.indicator.code, str(line.indicator.name), str(line.indicator.definition),
         _("oui") if line.indicator.small_counts else _("non")]
        for line in report.lines
    ] + [[], [_("Règle"), _("Petits effectifs"), _(
        "Un nombre de personnes (ou de leurs présences et passages) de 1 à %(t)s est indiqué « %(label)s » : "
        "secret statistique, aucune personne ne doit pouvoir être reconnue.") % {
            "t": threshold(), "label": small_count_label()}, ""]]  # fmt: skip
    posts = [[_("Poste"), _("Sites"), _("Mois financés"), _("Début"), _("Fin")]] + [
        [p.role, p.sites, p.months, p.starts_on, p.ends_on] for p in report.posts
    ]
    charges = (
        [[_("Date"), _("Libellé"), _("Montant (€)"), _("Heures")]]
        + [[c.date, c.label, c.amount, c.hours] for c in report.charges]
        + [[_("Total"), "", report.spent, report.hours]]
    )
    return [
        spreadsheet.Sheet(_("Subvention"), summary),
        spreadsheet.Sheet(_("Indicateurs"), values),
        spreadsheet.Sheet(_("Définitions"), definitions),
        spreadsheet.Sheet(_("Postes financés"), posts),
        spreadsheet.Sheet(_("Dépenses"), charges),
    ]
