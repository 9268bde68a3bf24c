"""Documents whose validity ends soon: highlighted on the documents page, listed on the synthesis and the
"to do" page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from parcours.accounts import policy
from parcours.people.models import Person, own_or_unassigned

from .models import Document

WARNING_DAYS = 60  # a residence document or an APS takes about two months to renew
EXPIRED = "expired"
SOON = "soon"


def expiry_state(document: Document, today: dt.date) -> str | None:
    if document.expires_on is None:
        return None
    if document.expires_on < today:
        return EXPIRED
    if document.expires_on <= today + dt.timedelta(days=WARNING_DAYS):
        return SOON
    return None


@dataclass(frozen=True)
class DueItem:
    date: dt.date
    label: str
    person: Person
    url: str
    overdue: bool
    document: Document


def expiring_documents(membership, today: dt.date, person: Person | None = None, referent_id=None):
    """Documents of the people `membership` may see that expire within WARNING_DAYS days or already have,
    unless the person has a document of the same kind valid longer (the renewed one)."""
    if not policy.can(membership, "person_file"):
        return Document.objects.none()
    documents = Document.objects.filter(
        person__in=Person.objects.visible_to(membership).filter(own_or_unassigned(referent_id)),
        expires_on__isnull=False,
        expires_on__lte=today + dt.timedelta(days=WARNING_DAYS),
    ).exclude(
        Exists(
            Document.objects.filter(
                person=OuterRef("person"), kind=OuterRef("kind"), expires_on__gt=OuterRef("expires_on")
            )
        )
    )
    if person is not None:
        documents = documents.filter(person=person)
    return documents.select_related("person").order_by("expires_on", "pk")


def due_items(membership, today: dt.date, referent_id=None) -> list[DueItem]:
    """For the "to do" page: documents expiring within 60 days, and those already expired, soonest first;
    a document leaves the list when one of the same kind valid longer is added (or when it is deleted).
    `referent_id`: only the people of that referent and those of nobody."""
    items = []
    for document in expiring_documents(membership, today, referent_id=referent_id):
        overdue = document.expires_on < today
        label = (_("%(kind)s expiré : %(title)s") if overdue else _("%(kind)s expire : %(title)s")) % {
            "kind": document.get_kind_display(),
            "title": document.title,
        }
        items.append(
            DueItem(
                date=document.expires_on,
                label=label,
                person=document.person,
                url=reverse("records:documents", args=[document.person_id]),
                overdue=overdue,
                document=document,
            )
        )
    return items
