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


def publish(atoms: dict, rows=None, columns=None, limit: int | None = None) -> Published:
    """Suppress the table of `atoms` ((row, column, association) → count) by rules (1)–(3) above."""
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
    table = Published(rows, columns)
    for r in rows:
        for c in columns:
            n = counts.get((r, c), 0)
            table.cells[(r, c)] = None if (r in hidden_rows and n) else n
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
