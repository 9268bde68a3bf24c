from django import template

from parcours.followup.deadlines import person_summary

register = template.Library()


@register.simple_tag(takes_context=True)
def follow_up_summary(context, person):
    """The follow-up summary of `person` for the logged-in membership, or None if she does not reach it."""
    request = context.get("request")
    return person_summary(getattr(request, "membership", None), person)
