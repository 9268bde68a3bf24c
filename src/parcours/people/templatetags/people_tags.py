from django import template

from parcours.accounts import policy
from parcours.people.sections import person_sections

register = template.Library()


@register.inclusion_tag("people/person_nav.html", takes_context=True)
def person_nav(context, person):
    request = context["request"]
    return {"sections": person_sections(request.membership, person, request.path)}


def _is_staff(context) -> bool:
    membership = getattr(context.get("request"), "membership", None)
    return policy.can(membership, "person_file")


@register.inclusion_tag("people/contact_banner.html", takes_context=True)
def contact_banner(context, person):
    """The safe-contact rules, for the association's staff, on every page about the person."""
    return {"person": person, "show": _is_staff(context) and person.contact_restricted}


@register.inclusion_tag("people/phone.html", takes_context=True)
def person_phone(context, person):
    """The person's phone with the rules to follow next to it, wherever a worker may contact her. Only the
    association's staff see it."""
    return {"person": person, "show": _is_staff(context)}
