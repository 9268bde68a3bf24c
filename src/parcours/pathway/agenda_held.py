"""The lines of a session's agenda, rendered once and held in the worker's memory (decision 0061).

A session page's agenda (thirty lines at a full session: each request, its person named or pseudonymised,
the earlier pathways here, recusals, papers, the avis) was most of the page's work (issue 15). The lines
are held under a key that changes, and so computes them again, with:

- the reader: session, membership (pk, role, organisation, user), day, language, and the changes the user
  made in her session;
- the session: pk, version, status, date;
- the agenda as it is now (one query): each item, its position, its request and the request's status, its
  person and her identity index;
- the agenda's people and the people who share their identity index (whose pathways are the « earlier pathways
  here »), each with the stamp of the changes the journal records about her (audit.log.last_change_of): every
  service writes that row, with the person, in the change's transaction (the trust issue; decision 0059). A
  rename, an avis, a recusal, a decision, a transfer, a request moved, a file that starts or stops sharing an
  identity, by anyone, through any page, the API or a job, shows at once;
- for the commission's own readers, the commission's members on the session's date (the recusals; whether
  the composition is known, which shows the vote's fields), read in one statement (`member_rows`);
- HELD_SECONDS at most: what none of these names (an association renamed, a change made in the database
  behind the services) shows within that time.

Held in this process only (core.held), never in Django's cache: the lines carry names. A manager's POST
shown again (an avis refused, with the secretary's input; an edit conflict) renders them from the data and
never holds them; any other view reads them held, whatever its method.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q

from parcours.accounts.middleware import reader
from parcours.audit.log import last_change_rows
from parcours.core.compiled import Listed, Statements, slot
from parcours.core.held import Held
from parcours.core.held import key as held_key

from .history import same_identity
from .models import AgendaItem, CommissionMember

HELD_SECONDS = 300
HELD_AGENDAS = 64  # agendas held per process
_held = Held(HELD_AGENDAS)


@dataclass(frozen=True)
class Lines:
    html: str
    count: int
    partly_pseudonymised: bool  # one person at least shown pseudonymised (the notice above the agenda)


# Both queries of the key, on every view, are compiled once per process (core/compiled.py, decision 0066).
_statements = Statements()


def agenda_state(session) -> tuple[tuple, ...]:
    compiled = _statements.get("agenda", lambda: (
        AgendaItem.objects.filter(session_id=slot("session")).order_by("position", "pk").values(
            "pk", "position", "request_id", "request__status", "request__pathway__person_id",
            "request__pathway__person__identity_index",
        )
    ))  # fmt: skip
    return tuple(tuple(row) for row in compiled.rows(session=session.pk))


def last_changes(state: tuple[tuple, ...]) -> tuple[tuple, ...]:
    """The agenda's people and those who share their identity index now, each with the stamp of the journal's
    changes about her (one query). A file that leaves the set (its name or birth date corrected, anonymised)
    changes the set: its own journal row would no longer be read."""
    if not state:
        return ()
    pks, indexes = sorted({row[4] for row in state}), sorted({row[5] for row in state if row[5]})
    compiled = _statements.get(("changes", bool(indexes)), lambda: last_change_rows(
        same_identity(Listed("pks"), Listed("indexes", text=True) if indexes else ())
    ))  # fmt: skip
    return tuple(tuple(row) for row in compiled.rows(pks=pks, indexes=indexes))


def member_rows(session) -> tuple[tuple, ...]:
    """The members composing the commission on the session's date (`commission.members_on`), as the key
    names them, without loading them (one statement; decision 0067)."""
    compiled = _statements.get("members", lambda: (
        CommissionMember.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=slot("day")), commission_id=slot("commission"),
            appointed_on__lte=slot("day"),
        ).order_by("pk").values_list("pk", "name", "user_id", "association_id", "appointed_on", "ended_on")
    ))  # fmt: skip
    rows = compiled.rows(commission=session.commission_id, day=session.date.isoformat())
    return tuple(tuple(row) for row in rows)


def parts(request, session, today: dt.date, in_commission: bool) -> tuple:
    """The key of the session's agenda lines for the reader, read now (two statements, three for the
    commission's own readers, whose lines show the recusals and the vote's fields)."""
    state = agenda_state(session)
    return (
        *reader(request, today), session.pk, session.version, session.status, session.date.isoformat(),
        state, last_changes(state), member_rows(session) if in_commission else (),
    )  # fmt: skip


def composition(parts_: tuple) -> tuple[tuple, ...]:
    """The members the key `parts_` read (`member_rows`; empty for readers outside the commission)."""
    return parts_[-1]


def forget_lines(parts_: tuple) -> None:
    """Drop the lines held under `parts_` (computed from data that no longer matches them)."""
    _held.discard(held_key(parts_))


def held_lines(parts_: tuple, compute: Callable[[], Lines]) -> Lines:
    """The lines held under `parts_` (read before computing: a change committed meanwhile makes the next
    view compute them again), or `compute()`d and held."""
    return _held.get_or_compute(parts_, compute, HELD_SECONDS)


def remaining(parts_: tuple) -> float:
    """The seconds the lines of `parts_` are still held for: a block built on them is held no longer (the
    held time bounds what the key does not name, whatever holds the lines)."""
    return _held.remaining(held_key(parts_))


def forget() -> None:
    """Drop every held agenda (tests)."""
    _held.clear()
