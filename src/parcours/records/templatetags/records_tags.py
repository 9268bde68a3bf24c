from django import template

from parcours.core import clock
from parcours.records import services
from parcours.records.deadlines import expiring_documents
from parcours.records.models import LifeStoryVersion

register = template.Library()


@register.simple_tag(takes_context=True)
def records_summary(context, person):
    """What the synthesis page shows of the documents and the life story, for the association's staff only."""
    request = context.get("request")
    membership = getattr(request, "membership", None)
    if not services.is_staff_of(membership, person):
        return None
    today = clock.today()
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
