"""`{{ obj|display:"kind" }}`: the label of a field's choice, as `obj.get_kind_display` gives it, for lists.

Django's `get_FOO_display` turns every choice of the field into a hashable pair and translates its label
at each call; on a page of thirty or fifty lines with several such fields that was a tenth of the
rendering (issue 15). The labels are read once per model field here; each stays lazy, so that it is
translated into the language of the request that shows it.
"""

from functools import cache

from django import template
from django.utils.encoding import force_str

register = template.Library()


@cache
def _labels(model, field: str) -> dict:
    return dict(model._meta.get_field(field).flatchoices)


@register.filter
def display(obj, field: str) -> str:
    if obj is None:
        return ""
    value = getattr(obj, field)
    return force_str(_labels(type(obj), field).get(value, value), strings_only=True)
