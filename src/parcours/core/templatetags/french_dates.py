"""The template filter `date`, with « 1er » for the first of the month (core/dates.py). Loaded as a
template builtin after Django's (settings.TEMPLATES OPTIONS builtins), so it replaces Django's `date` in
every template without a {% load %}."""

from django import template
from django.template.defaultfilters import date as django_date
from django.utils import formats

from parcours.core.dates import french_format

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    if value in (None, ""):
        return ""
    if getattr(value, "day", None) == 1:
        arg = french_format(value, formats.get_format(arg or "DATE_FORMAT"))
    return django_date(value, arg)
