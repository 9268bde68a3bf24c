"""The law as data: date arithmetic, the 24-month cap, renewal dates and rule versions."""

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcours.pathway import rules

D = dt.date
ONE_DAY = dt.timedelta(days=1)
RULE = rules.rule_version("2016")
days = st.dates(min_value=D(2016, 10, 30), max_value=D(2060, 12, 31))


# --- period_end: art. 641 CPC at the edges -----------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        # No 31 February: a period from 31 August ends on the last day of February.
        (D(2024, 8, 31), 6, D(2025, 2, 28)),
        (D(2023, 8, 31), 6, D(2024, 2, 29)),  # leap year
        (D(2024, 8, 30), 6, D(2025, 2, 28)),
        (D(2023, 8, 30), 6, D(2024, 2, 29)),
        (D(2023, 8, 29), 6, D(2024, 2, 28)),  # 29 February 2024 exists: the day before it
        (D(2024, 8, 29), 6, D(2025, 2, 28)),
        (D(2024, 2, 29), 6, D(2024, 8, 28)),
        (D(2025, 3, 1), 6, D(2025, 8, 31)),  # whole calendar months
        (D(2024, 3, 1), 6, D(2024, 8, 31)),
        (D(2025, 1, 1), 6, D(2025, 6, 30)),
        (D(2024, 12, 31), 6, D(2025, 6, 30)),  # no 31 June
        (D(2025, 1, 31), 6, D(2025, 7, 30)),
        (D(2025, 6, 30), 6, D(2025, 12, 29)),
        (D(2025, 7, 1), 6, D(2025, 12, 31)),  # ends on New Year's Eve
        (D(2025, 8, 1), 6, D(2026, 1, 31)),  # crosses the year
        (D(2025, 10, 15), 6, D(2026, 4, 14)),
        (D(2025, 1, 31), 1, D(2025, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2024, 1, 15), 36, D(2027, 1, 14)),
    ],
)
def test_period_end_follows_article_641(start, months, end):
    assert rules.period_end(start, months) == end


def test_a_period_from_the_last_day_of_february_ends_the_day_before_the_same_number():
    assert rules.period_end(D(2025, 2, 28), 6) == D(2025, 8, 27)
    assert rules.period_end(D(2024, 2, 29), 12) == D(2025, 2, 28)  # no 29 February 2025: last day


# --- add_months ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2025, 1, 31), 1, D(2025, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2025, 11, 15), 3, D(2026, 2, 15)),
        (D(2025, 3, 31), -1, D(2025, 2, 28)),
        (D(2024, 3, 31), -1, D(2024, 2, 29)),
        (D(2025, 1, 15), -2, D(2024, 11, 15)),  # back over the year
        (D(2025, 2, 10), -14, D(2023, 12, 10)),
        (D(2025, 8, 31), -2, D(2025, 6, 30)),
        (D(2025, 5, 20), 0, D(2025, 5, 20)),
    ],
)
def test_add_months_keeps_the_day_number_or_clamps_to_month_end(day, months, expected):
    assert rules.add_months(day, months) == expected


# --- renewal_due, approval_end ------------------------------------------------------------------------
def test_renewal_is_due_two_months_before_the_end_by_default():
    assert rules.renewal_due(D(2025, 8, 9)) == D(2025, 6, 9)
    assert rules.renewal_due(D(2025, 4, 30)) == D(2025, 2, 28)
    assert rules.renewal_due(D(2026, 1, 31)) == D(2025, 11, 30)


def test_renewal_lead_time_is_a_setting(settings):
    settings.PARCOURS_RENEWAL_LEAD_MONTHS = 1
    assert rules.renewal_due(D(2025, 8, 9)) == D(2025, 7, 9)
    settings.PARCOURS_RENEWAL_LEAD_MONTHS = 3
    assert rules.renewal_due(D(2025, 8, 9)) == D(2025, 5, 9)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (D(2024, 1, 15), D(2027, 1, 14)),
        (D(2024, 3, 1), D(2027, 2, 28)),
        (D(2024, 2, 29), D(2027, 2, 28)),
        (D(2023, 1, 1), D(2025, 12, 31)),
    ],
)
def test_an_approval_lasts_three_years(start, end):
    assert rules.approval_end(start) == end


# --- Rule versions ------------------------------------------------------------------------------------
def test_no_pathway_rule_before_the_decree_came_into_force():
    with pytest.raises(ValueError, match="2016-10-29"):
        rules.rule_version_on(D(2016, 10, 29))


def test_the_2016_rules_apply_from_30_october_2016():
    for day in (D(2016, 10, 30), D(2025, 6, 1)):
        version = rules.rule_version_on(day)
        assert (version.code, version.period_months, version.max_total_months) == ("2016", 6, 24)


# --- The 24-month cap ---------------------------------------------------------------------------------
def test_four_periods_of_six_months_use_the_24_months():
    used, start, periods = 0, D(2025, 2, 10), []
    for _ in range(4):
        period = rules.next_period(RULE, start, used)
        periods.append(period)
        used += period.months
        start = period.end + ONE_DAY
    assert [p.months for p in periods] == [6, 6, 6, 6]
    assert used == 24
    assert periods[-1].end == D(2027, 2, 9) == rules.period_end(D(2025, 2, 10), 24)
    with pytest.raises(rules.CapReached):
        rules.next_period(RULE, start, used)


@pytest.mark.parametrize("used", [24, 25, 30])
def test_no_period_once_the_cap_is_reached(used):
    with pytest.raises(rules.CapReached):
        rules.next_period(RULE, D(2025, 1, 1), used)


@pytest.mark.parametrize(("used", "months", "end"), [(20, 4, D(2025, 5, 9)), (23, 1, D(2025, 2, 9))])
def test_the_last_period_is_shortened_to_what_remains_of_the_cap(used, months, end):
    period = rules.next_period(RULE, D(2025, 1, 10), used)
    assert (period.start, period.months, period.end) == (D(2025, 1, 10), months, end)


def test_a_longer_period_length_is_also_cut_to_what_remains_of_the_cap():
    rule = rules.RuleVersion(
        "test", D(2016, 10, 30), period_months=9, max_total_months=24, basis=rules.DURATION
    )
    assert rules.next_period(rule, D(2025, 1, 1), 18).months == 6


# --- Renewal start ------------------------------------------------------------------------------------
def test_renewal_requested_in_time_continues_the_period_even_when_decided_late():
    end = D(2025, 8, 9)
    assert rules.renewal_start(end, submitted_on=D(2025, 7, 1), decided_on=D(2025, 9, 20)) == D(2025, 8, 10)
    assert rules.renewal_start(end, submitted_on=end, decided_on=D(2025, 9, 20)) == D(2025, 8, 10)
    assert rules.renewal_start(end, submitted_on=D(2025, 7, 1), decided_on=D(2025, 7, 15)) == D(2025, 8, 10)


def test_renewal_requested_after_the_end_starts_on_the_decision():
    end = D(2025, 8, 9)
    assert rules.renewal_start(end, submitted_on=D(2025, 8, 10), decided_on=D(2025, 9, 20)) == D(2025, 9, 20)


# --- Properties ---------------------------------------------------------------------------------------
@given(start=days, months=st.integers(min_value=1, max_value=48))
def test_a_period_never_ends_before_it_starts(start, months):
    assert rules.period_end(start, months) >= start


@given(start=days, months=st.integers(min_value=1, max_value=48))
def test_a_period_ends_the_day_before_the_same_date_or_on_the_last_day_of_a_shorter_month(start, months):
    end = rules.period_end(start, months)
    same_date_later = rules.add_months(start, months)  # clamped to the month's last day
    if start.day <= same_date_later.day:
        assert end == same_date_later - ONE_DAY
    else:
        assert end == same_date_later
        assert (end + ONE_DAY).day == 1


@given(
    start=days, count=st.integers(min_value=1, max_value=4), lateness=st.lists(st.integers(0, 90), min_size=4)
)
def test_renewals_requested_in_time_chain_periods_without_gap_or_overlap(start, count, lateness):
    """Whatever the delay of the decision, each period starts the day after the previous one ends."""
    periods, used = [rules.next_period(RULE, start, 0)], 6
    for late in lateness[: count - 1]:
        previous = periods[-1]
        decided = previous.end + dt.timedelta(days=late)
        periods.append(
            rules.next_period(RULE, rules.renewal_start(previous.end, previous.end, decided), used)
        )
        used += 6
    for before, after in itertools.pairwise(periods):
        assert after.start == before.end + ONE_DAY
    assert all(p.start <= p.end for p in periods)
    # The chain never gives fewer days than one span of the same months counted from the first start.
    assert periods[-1].end >= rules.period_end(start, used)


@given(a=days, b=days, months=st.integers(min_value=1, max_value=48))
def test_period_end_is_monotonic_in_the_start(a, b, months):
    a, b = min(a, b), max(a, b)
    assert rules.period_end(a, months) <= rules.period_end(b, months)


@given(start=days, months=st.integers(min_value=1, max_value=48))
def test_a_period_starting_on_the_first_covers_whole_months(start, months):
    first = start.replace(day=1)
    end = rules.period_end(first, months)
    assert (end + ONE_DAY).day == 1
    assert rules.add_months(first, months) == end + ONE_DAY


# --- The tables ---------------------------------------------------------------------------------------
def test_every_transition_leads_to_a_known_state_from_known_states():
    tables = (
        (rules.REQUEST_TRANSITIONS, rules.RequestStatus),
        (rules.PATHWAY_TRANSITIONS, rules.PathwayStatus),
    )
    for table, states in tables:
        for action, transition in table.items():
            assert transition.action == action
            assert transition.sources <= set(states.values)
            assert transition.target in states.values
            assert transition.target not in transition.sources


def test_every_open_request_state_can_still_be_withdrawn_or_decided():
    """No open request is stuck: from each open state some transition leads on."""
    for status in rules.OPEN_REQUEST_STATUSES:
        assert any(status in t.sources for t in rules.REQUEST_TRANSITIONS.values()), status


# --- Months elapsed (finding 7 d) ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "day", "months"),
    [
        (D(2025, 2, 10), D(2025, 2, 10), 0),  # the first day: nothing used yet
        (D(2025, 2, 10), D(2025, 2, 9), 0),  # before the start
        (D(2025, 2, 10), D(2025, 3, 8), 0),
        (D(2025, 2, 10), D(2025, 3, 9), 1),  # 10 February – 9 March is one month
        (D(2025, 1, 31), D(2025, 2, 27), 0),  # no 31 February: the month ends on its last day
        (D(2025, 1, 31), D(2025, 2, 28), 1),
        (D(2024, 1, 31), D(2024, 2, 28), 0),  # leap year
        (D(2024, 1, 31), D(2024, 2, 29), 1),
        (D(2024, 2, 29), D(2024, 3, 28), 1),  # from 29 February
        (D(2024, 2, 29), D(2025, 2, 27), 11),
        (D(2024, 2, 29), D(2025, 2, 28), 12),  # no 29 February 2025: the last day of February
        (D(2025, 3, 1), D(2025, 3, 31), 1),  # whole calendar month
        (D(2025, 12, 15), D(2026, 1, 14), 1),  # over the year
        (D(2025, 2, 10), D(2027, 2, 9), 24),  # the 24 months
    ],
)
def test_months_elapsed_are_whole_months_at_the_edges(start, day, months):
    assert rules.months_elapsed(start, day) == months


@given(start=days, months=st.integers(min_value=0, max_value=48))
def test_a_period_of_n_months_has_used_n_months_on_its_last_day_and_fewer_the_day_before(start, months):
    end = rules.period_end(start, months) if months else start
    if months:
        assert rules.months_elapsed(start, end) == months
        assert rules.months_elapsed(start, end - ONE_DAY) == months - 1
