"""The employment figures of an association for a year or any period, for the funders' reports (issue 12
item 6): counts only, never a person. Every count is of distinct people of the association
(`Person.association`), in the year (or the period):

- `projects`: people with a professional project written on or before 31 December (a version saved by then);
- `participants`: people enrolled in a cohort of its programmes that has a step in the year;
- `placements`: people employed by an outcome dated in the year (hired at once, or employed);
- `hired_at_once`, `in_training`, `dropped_out`, `waiting`: people with an outcome of that kind in the year;
- `supports_granted`: supports granted (decision dated in the year), counted as rows, not people;
- `agreement_people`: people supported under an agreement for at least one day of the year.
"""

from __future__ import annotations

import datetime as dt

from parcours.core import clock

from .models import EMPLOYMENT_OUTCOMES, Enrolment, Outcome, OutcomeKind, Participant, ProjectVersion, Support


def _people(queryset) -> int:
    return queryset.values("person_id").distinct().count()


def year_figures(organisation, year: int) -> dict[str, int]:
    return period_figures(organisation, dt.date(year, 1, 1), dt.date(year, 12, 31))


def period_figures(organisation, first: dt.date, last: dt.date) -> dict[str, int]:
    """The same counts over any period, both days included (a grant runs from 1 July to 31 December of the
    next year: parcours.funding.indicators)."""
    after_last = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=clock.PARIS)
    own = {"person__association": organisation}
    outcomes = Outcome.objects.filter(
        participant__person__association=organisation,
        on__gte=first,
        on__lte=last,
        step__cohort__programme__association=organisation,
    )

    def outcome_people(*kinds) -> int:
        return outcomes.filter(kind__in=kinds).values("participant__person_id").distinct().count()

    return {
        "projects": _people(ProjectVersion.objects.filter(created_at__lt=after_last, **own)),
        "participants": _people(
            Participant.objects.filter(
                cohort__programme__association=organisation,
                cohort__steps__starts_on__gte=first,
                cohort__steps__starts_on__lte=last,
                **own,
            )
        ),
        "placements": outcome_people(*EMPLOYMENT_OUTCOMES),
        "hired_at_once": outcome_people(OutcomeKind.HIRED_AT_ONCE),
        "in_training": outcome_people(OutcomeKind.IN_TRAINING),
        "dropped_out": outcome_people(OutcomeKind.DROPPED_OUT),
        "waiting": outcome_people(OutcomeKind.WAITING),
        "supports_granted": Support.objects.filter(
            status="granted", decided_on__gte=first, decided_on__lte=last, **own
        ).count(),
        "agreement_people": _people(
            Enrolment.objects.filter(
                agreement__association=organisation, starts_on__lte=last, ends_on__gte=first, **own
            )
        ),
    }
