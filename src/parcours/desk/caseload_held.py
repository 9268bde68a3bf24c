"""The lines of a caseload page, rendered once and held a few minutes in the worker's memory (issue 15,
docs/decisions/0060-caseload-lines-held.md).

A line shows a person's name and her latest pathway's status, next deadline and months used: five queries
over the fifty people of the page and their pathways, periods, requests and sessions, the deadline rules,
and fifty rows of template, on every view of a list its users page through all day. The page's main block
(the search form, the count, the lines and the pagination: a hundred template nodes, a fifth of the page's
time once the lines were held; decision 0066) is rendered once and held under:

- the session, the membership (user, role, association), the day, the language, the number of changes the
  user made in her session;
- the page's parameters (the search, the status filter, the page number) and the number of people found;
- the people of the page, in their order, **and their state as the reader may see them now** (pk, version,
  referent, archived, anonymised: `todo_held.current_state`, one query): a person renamed, edited, given
  another referent, archived, anonymised or gone from the reader's sight makes the lines computed again;
- the number of steps recorded on the association's pathways (`todo_held.last_step`, one row read by key):
  a request opened, validated, transmitted, scheduled, moved to a reconvened session, an avis, a decision,
  a lapse, an exit, by anyone, shows at once;
- HELD_SECONDS at most: what neither names (a change made in the database behind the services) shows
  within that time.

Held in this process only (core.held), never in Django's cache: the lines carry names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from parcours.accounts.middleware import reader
from parcours.core.held import Held
from parcours.desk.todo_held import current_state, last_step

HELD_SECONDS = 300
HELD_PAGES = 128  # pages of fifty lines held per process
_held = Held(HELD_PAGES)


def main(request, today: dt.date, pks: list[int], total: int, compute: Callable[[], str]) -> str:
    """The rendered main block of a page whose lines are the people `pks` (in the page's order), out of
    `total`: held, or `compute()`d and held. The state of the people and the steps are read before computing:
    a change committed meanwhile makes the next view compute it again."""
    m = request.membership
    parameters = tuple(sorted(request.GET.lists()))  # the search, the filter, the page: the form and links
    parts = (*reader(request, today), last_step(m), parameters, total, tuple(pks), current_state(m, pks))
    return _held.get_or_compute(parts, compute, HELD_SECONDS)


def forget() -> None:
    """Drop every held page (tests)."""
    _held.clear()
