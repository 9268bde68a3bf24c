"""The reader's tables: indicators computed, suppressed (secrecy.publish) and cut to what the role reads.

Levels: the national administration reads every département row of the one suppressed national table; a
secretariat or a préfecture, the row of its département of that same table (same values, same hidden
cells); a head of service, her association's own counts, suppressed by the same rule. Delays are national
only (summaries over more than the threshold of durations)."""

import datetime as dt
from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext as _

from parcours.accounts.roles import Role
from parcours.core.models import Departement

from . import indicators, secrecy


@dataclass
class Scope:
    level: str  # "association", "departement" or "national"
    departement: str | None = None
    association: int | None = None
    label: str = ""


def scope_for(membership, departement: str | None = None) -> Scope:
    """What the member may read; a département she may not read is a 404, never a figure."""
    role, org = membership.role, membership.organisation
    if role == Role.NATIONAL_ADMIN:
        if departement:
            if not Departement.objects.filter(code=departement).exists():
                raise Http404
            return Scope("departement", departement, label=departement)
        return Scope("national", label=_("France entière"))
    if role == Role.HEAD_OF_SERVICE:
        if departement:
            raise Http404
        return Scope("association", association=org.pk, label=str(org))
    if role in (Role.SECRETARIAT, Role.PREFECTURE_AGENT) and org.departement_id:
        if departement and departement != org.departement_id:
            raise Http404
        return Scope("departement", org.departement_id, label=org.departement_id)
    raise Http404


@dataclass
class Table:
    indicator: indicators.Indicator
    rows: list  # [(label, [values…], total)]
    columns: list  # [(code, label)]
    column_totals: list
    total: int | None

    @property
    def chart(self):
        """(label, (value, width %)) per column, from the published column totals only."""
        top = max([v for v in self.column_totals if v] or [1])
        return [
            (label, (v, 0 if v is None else round(100 * v / top)))
            for (_c, label), v in zip(self.columns, self.column_totals, strict=True)
        ]


def count_table(code: str, scope: Scope, start: dt.date, end: dt.date) -> Table:
    ind = indicators.registry()[code]
    atoms = indicators.compute(code, start, end)
    columns = list((ind.categories or {}).items())
    codes = [c for c, _l in columns] or sorted({c for _d, c, _a in atoms})
    if not columns:
        columns = [(c, c) for c in codes]
    names = dict(Departement.objects.values_list("code", "name"))
    if scope.level == "association":
        own = {(d, c, a): n for (d, c, a), n in atoms.items() if a == scope.association}
        pub = secrecy.publish(own, columns=codes)
        row_keys = pub.rows
    else:
        pub = secrecy.publish(atoms, columns=codes)
        row_keys = pub.rows if scope.level == "national" else [d for d in pub.rows if d == scope.departement]
    rows = [
        (f"{names.get(r, r)} ({r})", [pub.cells[(r, c)] for c in codes], pub.row_totals[r]) for r in row_keys
    ]
    if scope.level == "departement":
        column_totals = [v for _l, vals, _t in rows for v in vals] or [0] * len(codes)
        total = rows[0][2] if rows else 0
    else:
        column_totals = [pub.column_totals[c] for c in codes]
        total = pub.total
    return Table(ind, rows, columns, column_totals, total)


def delay_rows(start: dt.date, end: dt.date) -> list:
    limit = secrecy.threshold()
    out = []
    for code, ind in indicators.registry().items():
        if ind.unit == indicators.DAYS:
            out.append((ind, indicators.summarise(indicators.compute(code, start, end), limit)))
    return out


def tables(scope: Scope, start: dt.date, end: dt.date) -> list[Table]:
    return [
        count_table(code, scope, start, end)
        for code, ind in indicators.registry().items()
        if ind.unit == indicators.COUNT and scope.level in ind.levels
    ]


def national_series(today: dt.date) -> list:
    """The official shape: people in a pathway on 31 December of each year since 2017 (national total,
    suppressed), AFIS recipients, refusal rate of first requests, commissions that met."""
    out = []
    for year in range(2017, today.year + 1):
        start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)
        active = secrecy.publish(indicators.compute("active", start, end)).total
        afis = secrecy.publish(indicators.compute("afis", start, end)).total
        first = secrecy.publish(indicators.compute("first_decisions", start, end))
        refused, decided = first.column_totals.get("refused"), first.total
        rate = None if refused is None or not decided else round(100 * refused / decided)
        met = indicators.commissions_met(start, end)
        out.append((year, active, afis, rate, met.get("met", 0), met.get("not_met", 0)))
    return out
