"""What a programme page and its export show: for each cohort, how many people reached each step (by status)
and each outcome. One function feeds both, so that the page and the spreadsheet cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from .models import EMPLOYMENT_OUTCOMES, Cohort, Outcome, OutcomeKind, StepStatus

OUTCOME_ORDER = list(OutcomeKind)


@dataclass
class StepRow:
    order: int
    label: str
    starts_on: object
    ends_on: object
    done: int
    in_progress: int
    absent: int
    employers: list[str]
    interviews: int | None


@dataclass
class CohortFigures:
    cohort: Cohort
    participants: int
    steps: list[StepRow]
    outcomes: list[tuple[str, int]]  # (label, distinct people), in OutcomeKind order
    employed_total: int  # distinct people hired at once or employed


def cohort_figures(cohort: Cohort) -> CohortFigures:
    steps = cohort.steps.annotate(
        n_done=Count("participations", filter=Q(participations__status=StepStatus.DONE)),
        n_in_progress=Count("participations", filter=Q(participations__status=StepStatus.IN_PROGRESS)),
        n_absent=Count("participations", filter=Q(participations__status=StepStatus.ABSENT)),
    ).prefetch_related("employers")
    rows = [
        StepRow(
            s.order,
            str(s.get_kind_display()),
            s.starts_on,
            s.ends_on,
            s.n_done,
            s.n_in_progress,
            s.n_absent,
            [e.name for e in s.employers.all()],
            s.interviews,
        )
        for s in steps
    ]
    outcomes = Outcome.objects.filter(step__cohort=cohort)
    counts = {
        kind: outcomes.filter(kind=kind).values("participant_id").distinct().count() for kind in OUTCOME_ORDER
    }
    employed = outcomes.filter(kind__in=EMPLOYMENT_OUTCOMES).values("participant_id").distinct().count()
    return CohortFigures(
        cohort,
        cohort.participants.count(),
        rows,
        [(str(kind.label), counts[kind]) for kind in OUTCOME_ORDER],
        employed,
    )
