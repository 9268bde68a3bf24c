"""What is due for one membership: read from the same deadline modules as the « À faire » page, through the
same visibility rules (`visible_to`), so that nobody is told of what she may not see.

The right person: the referent social worker and the head(s) of service of the person's association for the
person's deadlines; the commission's secretariat for its coming sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from parcours.accounts import policy
from parcours.accounts.roles import Role
from parcours.core.prefetch import related
from parcours.employment import deadlines as employment_deadlines
from parcours.pathway import rules as pathway_rules
from parcours.pathway.deadlines import summarise, summary_lookups
from parcours.pathway.models import CommissionSession, Pathway
from parcours.records import deadlines as records_deadlines
from parcours.rights import deadlines as rights_deadlines
from parcours.rights import rules as rights_rules

from . import rules
from .rules import Kind

PS = pathway_rules.PathwayStatus
RS = pathway_rules.RequestStatus


@dataclass(frozen=True)
class Due:
    kind: str
    object_key: str
    due_on: dt.date | None
    url: str
    person_reference: str = ""
    person_id: int | None = None

    @property
    def dedup_key(self) -> str:
        return f"{self.kind}|{self.object_key}|{self.due_on.isoformat() if self.due_on else '-'}"


Source = Callable[[object, dt.date], list[Due]]
# Sources registered by the apps above this layer (funding), which this app may not import (pyproject.toml).
_SOURCES: list[Source] = []


def register(source: Source) -> Source:
    """Add what an app above this one has due for a membership (called from that app's `ready()`)."""
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def _mine(membership, person) -> bool:
    """A social worker is told of the people she is the referent of; the head of service of all of them."""
    return membership.role == Role.HEAD_OF_SERVICE or person.referent_id == membership.user_id


def due_for(membership, today: dt.date) -> list[Due]:
    if not policy.active(membership):
        return []
    items: list[Due] = []
    if membership.role in (Role.SOCIAL_WORKER, Role.HEAD_OF_SERVICE) and policy.can(
        membership, "person_file"
    ):
        items += _pathway_items(membership, today)
        items += _rights_items(membership, today)
        items += _document_items(membership, today)
        items += _employment_items(membership, today)
    if membership.role == Role.SECRETARIAT:
        items += _session_items(membership, today)
    for source in _SOURCES:
        items += source(membership, today)
    return items


def _pathway_items(membership, today) -> list[Due]:
    items = []
    pathways = (
        Pathway.objects.visible_to(membership)
        .exclude(status=PS.EXITED)
        .select_related("person")
        .prefetch_related(*summary_lookups())
    )
    for pathway in pathways:
        person = pathway.person
        if not _mine(membership, person):
            continue
        summary = summarise(pathway, today)
        person_url = reverse("people:person", args=[person.pk])
        request = summary.open_request
        if request is not None and request.status == RS.ADJOURNED:
            sessions = [i.session.date for i in related(request, "agenda_items")]
            items.append(
                Due(Kind.ADJOURNED, f"request:{request.pk}", max(sessions, default=None),
                    reverse("pathway:request", args=[request.pk]), person.reference, person.pk)
            )  # fmt: skip
        if pathway.status != PS.ACTIVE or summary.last_period is None:
            continue
        last_end = summary.last_period.end
        if summary.cap_reached:
            if last_end <= today + dt.timedelta(days=rules.PATHWAY_END_HORIZON_DAYS):
                items.append(
                    Due(
                        Kind.PATHWAY_END,
                        f"pathway:{pathway.pk}",
                        last_end,
                        person_url,
                        person.reference,
                        person.pk,
                    )
                )
        elif (
            request is None
            and summary.renewal_due is not None
            and summary.renewal_due <= today + dt.timedelta(days=rules.RENEWAL_HORIZON_DAYS)
        ):
            items.append(
                Due(
                    Kind.RENEWAL,
                    f"pathway:{pathway.pk}",
                    summary.renewal_due,
                    person_url,
                    person.reference,
                    person.pk,
                )
            )
    return items


def _rights_items(membership, today) -> list[Due]:
    items = []
    limit = today + dt.timedelta(days=rules.RIGHTS_HORIZON_DAYS)
    for deadline in rights_deadlines.due_items(membership, today, horizon_days=rules.RIGHTS_HORIZON_DAYS):
        person = deadline.person
        if deadline.date is None or deadline.date > limit or not _mine(membership, person):
            continue
        url = reverse("rights:person", args=[person.pk])
        if deadline.right == rights_deadlines.APS:
            items.append(Due(Kind.APS, f"aps:{person.pk}", deadline.date, url, person.reference, person.pk))
        elif deadline.basis == rights_rules.PRACTICE_MSA_CHASE:
            items.append(
                Due(Kind.AFIS_PAYMENT, f"afis:{person.pk}", deadline.date, url, person.reference, person.pk)
            )
    return items


def _document_items(membership, today) -> list[Due]:
    return [
        Due(Kind.DOCUMENT, f"document:{document.pk}", document.expires_on,
            reverse("records:documents", args=[document.person_id]), document.person.reference,
            document.person_id)
        for document in records_deadlines.expiring_documents(membership, today)
        if _mine(membership, document.person)
    ]  # fmt: skip


def _employment_items(membership, today) -> list[Due]:
    """An agreement ending (its association's head of service), a person's support under it ending (her
    referent and the head of service)."""
    items = []
    if membership.role == Role.HEAD_OF_SERVICE:
        items += [
            Due(Kind.AGREEMENT_END, f"agreement:{a.pk}", a.ends_on,
                reverse("employment:agreement", args=[a.pk]))
            for a in employment_deadlines.agreements_ending(membership, today)
        ]  # fmt: skip
    items += [
        Due(Kind.SUPPORT_END, f"enrolment:{e.pk}", e.ends_on,
            reverse("employment:person", args=[e.person_id]), e.person.reference, e.person_id)
        for e in employment_deadlines.supports_ending(membership, today)
        if _mine(membership, e.person)
    ]  # fmt: skip
    return items


def _session_items(membership, today) -> list[Due]:
    sessions = CommissionSession.objects.visible_to(membership).filter(
        commission_id=membership.organisation_id,
        status="planned",
        date__gte=today,
        date__lte=today + dt.timedelta(days=rules.SESSION_HORIZON_DAYS),
    )
    return [
        Due(Kind.SESSION, f"session:{s.pk}", s.date, reverse("pathway:session", args=[s.pk]))
        for s in sessions
    ]
