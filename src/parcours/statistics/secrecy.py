"""Statistical secrecy for every table of the statistics module (docs/decisions/0048-statistics.md).

Rule cited: the secret statistique of the French public statistics system (loi n° 51-711 du 7 juin 1951,
art. 6: no publication may let a person be identified, directly or indirectly), in its usual form for
tables about persons: no count from 1 to the threshold (10; "petits effectifs") is published, totals
included, and further cells are hidden so that no hidden cell can be recomputed. It generalises
parcours.pathway.statistics (one table, proved there against coalitions of insiders) to tables with
rows (départements or one association) and columns (categories: kind, type, reason, gender…).

A table is given as atoms: (row, column, association) → count. The rule:
  (1) primary: a cell (row, column) is hidden when its count, or one association's share of it, is from 1
      to the threshold (an association knows its own share: with 30 = 24 + 6 the one with 24 reads 6);
  (2) row: a row with a hidden cell has ALL its non-zero cells hidden (its total may be published in
      another table, e.g. the people in a pathway in that département: with the whole row hidden, the only
      equation about its hidden cells is "they add up to the total", which fixes none of them when two or
      more are non-zero; when only one is non-zero it carries the row's atoms, so (1) hides the total in
      every table computed from the same atoms);
  (3) totals: a row total, column total or grand total is published only if every cell it adds up is
      published (and then every association's share of it, a sum of shares each 0 or above the threshold,
      is 0 or above it).
Hence every published number is a sum of published cells, a hidden cell appears in no published number of
the table, and the argument of pathway/statistics.py applies to each table: no coalition of readers and
insiders can compute a count from 1 to the threshold it did not know.
Periods: flows (requests, avis, decisions, entries, exits…) are published for calendar years only (the
period grid): two periods a reader can ask for are disjoint or equal, so no difference of two published
periods isolates a part of one. Stocks are counted on a date (31 December of each year, or today).
The national level and every other reader receive only the output of `publish`, never the atoms.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from parcours.pathway.statistics import threshold

HIDDEN = "s"  # what a hidden cell shows, on the page and in every export


def _small(n: int, limit: int) -> bool:
    return 0 < n <= limit


@dataclass
class Published:
    """A suppressed table: every value is an int or None (hidden)."""

    rows: list
    columns: list
    cells: dict = field(default_factory=dict)  # (row, column) -> int | None
    row_totals: dict = field(default_factory=dict)  # row -> int | None
    column_totals: dict = field(default_factory=dict)  # column -> int | None
    total: int | None = None

    def value(self, row, column):
        return self.cells.get((row, column), 0)


def publish(atoms: dict, rows=None, columns=None, limit: int | None = None, force=()) -> Published:
    """Suppress the table of `atoms` ((row, column, association) → count) by rules (1)–(3) above; the rows
    in `force` are hidden whole, zeros included (rule 4 below)."""
    limit = threshold() if limit is None else limit
    counts: dict = defaultdict(int)
    primary: set = set()
    for (row, column, _assoc), n in atoms.items():
        if n <= 0:
            continue
        counts[(row, column)] += n
        if _small(n, limit):
            primary.add((row, column))
    for key, n in counts.items():
        if _small(n, limit):
            primary.add(key)
    rows = sorted({r for r, _c in counts}) if rows is None else list(rows)
    columns = sorted({c for _r, c in counts}) if columns is None else list(columns)
    hidden_rows = {r for r, _c in primary}
    force = set(force)
    rows = rows + sorted(r for r in force if r not in rows)
    table = Published(rows, columns)
    for r in rows:
        for c in columns:
            n = counts.get((r, c), 0)
            table.cells[(r, c)] = None if ((r in hidden_rows and n) or r in force) else n
    for r in rows:
        values = [table.cells[(r, c)] for c in columns]
        table.row_totals[r] = None if None in values else sum(values)
    for c in columns:
        values = [table.cells[(r, c)] for r in rows]
        table.column_totals[c] = None if None in values else sum(values)
    every = list(table.cells.values())
    table.total = None if None in every else sum(every)
    return table


def show(value) -> str:
    return HIDDEN if value is None else str(value)


# --- Rule (4): the stock-and-flow identity between tables ------------------------------------------------
# Per row (a département, or the association's own row) and calendar year, four published tables are tied
# by one equation: people in a pathway at the close of the year (31 December) = at its opening (the close
# of the previous year) + entries − exits (+ periods that lapse or resume after a gap, unpublished; a
# reader may well know they are 0, so the equation is taken as exact). Rules (1)–(3) act on each table
# alone: a département with 50 people on 1 January, 20 entries and 65 on 31 December and its 5 exits
# hidden would give them away (50 + 20 − 65 = 5). Rule (4), on the flows only (stocks keep their own
# suppression, so the chain of years needs no recursion):
#   if one of the four numbers of a row is hidden, a flow (entries or exits) is hidden in that row, and at
#   least two of the four are: no hidden flow → hide the entries; only the entries hidden → hide the exits;
#   only the exits hidden → hide the entries (the whole row of that table, zeros included).
# Why no hidden number can then be computed (a constructive argument, checked by the hypothesis test in
# tests/statistics/test_secrecy.py): the equations a reader has are the published cells and totals, the
# row sums of each table, and one balance equation per row and year. A hidden flow appears in one balance
# equation only (its year's); a hidden stock in two (the year it closes and the year it opens). Take any
# hidden number and add 1 to it (to one of its hidden cells for a row total): every balance equation it
# appears in holds a hidden flow other than it (rule 4), add or subtract 1 there (in one of its hidden cells
# when it is a row of exits by reason); that flow appears in no other equation, and no published total
# contains a hidden cell (rules 2–3). The new numbers satisfy every equation the reader has, so the hidden
# number was not determined. Pairs are: with entries 30 and exits 5 both hidden, a reader learns 30 − 5 =
# 25, not either one.


def hidden_row(table: Published, row) -> bool:
    return row in table.row_totals and table.row_totals[row] is None


def balance_forced(opening: Published, entries: Published, exits: Published, closing: Published):
    """Rule (4): the rows whose entries and whose exits must be hidden as well, (entries rows, exits rows)."""
    force_entries, force_exits = set(), set()
    for row in {*opening.rows, *entries.rows, *exits.rows, *closing.rows}:
        stock = hidden_row(opening, row) or hidden_row(closing, row)
        e, x = hidden_row(entries, row), hidden_row(exits, row)
        if not (stock or e or x):
            continue
        if not (e or x) or (x and not e and not stock):
            force_entries.add(row)
        elif e and not x and not stock:
            force_exits.add(row)
    return force_entries, force_exits
