"""Counts for the statistics page, under statistical secrecy (no count from 1 to the threshold can be read
or recomputed, by any reader or any coalition of readers who put together what they know).

The rule followed is the secret statistique of the French public statistics system (loi n° 51-711 du
7 juin 1951, art. 6: no publication that lets a person be identified, directly or indirectly) in its usual
form for tables about persons: a cell counting fewer than 11 people (1 to 10, the "petits effectifs" rule,
e.g. of the national health data system) is not published (primary suppression), and further cells are
hidden (secondary suppression) so that no hidden cell can be recomputed from the totals, the margins or
another published table. The threshold can be raised by a setting, never lowered. (The threshold of 11 is
taken from that practice; no text fixing it for this pathway has been read.)

How it is made consistent across levels and roles (issue 7, finding 6):
- There is ONE table: active pathways per département, with the national total, suppressed once
  (`national_table`). Every reader's table is a selection of its rows (`table_for`): the national
  administration reads all of them, a secretariat or a préfecture the row of its département, a head of
  service the rows of the départements where her association has pathways. A cell hidden in one table is
  hidden in all of them and a published cell has the same value everywhere; a reader's total is the sum of
  the published rows it shows, or hidden as soon as one of them is.

Why it holds against any coalition of insiders (review of issue 7, B4):
the readers are also insiders. A département's secretariat and préfecture know every count of their
département (they handle every request there); an association knows its own count in each département. Any
number of them may put together what they know (two secretariats, an association and another département's
préfecture, or all of them). The rule:
  (1) a département is published only if each association's count there is 0 or more than the threshold;
  (2) the national total is published only if no département is hidden.
Proof. Every published number is a published département count or a sum of them (the national total is,
by (2), the sum of all the rows; a reader's total, the sum of her rows). So a hidden département appears in
no published number and nothing about it can be computed; and the only published equation about the
associations' counts in a published département is "their sum is the published count". A coalition that
knows some of these counts learns only the sum of the others: a sum of counts each above the threshold by
(1), so 0 or above it; and one association's count only when it is the last one unknown there, so above
the threshold. Hence no coalition, of any size, can compute a count from 1 to the threshold that it did not
know: not a département, not an association's count, not the rest of a département. (1) is also necessary:
with counts 30 and 6, the association with 30 reads the 6. (2) is necessary against coalitions: with
Gard 5, Hérault 6, Bouches-du-Rhône 7 hidden and Paris 50 published, a total of 68 lets the Gard and
Hérault secretariats together compute 68 − 50 − 5 − 6 = 7; no secondary suppression can prevent it, since
the secretariats of all the other départements together know every other count.
What it does not protect: the fact that a département is hidden tells that one association there counts
1 to the threshold (or that the département does); bounds (a published 25 made of two counts above 10
puts each between 11 and 14); and the national total is hidden as soon as one département is.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q

from parcours.accounts.roles import Role
from parcours.core.models import Departement

from . import rules
from .models import Pathway

MIN_THRESHOLD = 10


def threshold() -> int:
    return max(MIN_THRESHOLD, getattr(settings, "PARCOURS_SMALL_CELL_THRESHOLD", MIN_THRESHOLD))


@dataclass
class Cell:
    label: str
    value: int | None  # None: suppressed


@dataclass(frozen=True)
class NationalTable:
    """The one suppressed table: département code → published count or None (hidden); the total likewise."""

    cells: dict[str, int | None]
    total: int | None


def _small(n: int, limit: int) -> bool:
    return 0 < n <= limit


def national_table(counts: dict[tuple[str, int], int], limit: int | None = None) -> NationalTable:
    """Suppress the table of `counts` ((département code, association id) → number of people).

    A département is hidden when one association's count there is from 1 to `limit` (which covers a
    département counting 1 to `limit` people); the national total when a département is hidden or when it
    is from 1 to `limit` itself. See the module's docstring for why this is safe against any coalition."""
    limit = threshold() if limit is None else limit
    by_dep: dict[str, int] = defaultdict(int)
    hidden: set[str] = set()
    for (dep, _assoc), n in counts.items():
        if n <= 0:
            continue
        by_dep[dep] += n
        if _small(n, limit):
            hidden.add(dep)
    total = sum(by_dep.values())
    total_published = not hidden and not _small(total, limit)
    cells = {d: (None if d in hidden else n) for d, n in sorted(by_dep.items())}
    return NationalTable(cells, total if total_published else None)


def table_for(table: NationalTable, departements: list[str] | None) -> tuple[list[str], int | None]:
    """The rows a reader sees (None: all) and her total: the national total for all rows, otherwise the
    sum of the rows shown when all are published (it tells nothing more), else hidden."""
    if departements is None:
        return list(table.cells), table.total
    codes = [d for d in sorted(set(departements)) if d in table.cells]
    values = [table.cells[d] for d in codes]
    return codes, (None if any(v is None for v in values) else sum(values))


def _running(today: dt.date):
    return Q(periods__start__lte=today, periods__end__gte=today) & ~Q(status=rules.PathwayStatus.EXITED)


def counts_on(today: dt.date) -> dict[tuple[str, int], int]:
    rows = (
        Pathway.objects.filter(_running(today))
        .values("departement_id", "association_id")
        .annotate(n=Count("pk", distinct=True))
    )
    return {(r["departement_id"], r["association_id"]): r["n"] for r in rows}


def readable_departements(membership, counts) -> list[str] | None:
    """Which rows of the national table each role reads (None: all of them)."""
    if membership.role == Role.NATIONAL_ADMIN:
        return None
    if membership.role == Role.HEAD_OF_SERVICE:
        return [dep for dep, assoc in counts if assoc == membership.organisation_id]
    return [membership.organisation.departement_id]


def active_by_departement(membership, today: dt.date):
    """Pathways with an authorised period running on `today`, per département: the reader's rows of the one
    suppressed national table, and her total."""
    counts = counts_on(today)
    table = national_table(counts)
    codes, total = table_for(table, readable_departements(membership, counts))
    names = dict(Departement.objects.values_list("code", "name"))
    return [Cell(f"{names[d]} ({d})", table.cells[d]) for d in codes], total


active_by_departement.threshold = threshold
