"""The documents and the life story in a few lines, for the person's synthesis page (desk)."""

from __future__ import annotations

import datetime as dt

from . import services
from .deadlines import expiring_documents
from .models import LifeStoryVersion


def person_summary(membership, person, today: dt.date) -> dict | None:
    """What the synthesis page shows of the documents and the life story, for the association's staff only
    (None for anyone else)."""
    if not services.is_staff_of(membership, person):
        return None
    last = (
        LifeStoryVersion.objects.filter(life_story__person=person)
        .only("number", "created_at")
        .order_by("-number")
        .first()
    )
    return {
        # The page knows the person: no need to join her row to each document.
        "expiring": list(expiring_documents(membership, today, person=person).select_related(None)),
        "today": today,
        "document_count": person.documents.count(),
        "life_story": last,
        "can_read_life_story": services.can_read_life_story(membership, person),
    }
