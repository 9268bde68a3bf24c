"""Dates in French as they are written: « 1er février 2026 », not « 1 février 2026 ».

The first of the month is an ordinal in French (« le 1er mars »); Django's "j" prints "1". `french_format`
turns each day "j" followed by a month ("j F", "j M", "j N", "j E", "j b") into "1er" on the first. It serves
the template filter `date` (core/templatetags/french_dates.py, a template builtin that replaces Django's:
every « |date:"j F Y" » of the templates follows) and `date_format` below for the texts built in Python.
Only in French: a paper rendered in another language (papers/summary.py, under translation.override) keeps
that language's day (Romanian « 1 martie », not « 1er martie »).
"""

from __future__ import annotations

import re

from django.utils import formats, translation

_DAY_BEFORE_MONTH = re.compile(r"(?<!\\)j(?=\s+\\?[FMNEb])")


def french_format(value, format_string: str) -> str:
    """`format_string` with "j" made "j\\e\\r" (« 1er ») when `value` is the first of a month."""
    language = translation.get_language() or "fr"
    if getattr(value, "day", None) == 1 and format_string and language.split("-")[0] == "fr":
        return _DAY_BEFORE_MONTH.sub(r"j\\e\\r", format_string)
    return format_string


def date_format(value, format=None, use_l10n=None) -> str:
    """django.utils.formats.date_format, with « 1er » for the first of the month."""
    format = formats.get_format(format or "DATE_FORMAT", use_l10n=use_l10n)
    return formats.date_format(value, french_format(value, format), use_l10n=use_l10n)
