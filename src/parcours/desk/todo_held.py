"""The association's to-do page, computed once and held a few minutes in the worker's memory (issue 15,
docs/decisions/0057-todo-held-in-memory.md).

Computing the page reads a few hundred pathways, files and people and applies the deadline rules to each:
about 100 ms of Python a view in the largest association, for a page its user reloads all day. The computed
parts (everything but the transfers, which are read on every view) are rendered once and held:

- under the session, the membership (role and association), the day, the language, the page's options
  (« Toute l'association », « Voir tout »), the number of changes the user has made in her session
  (accounts.middleware.ChangesStampMiddleware) and the last step recorded on the association's pathways
  (`last_step`): her own changes, and every step of a request or a pathway by anyone (the head of
  service's validation, the commission's avis, the préfet's decision), show at once;
- HELD_SECONDS at most: a colleague's change on the rights, the plan, the documents or the appointments
  shows within that time, or at once with « Actualiser maintenant »;
- only while the people it names are, on every view, still visible to her and as they were rendered: a
  person transferred, archived, anonymised, renamed or given another referent since is never shown from
  memory (the page is then computed again).

Held in this process only (core.held), never in Django's cache: the rendered lines carry names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from parcours.accounts.middleware import reader
from parcours.accounts.policy import scope_key
from parcours.core.compiled import Listed, Statements, slot
from parcours.core.held import Held
from parcours.core.held import key as held_key
from parcours.pathway.models import StepCounter
from parcours.people.models import Person

HELD_SECONDS = 300
HELD_PAGES = 64  # pages held per process (a few dozen users)
_held = Held(HELD_PAGES)
_statements = Statements()


STATE = ("id", "version", "referent_id", "archived_on", "anonymised_on")  # what a person's line depends on


@dataclass(frozen=True)
class HeldPage:
    parts: dict[str, str]  # the rendered parts of the page, by name
    people: tuple[tuple, ...]  # the state (STATE) of the people they name, in pk order
    computed_at: dt.datetime


def key(request, today: dt.date, *options) -> str:
    return held_key((*reader(request, today), last_step(request.membership), *options))


def last_step(membership) -> int:
    """How many steps were recorded on the association's pathways (pathway.models.StepCounter, counted by
    every transition in its transaction): a request opened, submitted, validated, sent back, transmitted,
    scheduled, an avis, a decision, a lapse, an exit, by anyone, changes it. Read before the page is
    computed: a step committed meanwhile makes the next view compute it again. One read by primary key."""
    compiled = _statements.get("steps", lambda: StepCounter.objects.filter(pk=slot("org")).values("steps"))
    found = compiled.first(org=membership.organisation_id)
    return found[0] if found else 0


def current_state(membership, pks) -> tuple[tuple, ...]:
    """The state of these people as the membership may see them now (fewer rows if some left her sight), in
    pk order. One statement compiled per membership (core/compiled.py), the pks bound as one list."""
    if not pks:
        return ()
    compiled = _statements.get(
        ("state", scope_key(membership)),
        lambda: (
            Person.objects.visible_to(membership)
            .filter(pk__any_of=Listed("pks"))
            .order_by("pk")
            .values(*STATE)
        ),
    )
    if compiled is None:  # she may see nobody
        return ()
    return tuple(_comparable(row) for row in compiled.rows(pks=pks))


def rendered_state(people) -> tuple[tuple, ...]:
    """The state of the people as the page read them (the instances it rendered)."""
    return tuple(sorted({_comparable(tuple(getattr(p, field) for field in STATE)) for p in people}))


def _comparable(row: tuple) -> tuple:
    """Dates as ISO text, whichever way a row was read (a model instance, a compiled statement's cursor)."""
    return tuple(v.isoformat() if isinstance(v, dt.date) else v for v in row)


def get(key_: str, membership) -> HeldPage | None:
    page = _held.get(key_)
    if page is None:
        return None
    if current_state(membership, [row[0] for row in page.people]) != page.people:
        _held.discard(key_)
        return None
    return page


def hold(key_: str, membership, parts: dict[str, str], people, computed_at: dt.datetime) -> HeldPage:
    """Hold the rendered parts, unless one of the people they name changed while they were computed (then
    they are shown this once and computed again next time)."""
    page = HeldPage(parts, rendered_state(people), computed_at)
    if current_state(membership, [row[0] for row in page.people]) == page.people:
        _held.put(key_, page, HELD_SECONDS)
    return page


def forget() -> None:
    """Drop every held page (tests)."""
    _held.clear()
