"""The association's approval (agrément) by the préfet: 3 years, renewable (CASF art. R121-12-3, basis
`R121_12_3` in pathway/rules.py, which re-exports `approval_end` with the other rules)."""

import datetime as dt

from parcours.core.periods import period_end

APPROVAL_YEARS = 3


def approval_end(start: dt.date) -> dt.date:
    return period_end(start, APPROVAL_YEARS * 12)
