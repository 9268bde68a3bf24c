"""`{% load policy %}{% can "read_sensitive" person as allowed %}`: the answer of accounts/policy.py for the
membership the request acts under, in a template."""

from django import template

from parcours.accounts import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action, obj=None):
    request = context.get("request")
    return policy.can(getattr(request, "membership", None), action, obj)
