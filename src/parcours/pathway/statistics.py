"""Counts for the statistics page, with small cells suppressed (no published count from 1 to the threshold).

French rules on social statistics forbid publishing counts on 10 people or fewer; the threshold can be
raised by a setting, never lowered. When a single cell is hidden, a second one is hidden too (secondary
suppression) so that the total does not give it away.
"""

import datetime as dt
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


def suppress(counts: list[tuple[str, int]]) -> tuple[list[Cell], int | None]:
    limit = threshold()
    cells = [Cell(label, None if 0 < n <= limit else n) for label, n in counts]
    hidden = [c for c in cells if c.value is None]
    if len(hidden) == 1:
        visible = sorted((c for c in cells if c.value), key=lambda c: c.value)
        if visible:
            visible[0].value = None
        else:
            return cells, None
    total = sum(n for _label, n in counts)
    return cells, (None if 0 < total <= limit else total)


def _scope(membership):
    """What each role may count: the State sees the country, others their own perimeter."""
    qs = Pathway.objects.all()
    if membership.role == Role.NATIONAL_ADMIN:
        return qs
    if membership.role == Role.HEAD_OF_SERVICE:
        return qs.filter(association_id=membership.organisation_id)
    return qs.filter(departement_id=membership.organisation.departement_id)


def active_by_departement(membership, today: dt.date):
    """Pathways with an authorised period running on `today`, per département."""
    running = Q(periods__start__lte=today, periods__end__gte=today) & ~Q(status=rules.PathwayStatus.EXITED)
    rows = (
        _scope(membership)
        .filter(running)
        .values("departement_id")
        .annotate(n=Count("pk", distinct=True))
        .order_by("departement_id")
    )
    names = dict(Departement.objects.values_list("code", "name"))
    return suppress([(f"{names[r['departement_id']]} ({r['departement_id']})", r["n"]) for r in rows])


active_by_departement.threshold = threshold
