"""A session's page, its whole main block rendered once and held in the worker's memory (issue 15, decision
0067).

The agenda's lines are held since decision 0061 (pathway/agenda_held.py); the rest of the page (the waiting
requests with their people's names decrypted, the convocation, the quorum, the details form, the
confirmations: 43 % of the view once the lines were held) is held with them, under the lines' key and:

- the page's parameters (« Voir toutes » the waiting requests);
- the session as read for the page (version, status, date, the session it reconvenes and the one that
  reconvenes it): its place and members present change through `transitions.update_session`, which raises
  its version;
- for a secretary, **the requests waiting for a session as she may see them now** (one statement): their
  kinds, dates, pathways and **their people's names as stored**, encrypted: a name corrected gives another
  ciphertext;
- the latest convocation and the attendance recorded (one statement each): a convocation sent, attendance
  recorded again;
- agenda_held.HELD_SECONDS at most, and no longer than the lines it shows are held: a block built on
  lines held earlier leaves with them.

Every statement of the key is compiled once per reader's scope (core/compiled.py). The forms' CSRF tokens
are not held: the block is rendered with `core.held.CSRF_SLOT` and each response gets its own token
(`core.held.with_csrf`). Held in this process only (core.held), never in Django's cache: the block carries
names. A manager's POST shown again (an avis refused, an edit conflict) renders it from the data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Window

from parcours.accounts.policy import scope_key
from parcours.core.compiled import Statements, row_key, slot
from parcours.core.held import Held
from parcours.core.held import key as held_key

from . import agenda_held, rules
from .models import Attendance, CommissionSession, Convocation, PathwayRequest

HELD_PAGES = 64  # pages held per process
_held = Held(HELD_PAGES)
_statements = Statements()

WAITING_SHOWN = 20  # requests waiting to be scheduled shown on a session's page; « Voir toutes » shows all
WAITING_FIELDS = ("kind", "submitted_on", "pathway__departement_id", "pathway__person__first_name",
                  "pathway__person__last_name")  # fmt: skip


@dataclass(frozen=True)
class Reconvened:
    pk: int
    date: dt.date


@dataclass(frozen=True)
class SessionRow:
    """What the key reads of a session (the page loads the session itself only to compute its block)."""

    pk: int
    commission_id: int
    date: dt.date
    status: str
    version: int
    reconvenes_id: int | None
    reconvened_as: Reconvened | None


def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)  # SQLite: ISO text


def row(membership, pk: int) -> SessionRow | None:
    """The session `pk` as the reader may see it now (the visibility rule, in one statement compiled once
    per reader's scope), or None."""
    if not row_key(pk):
        return None
    compiled = _statements.get(("session", scope_key(membership)), lambda: (
        CommissionSession.objects.visible_to(membership).filter(pk=slot("pk")).values_list(
            "pk", "commission_id", "date", "status", "version", "reconvenes_id", "reconvened_as__pk",
            "reconvened_as__date",
        )
    ))  # fmt: skip
    found = None if compiled is None else compiled.first(pk=pk)
    if found is None:
        return None
    pk, commission_id, date, status, version, reconvenes_id, reconvened_pk, reconvened_date = found
    reconvened = Reconvened(reconvened_pk, _day(reconvened_date)) if reconvened_pk else None
    return SessionRow(pk, commission_id, _day(date), status, version, reconvenes_id, reconvened)


def waiting(membership, commission_id: int, everything: bool):
    """The requests waiting for a session of the commission, oldest first, as `membership` may see them, each
    with their number (`waiting_total`, a window over every row counted before the limit): WAITING_SHOWN of
    them unless `everything`. Only what a line shows: every other field of the person is encrypted and
    would be decrypted."""
    requests = (
        PathwayRequest.objects.visible_to(membership)
        .filter(status=rules.RequestStatus.SUBMITTED, commission_id=commission_id)
        .select_related("pathway__person")
        .only(*WAITING_FIELDS)
        .order_by("submitted_on", "pk")
        .annotate(waiting_total=Window(Count("pk")))
    )
    return requests if everything else requests[:WAITING_SHOWN]


def _state(request, session, manage: bool, everything: bool) -> tuple:
    """What the page shows beyond the lines, as it is now (three statements for a secretary, else two)."""
    m = request.membership
    rows = ()
    if manage:

        def build():
            rows = waiting(m, slot("commission"), True).values_list("pk", *WAITING_FIELDS, "waiting_total")
            return rows if everything else rows[:WAITING_SHOWN]

        compiled = _statements.get(("waiting", scope_key(m), everything), build)
        rows = () if compiled is None else tuple(compiled.rows(commission=session.commission_id))
    convocation = _statements.get("convocation", lambda: (
        Convocation.objects.filter(session_id=slot("session")).order_by("-sent_at", "-pk")
        .values_list("pk", "sent_at", "recipients")[:1]
    )).first(session=session.pk)  # fmt: skip
    attendance = _statements.get("attendance", lambda: (
        Attendance.objects.filter(session_id=slot("session")).order_by("pk")
        .values_list("pk", "member_id", "presence", "mandate_to_id")
    )).rows(session=session.pk)  # fmt: skip
    reconvened_as = getattr(session, "reconvened_as", None)
    return (
        # (The session's version, status and date are in the lines' key.)
        tuple(sorted(request.GET.lists())), session.reconvenes_id,
        (reconvened_as.pk, reconvened_as.date.isoformat()) if reconvened_as else None,
        rows, convocation, tuple(attendance),
    )  # fmt: skip


def page(request, session, today: dt.date, in_commission: bool, manage: bool, everything: bool,
         compute_lines: Callable[[], agenda_held.Lines],
         compute: Callable[[agenda_held.Lines], str]) -> str:  # fmt: skip
    """The session page's main block: held, or `compute(lines)`d and held, the lines themselves held under
    their own key (agenda_held). Everything in the key is read before computing: a change committed
    meanwhile makes the next view compute the block again."""
    lines_parts = agenda_held.parts(request, session, today, in_commission)
    key_ = held_key((*lines_parts, *_state(request, session, manage, everything)))
    found = _held.get(key_)
    if found is not None:
        return found
    html = compute(agenda_held.held_lines(lines_parts, compute_lines))
    # The members are loaded after the key read them (only to compute): a member appointed or ended in
    # between would be shown under a key without her, and served again if the change were undone. Read once
    # more, they must be the key's, else the block and its lines are shown, not held (found by the review).
    if in_commission and agenda_held.member_rows(session) != agenda_held.composition(lines_parts):
        agenda_held.forget_lines(lines_parts)
        return html
    # Held no longer than the lines it shows (a block built on lines held earlier would outlive them).
    _held.put(key_, html, min(agenda_held.HELD_SECONDS, agenda_held.remaining(lines_parts)))
    return html


def forget() -> None:
    """Drop every held page (tests)."""
    _held.clear()
    _statements.clear()
