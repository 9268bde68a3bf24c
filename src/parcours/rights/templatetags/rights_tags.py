from django import template

from parcours.core import clock
from parcours.rights.deadlines import next_by_right

register = template.Library()


@register.simple_tag
def rights_next_deadlines(person):
    """{"afis": RightDeadline | None, "aps": RightDeadline | None} for `person`, today."""
    return next_by_right(person, clock.today())
