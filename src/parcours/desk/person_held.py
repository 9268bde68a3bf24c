"""The three summaries of a person's synthesis page (follow-up, documents and life story, rights), rendered
once and held a few minutes in the worker's memory (issue 15, docs/decisions/0059-person-summaries-held.md).

They are half of the page's work: ten queries across three apps and the rights' deadline rules, for lines
that change a few times a week while the page is opened many times a day. They are held:

- under the session, the membership (user, role, association), the day, the language, the person's state
  (pk, version, referent, archived, anonymised), the number of changes the user made in her session
  (accounts.middleware.ChangesStampMiddleware) and **the last change about the person in the journal**
  (audit.log.last_change_of, read with the person's own row): every service records its change with a
  journal row naming the person in the change's transaction, so a note, an action, an appointment, a
  document, a life story, an AFIS or APS file or a step of her pathway, by anyone, through any page, the
  API or a job, shows at once;
- HELD_SECONDS at most, and never past the end of the next appointment they show (it is no longer the next
  one then): whatever changed without a journal row about the person (a colleague renamed) shows within
  that time.

The page's pathway blocks (periods, months used, requests, timeline, papers: the rest of the page's work
once the summaries were held) are held the same way, under the same keys (decision 0066): each step of her
pathways, by anyone, a request moved to a reconvened session included, is journaled with her name in its
transaction and shows at once.

The page's whole main block (her name, identity, safe-contact rules, menu, a pending transfer, the buttons
and both parts above: the rest of the page's work, half of it the person's row loaded and decrypted; decision
0067) is held the same way, under the same keys, read in one statement compiled once per reader's scope
(core/compiled.py) that applies the visibility rule: on a held view her row is neither loaded nor
decrypted. Her identity, her contact rules, her referent and a transfer are each changed by a service that
journals with her name; the block is dropped, like the summaries, once the next appointment it shows is over.

Held in this process only (core.held), never in Django's cache: the lines carry a document's title and a
colleague's name. The page's read is journaled as before: the view runs on every request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import OuterRef
from django.template.loader import render_to_string

from parcours.accounts.middleware import reader
from parcours.accounts.policy import scope_key
from parcours.audit.log import last_change_of
from parcours.core import clock
from parcours.core.compiled import Statements, row_key, slot
from parcours.core.held import Held
from parcours.core.held import key as held_key
from parcours.followup.deadlines import person_summary as follow_up_summary
from parcours.people.models import Person
from parcours.records.summary import person_summary as records_summary
from parcours.rights.deadlines import next_by_right, prefetch_rights

HELD_SECONDS = 300
HELD_PEOPLE = 256  # summaries held per process (a few KB each)
_held = Held(HELD_PEOPLE)
_pathways = Held(HELD_PEOPLE)  # the pathway blocks (decision 0066)
_pages = Held(HELD_PEOPLE)  # the whole main block (decision 0067)
_statements = Statements()

STATE = ("pk", "version", "referent_id", "association_id", "archived_on", "anonymised_on")


@dataclass(frozen=True)
class HeldBlock:
    html: str
    valid_until: dt.datetime | None  # the end of the next appointment shown, if any


def key(request, person, today: dt.date) -> str:
    """`person` read with `last_change=audit.log.last_change_of(OuterRef("pk"))`, before anything is
    computed: a change committed meanwhile makes the next view compute the summaries again."""
    return held_key((*reader(request, today), person.last_change, *(getattr(person, f) for f in STATE)))


def _valid(held) -> bool:
    return held is not None and (held.valid_until is None or clock.now() < held.valid_until)


def state(membership, pk: int) -> tuple | None:
    """The person `pk` as the reader may see her now: her last change in the journal and her STATE, in one
    statement compiled once per reader's scope (`policy.scope_key`: everything the visibility rule reads of
    the membership, and the day). None when the reader may not see her."""
    if not row_key(pk):  # an address no file can have: not found, not the driver's error
        return None
    compiled = _statements.get(("state", scope_key(membership)), lambda: (
        Person.objects.visible_to(membership).filter(pk=slot("pk"))
        .annotate(last_change=last_change_of(OuterRef("pk"))).values_list("last_change", *STATE)
    ))  # fmt: skip
    return None if compiled is None else compiled.first(pk=pk)


def page(request, found: tuple, today: dt.date, compute: Callable[[], HeldBlock]) -> str:
    """The page's rendered main block for the person whose `state` is `found`: held, or `compute()`d and
    held (its html, and the end of the next appointment its summaries show, after which it is computed
    again)."""
    key_ = held_key(("page", *reader(request, today), *found))
    held = _pages.get(key_)
    if _valid(held):
        return held.html
    held = compute()
    _pages.put(key_, held, HELD_SECONDS)
    return held.html


def summaries(request, person) -> HeldBlock:
    """The rendered summaries of `person` for the reader, with the end of the next appointment they show:
    held, or computed and held."""
    today = clock.today()
    key_ = key(request, person, today)
    held = _held.get(key_)
    if _valid(held):
        return held
    m = request.membership
    fu = follow_up_summary(m, person)
    prefetch_rights(person)
    html = render_to_string("desk/person_summaries.html", {
        "person": person, "fu": fu, "summary": records_summary(m, person, today),
        "next": next_by_right(person, today),
    })  # fmt: skip
    appointment = fu.next_appointment if fu else None
    held = HeldBlock(html, appointment.ends_at if appointment else None)
    _held.put(key_, held, HELD_SECONDS)
    return held


def pathways(request, person, today: dt.date, compute: Callable[[], tuple[bool, str]]) -> tuple[bool, str]:
    """The person's pathways as her page shows them: whether a new pathway may be prepared, and the rendered
    blocks (periods, months used, requests, timeline, papers). Held, or `compute()`d and held, under the keys
    of the summaries: every step of her pathways and requests (the préfet's decision, an avis, a request moved
    to a reconvened session) is journaled with her in its transaction, and changes her last change."""
    return _pathways.get_or_compute((key(request, person, today),), compute, HELD_SECONDS)


def forget() -> None:
    """Drop every held summary, pathway block and main block (tests)."""
    _held.clear()
    _pathways.clear()
    _pages.clear()
    _statements.clear()
