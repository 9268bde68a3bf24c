"""Counts for the statistics page, under statistical secrecy (no count from 1 to the threshold can be read
or recomputed, by any reader or any two readers together).

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
- The readers are also insiders: a département's secretariat and préfecture know its count (they handle every
  request there), and an association knows its own count in each département. So a published département
  count is hidden when one association's share leaves 1 to 10 people to the others (they would read the rest
  by difference), and the national total is published only when, for the public and for every insider, at
  least two hidden départements it does not already know remain and their sum is not from 1 to 10 (otherwise
  the total minus the published cells would isolate one of them, e.g. total 22, Gard 12 known to the Gard
  secretariat, Bouches-du-Rhône 10). Secondary cells are the smallest published counts, and failing them,
  the total is hidden.
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

    Published: each département's count and the national total. Known to insiders without any publication:
    a département's count (its secretariat and préfecture), an association's count in each département (and
    so the département's count where she is alone)."""
    limit = threshold() if limit is None else limit
    by_dep: dict[str, int] = defaultdict(int)
    shares: dict[str, list[int]] = defaultdict(list)
    by_assoc: dict[int, set[str]] = defaultdict(set)
    for (dep, assoc), n in counts.items():
        if n <= 0:
            continue
        by_dep[dep] += n
        shares[dep].append(n)
        by_assoc[assoc].add(dep)
    # Primary suppression: 1 to `limit` people, or an association's share leaving 1 to `limit` to the others.
    hidden = {
        d
        for d, n in by_dep.items()
        if _small(n, limit) or any(_small(n - share, limit) for share in shares[d])
    }
    # What each insider knows of the départements' counts: her own département; an association, the
    # départements where she is alone. The public knows nothing.
    insiders = [frozenset()] + [frozenset({d}) for d in by_dep]
    insiders += [frozenset(d for d in deps if len(shares[d]) == 1) for deps in by_assoc.values()]
    total = sum(by_dep.values())
    total_published = not _small(total, limit)
    # Secondary suppression against the total: total − published cells = sum of the hidden cells.
    while total_published and hidden:
        unsafe = [
            k for k in insiders if len(hidden - k) == 1 or _small(sum(by_dep[d] for d in hidden - k), limit)
        ]
        if not unsafe:
            break
        known = unsafe[0]
        candidates = sorted((n, d) for d, n in by_dep.items() if d not in hidden and d not in known)
        if candidates:
            hidden.add(candidates[0][1])
        else:
            total_published = False
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
