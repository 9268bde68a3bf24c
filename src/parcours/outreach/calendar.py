"""French public holidays (jours fériés), computed: the eleven days of the Code du travail, art. L3133-1
(1 January, Easter Monday, 1 May, 8 May, Ascension, Whit Monday, 14 July, 15 August, 1 November,
11 November, 25 December). Easter Sunday by the anonymous Gregorian algorithm (Meeus, Jones, Butcher), exact
for every Gregorian year. Alsace-Moselle adds Good Friday and 26 December (Code du travail, art. L3134-13):
`alsace_moselle=True`. Why not the `holidays` package: docs/decisions/0042-drop-in-sessions-and-outreach.md.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

D = dt.timedelta


def easter_sunday(year: int) -> dt.date:
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


@lru_cache(maxsize=64)
def public_holidays(year: int, alsace_moselle: bool = False) -> dict[dt.date, str]:
    easter = easter_sunday(year)
    days = {
        dt.date(year, 1, 1): "Jour de l'an",
        easter + D(days=1): "Lundi de Pâques",
        dt.date(year, 5, 1): "Fête du travail",
        dt.date(year, 5, 8): "Victoire 1945",
        easter + D(days=39): "Ascension",
        easter + D(days=50): "Lundi de Pentecôte",
        dt.date(year, 7, 14): "Fête nationale",
        dt.date(year, 8, 15): "Assomption",
        dt.date(year, 11, 1): "Toussaint",
        dt.date(year, 11, 11): "Armistice 1918",
        dt.date(year, 12, 25): "Noël",
    }
    if alsace_moselle:
        days[easter - D(days=2)] = "Vendredi saint"
        days[dt.date(year, 12, 26)] = "Saint-Étienne"
    return dict(sorted(days.items()))


def holiday_name(day: dt.date) -> str | None:
    return public_holidays(day.year).get(day)
