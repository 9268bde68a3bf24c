"""Earlier pathways of the same person, found through her own file and through the blind index
(people.models.identity_index) without revealing who she is.

- Elsewhere: the commission learns only in which départements, and that it is to confirm (the index is
  truncated, so two different people may share it).
- Here (same département): the association, the commission and the préfet learn each earlier pathway, its
  dates and the months it used (rules.CAP_PER_PATHWAY: they are not deducted from the new pathway's cap, but
  whoever gives the avis or decides must know them). The association sees only the pathways of its own file;
  the commission and the préfecture also see those matched by the index, marked « à confirmer ».
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q

from parcours.core import clock
from parcours.core.compiled import Listed
from parcours.people.models import Person

from . import rules
from .models import Pathway


def departements_of_earlier_pathways(pathway: Pathway) -> list[str]:
    index = pathway.person.identity_index
    if not index:
        return []
    names = (
        Pathway.objects.filter(person__identity_index=index)
        .exclude(pk=pathway.pk)
        .exclude(departement_id=pathway.departement_id)
        .values_list("departement__name", "departement_id")
        .distinct()
    )
    return sorted(f"{name} ({code})" for name, code in names)


@dataclass(frozen=True)
class EarlierPathway:
    reference: str
    start: dt.date
    end: dt.date  # the exit date, or the end of its last period
    months_used: int
    exit_reason: str  # label, "" when not exited
    same_file: bool  # False: matched by the identity index only, to confirm

    @property
    def to_confirm(self) -> bool:
        return not self.same_file


def earlier_pathways_here(
    pathway: Pathway, *, include_index_matches: bool, today: dt.date | None = None
) -> list[EarlierPathway]:
    """Authorised pathways of the same person in the same département, opened before `pathway`."""
    today = today or clock.today()
    same = Q(person_id=pathway.person_id)
    index = pathway.person.identity_index
    if include_index_matches and index:
        same |= Q(person__identity_index=index)
    found = (
        Pathway.objects.filter(same, departement_id=pathway.departement_id, created_at__lt=pathway.created_at)
        .exclude(pk=pathway.pk)
        .filter(periods__isnull=False)
        .distinct()
        .select_related("exit")
        .prefetch_related("periods")
        .order_by("created_at", "pk")
    )
    return [e for e in (describe(p, p.person_id == pathway.person_id, today) for p in found) if e]


def same_identity(person_ids, indexes):
    """The people `person_ids` and those whose identity index is one of `indexes` (empty ones ignored): whose
    pathways are « earlier pathways here » (the session's held agenda keys on them too, decision 0061). Either
    may be a `Listed` of a statement compiled once (agenda_held)."""
    # A Listed is bound at each execution (core/compiled.py).
    same = Q(pk__any_of=person_ids) if isinstance(person_ids, Listed) else Q(pk__in=set(person_ids))
    if isinstance(indexes, Listed):
        same |= Q(identity_index__any_of=indexes)
    else:
        indexes = {index for index in indexes if index}
        if indexes:
            same |= Q(identity_index__in=indexes)
    return Person.objects.filter(same)


def earlier_pathways_here_many(
    pathways: list[Pathway], *, include_index_matches: bool, today: dt.date | None = None
) -> dict[int, list[EarlierPathway]]:
    """earlier_pathways_here for several pathways (a session's agenda) in two queries whatever their number
    (issue 15): the candidates of all of them, then each one's own, chosen in Python by the same rule."""
    today = today or clock.today()
    if not pathways:
        return {}
    indexes = {p.person.identity_index for p in pathways if include_index_matches}
    # The people first, by their two indexes: an OR across the join read all the people (issue 15).
    people = same_identity({p.person_id for p in pathways}, indexes).values("pk")
    candidates = list(
        Pathway.objects.filter(person_id__in=people, departement_id__in={p.departement_id for p in pathways})
        .filter(periods__isnull=False)
        .distinct()
        .annotate(person_index=F("person__identity_index"))
        .select_related("exit")
        .prefetch_related("periods")
        .order_by("created_at", "pk")
    )
    found = {}
    for pathway in pathways:
        index = pathway.person.identity_index if include_index_matches else ""
        found[pathway.pk] = [
            e
            for e in (
                describe(c, c.person_id == pathway.person_id, today)
                for c in candidates
                if c.pk != pathway.pk
                and c.departement_id == pathway.departement_id
                and c.created_at < pathway.created_at
                and (c.person_id == pathway.person_id or (index and c.person_index == index))
            )
            if e
        ]
    return found


def describe(pathway: Pathway, same_file: bool, today: dt.date) -> EarlierPathway | None:
    """What the commission is told of an earlier pathway; None if it was never authorised."""
    from .deadlines import months_elapsed

    periods = sorted(pathway.periods.all(), key=lambda p: p.number)
    if not periods:
        return None
    exit_ = getattr(pathway, "exit", None)  # a missing reverse one-to-one is an AttributeError
    return EarlierPathway(
        reference=pathway.reference,
        start=periods[0].start,
        end=exit_.date if exit_ else periods[-1].end,
        months_used=months_elapsed(periods, today),
        exit_reason=str(rules.ExitReason(exit_.reason).label) if exit_ else "",
        same_file=same_file,
    )


def months_used_before(earlier: list[EarlierPathway]) -> int:
    return sum(e.months_used for e in earlier)
