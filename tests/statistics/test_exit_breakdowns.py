"""The exits by housing, activity and time spent have the exits table's row totals: a row whose exits the
dashboard hides (rules 1-4 of secrecy.py, the stock-and-flow identity included) is hidden in them too, and
a row shown there shows the same total. Checked on the demo's rows for every year and both levels."""

import datetime as dt

import pytest

from parcours.core import clock
from parcours.demo.generator import generate
from parcours.pathway.models import Exit
from parcours.statistics.tables import Scope, tables

TODAY = dt.date(2026, 3, 16)
BREAKDOWNS = ("exit_housing", "exit_activity", "exit_duration")


@pytest.mark.django_db
def test_each_breakdown_hides_and_shows_what_the_exits_table_does():
    with clock.travel_to(TODAY):
        generate()
        first_year = min(Exit.objects.values_list("date", flat=True)).year
        compared = hidden = 0
        for year in range(first_year, TODAY.year + 1):
            start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), TODAY)
            for scope in (Scope("national", label="France"), Scope("departement", "30", label="30")):
                by_code = {t.indicator.code: t for t in tables(scope, start, end)}
                exits = {label: total for label, _v, total in by_code["exits"].rows}
                for code in BREAKDOWNS:
                    rows = {label: total for label, _v, total in by_code[code].rows}
                    assert set(rows) <= set(exits), (code, year)
                    for label, total in rows.items():
                        assert total == exits[label], (code, year, label)
                        compared += 1
                        hidden += total is None
                    assert (by_code[code].total is None) == (by_code["exits"].total is None), (code, year)
    assert compared and hidden  # rows shown and rows hidden were both compared
