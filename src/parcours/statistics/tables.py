"""The reader's tables: indicators computed, suppressed (secrecy.publish) and cut to what the role reads.

Levels: the national administration reads every département row of the one suppressed national table; a
secretariat or a préfecture, the row of its département of that same table (same values, same hidden
cells); a head of service, her association's own counts, suppressed by the same rule. Delays are national
only (summaries over more than the threshold of durations)."""

import datetime as dt
from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

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
    def has_total(self) -> bool:
        """False for the balance table: its four numbers are of different kinds and do not add up."""
        return self.indicator.code != "balance"

    @property
    def chart(self):
        """(label, (value, width %)) per column, from the published column totals only."""
        top = max([v for v in self.column_totals if v] or [1])
        return [
            (label, (v, max(1, round(100 * v / top)) if v else 0))
            for (_c, label), v in zip(self.columns, self.column_totals, strict=True)
        ]


def _atoms(code: str, scope: Scope, start: dt.date, end: dt.date) -> dict:
    atoms = indicators.compute(code, start, end)
    if scope.level == "association":
        return {(d, c, a): n for (d, c, a), n in atoms.items() if a == scope.association}
    return atoms


def _codes(code: str, atoms: dict) -> list:
    ind = indicators.registry()[code]
    return list(ind.categories or {}) or sorted({c for _d, c, _a in atoms})


def _previous_year(start: dt.date):
    return dt.date(start.year - 1, 1, 1), dt.date(start.year - 1, 12, 31)


def balance_tables(scope: Scope, start: dt.date, end: dt.date) -> dict:
    """The four tables tied by the stock-and-flow identity, suppressed by rules (1)–(4) (secrecy.py):
    people in a pathway at the opening of the year (the close of the previous one), entries, exits by
    reason, people in a pathway at its close."""
    atoms = {
        "opening": _atoms("active", scope, *_previous_year(start)),
        "entries": _atoms("entries", scope, start, end),
        "exits": _atoms("exits", scope, start, end),
        "closing": _atoms("active", scope, start, end),
    }
    code_of = {"opening": "active", "entries": "entries", "exits": "exits", "closing": "active"}
    first = {k: secrecy.publish(a, columns=_codes(code_of[k], a)) for k, a in atoms.items()}
    force_entries, force_exits = secrecy.balance_forced(
        first["opening"], first["entries"], first["exits"], first["closing"]
    )
    return first | {
        "entries": secrecy.publish(
            atoms["entries"], columns=_codes("entries", atoms["entries"]), force=force_entries
        ),
        "exits": secrecy.publish(atoms["exits"], columns=_codes("exits", atoms["exits"]), force=force_exits),
        FORCED_EXITS: force_exits,
    }


# The exits again, by another category: each row's total is the exits table's row total, so a row whose
# exits rule (4) hides is hidden whole in them too (else its total, published here, would undo rule (4)).
EXIT_BREAKDOWNS = ("exit_housing", "exit_activity", "exit_duration")
FORCED_EXITS = "forced_exits"


def _published(code: str, scope: Scope, start: dt.date, end: dt.date, balance=None) -> secrecy.Published:
    if code in ("entries", "exits"):
        return (balance or balance_tables(scope, start, end))[code]
    atoms = _atoms(code, scope, start, end)
    if code in EXIT_BREAKDOWNS:
        force = (balance or balance_tables(scope, start, end))[FORCED_EXITS]
        return secrecy.publish(atoms, columns=_codes(code, atoms), force=force)
    return secrecy.publish(atoms, columns=_codes(code, atoms))


def _cut(ind, pub: secrecy.Published, scope: Scope, columns: list) -> Table:
    """The reader's rows of a suppressed table (the national table's row for a département)."""
    codes = [c for c, _l in columns]
    names = dict(Departement.objects.values_list("code", "name"))
    row_keys = pub.rows if scope.level != "departement" else [d for d in pub.rows if d == scope.departement]
    rows = [
        (f"{names.get(r, r)} ({r})", [pub.cells.get((r, c), 0) for c in codes], pub.row_totals[r])
        for r in row_keys
    ]
    if scope.level == "departement":
        column_totals = [v for _l, vals, _t in rows for v in vals] or [0] * len(codes)
        total = rows[0][2] if rows else 0
    else:
        column_totals = [pub.column_totals.get(c, 0) for c in codes]
        total = pub.total
    return Table(ind, rows, columns, column_totals, total)


def count_table(code: str, scope: Scope, start: dt.date, end: dt.date, balance=None) -> Table:
    ind = indicators.registry()[code]
    pub = _published(code, scope, start, end, balance)
    columns = list((ind.categories or {}).items()) or [(c, c) for c in pub.columns]
    return _cut(ind, pub, scope, columns)


BALANCE = indicators.Indicator(
    "balance",
    _l("Entrées, sorties et personnes en parcours"),
    _l(
        "Personnes en parcours à l'ouverture de l'année (au 31 décembre précédent), entrées et sorties "
        "de l'année, personnes en parcours à sa clôture (31 décembre, ou aujourd'hui pour l'année en "
        "cours). Les cases sont masquées de sorte qu'aucune ne se déduise des trois autres."
    ),
    indicators.COUNT,
    "parcours.pathway Pathway, Period, Exit",
    balance_tables,
    {
        "opening": _l("Au 1er janvier"),
        "entries": _l("Entrées"),
        "exits": _l("Sorties"),
        "closing": _l("Au 31 décembre"),
    },
)


def balance_table(scope: Scope, start: dt.date, end: dt.date, balance=None) -> Table:
    """One table of the four numbers per row, each the row total of its own suppressed table."""
    balance = balance or balance_tables(scope, start, end)
    keys = list(BALANCE.categories)
    rows = sorted({r for k in keys for r in balance[k].rows})
    pub = secrecy.Published(rows, keys)
    for r in rows:
        for k in keys:
            pub.cells[(r, k)] = balance[k].row_totals.get(r, 0)
        pub.row_totals[r] = None  # four numbers of different kinds: no row total
    for k in keys:
        pub.column_totals[k] = balance[k].total
    pub.total = None
    table = _cut(BALANCE, pub, scope, list(BALANCE.categories.items()))
    table.rows = [(label, values, "") for label, values, _t in table.rows]
    table.total = ""
    return table


@dataclass
class DelayTable:
    indicator: indicators.Indicator
    rows: list  # [(label, {"n", "median", "p90"})], each None when hidden


def _summary(values: list[int], n) -> dict:
    """Median and 90th percentile of a cell whose count of durations `n` is published (None: hidden)."""
    if n is None:
        return {"n": None, "median": None, "p90": None}
    return indicators.summarise(values, secrecy.threshold()) | {"n": n}


def delay_rows(scope: Scope, start: dt.date, end: dt.date) -> list[DelayTable]:
    """Median and 90th percentile of each delay, per département (and for the country at the national
    level). The number of durations of a cell is a count of requests: it is suppressed by secrecy.publish
    like any count (an association's share of 1 to 10 hides the cell, and the national count is hidden as
    soon as one département is), and a median or a percentile is shown only over a published count."""
    names = dict(Departement.objects.values_list("code", "name"))
    out = []
    for code, ind in indicators.registry().items():
        if ind.unit != indicators.DAYS:
            continue
        cells = indicators.compute(code, start, end)
        if scope.level == "association":
            cells = {k: v for k, v in cells.items() if k[1] == scope.association}
        atoms = {(dep, "n", assoc): len(values) for (dep, assoc), values in cells.items()}
        pub = secrecy.publish(atoms, columns=["n"])
        deps = pub.rows if scope.level != "departement" else [d for d in pub.rows if d == scope.departement]
        rows = [
            (f"{names.get(d, d)} ({d})", _summary(indicators.durations(cells, d), pub.cells[(d, "n")]))
            for d in deps
        ]
        if scope.level == "national":  # the median over the country even when its count is hidden
            summary = indicators.summarise(indicators.durations(cells), secrecy.threshold())
            rows.append((_("France entière"), summary | {"n": pub.total}))
        out.append(DelayTable(ind, rows))
    return out


def tables(scope: Scope, start: dt.date, end: dt.date) -> list[Table]:
    balance = balance_tables(scope, start, end)
    out = [balance_table(scope, start, end, balance)]
    return out + [
        count_table(code, scope, start, end, balance)
        for code, ind in indicators.registry().items()
        if ind.unit == indicators.COUNT and scope.level in ind.levels
    ]


def national_series(today: dt.date) -> list:
    """The official shape: people in a pathway on 31 December of each year since 2017 (national total,
    suppressed), AFIS recipients, refusal rate of first requests, commissions that met. Each indicator is
    computed for every year in one query (indicators.compute_many)."""
    years = list(range(2017, today.year + 1))
    periods = [(dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)) for year in years]
    active = indicators.compute_many("active", periods)
    afis = indicators.compute_many("afis", periods)
    first = indicators.compute_many("first_decisions", periods)
    met = indicators.commissions_met_by_period(periods)
    out = []
    for i, year in enumerate(years):
        decisions = secrecy.publish(first[i])
        refused, decided = decisions.column_totals.get("refused"), decisions.total
        rate = None if refused is None or not decided else round(100 * refused / decided)
        out.append(
            (
                year,
                secrecy.publish(active[i]).total,
                secrecy.publish(afis[i]).total,
                rate,
                met[i].get("met", 0),
                met[i].get("not_met", 0),
            )
        )
    return out
