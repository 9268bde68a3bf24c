"""The time spent in the pathway at the exit, by band of whole months, at its edges (month ends, leap
years, the 24-month cap): literal expectations."""

import datetime as dt

import pytest

from parcours.statistics.indicators import duration_band

D = dt.date


@pytest.mark.parametrize(
    ("first_start", "exit_on", "band"),
    [
        (D(2025, 1, 6), D(2025, 7, 5), "under_6"),  # the first period's last day
        (D(2025, 1, 6), D(2025, 7, 6), "6_12"),  # six months to the day
        (D(2024, 2, 29), D(2024, 8, 28), "under_6"),  # leap day: six months later is 29 August
        (D(2024, 2, 29), D(2024, 8, 29), "6_12"),
        (D(2025, 8, 31), D(2026, 2, 27), "under_6"),
        (D(2025, 8, 31), D(2026, 2, 28), "6_12"),  # 31 August + 6 months: 28 February (shorter month)
        (D(2025, 1, 6), D(2026, 1, 5), "6_12"),
        (D(2025, 1, 6), D(2026, 7, 6), "18_24"),
        (D(2025, 1, 6), D(2027, 1, 5), "18_24"),  # the 24-month cap's last day
        (None, D(2026, 3, 1), "none"),  # exit before any authorised period
    ],
)
def test_the_band_of_whole_months_spent(first_start, exit_on, band):
    assert duration_band(first_start, exit_on) == band
