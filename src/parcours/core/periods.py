"""Durations in months, counted as art. 641 of the code de procédure civile says (docs/decisions/0006).

Pure date arithmetic, at the bottom of the app graph so that every app may count months: the rules that
use it (pathway/rules.py, rights/rules.py, accounts/approval.py) keep their legal basis.
"""

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day number `months` later (or earlier), clamped to the last day of a shorter month."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_end(start: dt.date, months: int) -> dt.date:
    """Last day (inclusive) of a duration of `months` starting on `start` (art. 641 CPC)."""
    month_index = start.year * 12 + start.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    if start.day > last_day:
        return dt.date(year, month, last_day)
    return dt.date(year, month, start.day) - dt.timedelta(days=1)
