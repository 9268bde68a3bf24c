from django import template

from parcours.core import clock
from parcours.rights.deadlines import next_by_right, prefetch_rights

register = template.Library()


@register.simple_tag
def rights_next_deadlines(person):
    """{"afis": RightDeadline | None, "aps": RightDeadline | None} for `person`, today (the files and the
    pathways read with one prefetch, not once per helper)."""
    prefetch_rights(person)
    return next_by_right(person, clock.today())
