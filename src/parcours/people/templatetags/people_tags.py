from django import template

from parcours.people.sections import person_sections

register = template.Library()


@register.inclusion_tag("people/person_nav.html", takes_context=True)
def person_nav(context, person):
    request = context["request"]
    return {"sections": person_sections(request.membership, person, request.path)}
