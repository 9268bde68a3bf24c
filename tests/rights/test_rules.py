"""The law of the AFIS as data: amounts by rule version and territory, the RSA ceiling, each condition."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcours.rights import rules

D = dt.date
MAINLAND, MAYOTTE = rules.Territory.MAINLAND, rules.Territory.MAYOTTE


@pytest.mark.parametrize(
    ("territory", "day", "children", "expected", "code"),
    [
        # Mainland, 2017 scale: 330 € + 102 € per child.
        (MAINLAND, D(2022, 6, 30), 0, "330.00", "2017"),
        (MAINLAND, D(2022, 6, 30), 1, "432.00", "2017"),
        (MAINLAND, D(2022, 6, 30), 4, "738.00", "2017"),
        # Mainland from 1 July 2022 (+4 %): 343,20 € + 106,08 € per child.
        (MAINLAND, D(2022, 7, 1), 0, "343.20", "2022"),
        (MAINLAND, D(2022, 7, 1), 1, "449.28", "2022"),
        (MAINLAND, D(2022, 7, 1), 4, "767.52", "2022"),
        # Mayotte, 2017: 165 €, + 51 € for each of the first three children, + 32 € beyond.
        (MAYOTTE, D(2022, 6, 30), 0, "165.00", "2017-976"),
        (MAYOTTE, D(2022, 6, 30), 1, "216.00", "2017-976"),
        (MAYOTTE, D(2022, 6, 30), 3, "318.00", "2017-976"),
        (MAYOTTE, D(2022, 6, 30), 4, "350.00", "2017-976"),
        # Mayotte from 1 July 2022: the 2017 amounts kept, flagged « à vérifier ».
        (MAYOTTE, D(2022, 7, 1), 0, "165.00", "2022-976"),
        (MAYOTTE, D(2022, 7, 1), 1, "216.00", "2022-976"),
        (MAYOTTE, D(2022, 7, 1), 4, "350.00", "2022-976"),
        # Mayotte from December 2025 (décret published on 31 December 2025, read in the press only).
        (MAYOTTE, D(2025, 12, 1), 0, "279.72", "2025-976"),
        (MAYOTTE, D(2025, 12, 1), 1, "332.76", "2025-976"),
        (MAYOTTE, D(2025, 12, 1), 3, "438.84", "2025-976"),
        (MAYOTTE, D(2025, 12, 1), 4, "472.12", "2025-976"),
    ],
)
def test_afis_amount_by_children_territory_and_date(territory, day, children, expected, code):
    result = rules.afis_amount(children, territory, day)
    assert result.amount == Decimal(expected)
    assert isinstance(result.amount, Decimal)
    assert result.scale.code == code


def test_mainland_amounts_are_verified_and_mayotte_after_2022_is_not():
    assert rules.afis_amount(2, MAINLAND, D(2026, 1, 1)).verified
    assert rules.afis_amount(2, MAYOTTE, D(2020, 1, 1)).verified
    assert not rules.afis_amount(2, MAYOTTE, D(2023, 1, 1)).verified
    assert not rules.afis_amount(2, MAYOTTE, D(2026, 1, 1)).verified


def test_no_afis_before_the_decree_of_april_2017():
    assert rules.afis_amount(0, MAINLAND, D(2017, 4, 14)) is None
    assert rules.afis_amount(0, MAINLAND, D(2017, 4, 15)).amount == Decimal("330")


def test_a_new_decree_is_one_new_row(monkeypatch):
    row = rules.AfisScale(
        "2027",
        MAINLAND,
        D(2027, 1, 1),
        Decimal("646.52"),
        (rules.ChildStep(None, Decimal("200")),),
        rules.Basis("Décret fictif", False),
    )
    monkeypatch.setattr(rules, "AFIS_SCALES", (*rules.AFIS_SCALES, row))
    assert rules.afis_amount(1, MAINLAND, D(2026, 12, 31)).amount == Decimal("449.28")
    assert rules.afis_amount(1, MAINLAND, D(2027, 1, 1)).amount == Decimal("846.52")


def test_territory_is_mayotte_only_for_departement_976():
    assert rules.territory_of("976") == MAYOTTE
    assert rules.territory_of("974") == MAINLAND
    assert rules.territory_of("30") == MAINLAND


def test_rsa_ceiling_is_dated_and_flags_a_missing_revaluation():
    assert rules.rsa_single_on(D(2024, 3, 31)).amount == Decimal("607.75")
    assert rules.rsa_single_on(D(2024, 4, 1)).amount == Decimal("635.71")
    assert rules.rsa_single_on(D(2025, 4, 1)).amount == Decimal("646.52")
    assert rules.rsa_single_on(D(2025, 4, 1)).verified
    later = rules.rsa_single_on(D(2026, 4, 1))  # a revaluation is probably due and not known here
    assert later.amount == Decimal("646.52") and not later.verified
    assert rules.rsa_single_on(D(2016, 1, 1)) is None


def test_the_payer_is_the_msa_never_the_caf():
    assert "MSA" in str(rules.PAYER)
    assert "CAF" not in str(rules.PAYER)
    assert "D121-12-15" in rules.AFIS_PAYER.text


# --- Eligibility ----------------------------------------------------------------------------------------
PERIOD = SimpleNamespace(start=D(2026, 1, 10), end=D(2026, 7, 9))
ON = D(2026, 3, 10)


def person(**overrides):
    values = dict(
        birth_date=D(1995, 5, 17),
        residence_status="aps",
        residence_permit_expiry=D(2026, 7, 9),
        monthly_resources=Decimal("120.00"),
        receives_rsa=False,
        receives_ada=False,
        departement_id="30",
    )
    values.update(overrides)
    return SimpleNamespace(**values)


def condition(result, code):
    return next(c for c in result.conditions if c.code == code)


def test_a_person_meeting_every_condition_is_eligible():
    result = rules.afis_eligibility(person(), ON, psp_period=PERIOD)
    assert result.eligible is True
    assert [c.code for c in result.conditions] == ["age", "psp", "residence", "resources", "rsa_ada"]
    assert all(c.basis.text for c in result.conditions)
    assert "R121-12-13-1" in condition(result, "age").basis.text
    assert len(result.reasons) == 5


def test_the_18th_birthday_on_the_day_makes_her_adult():
    result = rules.afis_eligibility(person(birth_date=D(2008, 3, 10)), ON, psp_period=PERIOD)
    assert condition(result, "age").met is True
    day_before = rules.afis_eligibility(person(birth_date=D(2008, 3, 11)), ON, psp_period=PERIOD)
    assert condition(day_before, "age").met is False
    assert day_before.eligible is False
    assert "11 mars 2026" in condition(day_before, "age").reason


@pytest.mark.parametrize(
    ("on", "adult"), [(D(2026, 2, 27), False), (D(2026, 2, 28), True), (D(2026, 3, 1), True)]
)
def test_born_on_29_february_she_is_adult_on_28_february_of_a_common_year(on, adult):
    result = rules.afis_eligibility(person(birth_date=D(2008, 2, 29)), on, psp_period=PERIOD)
    assert condition(result, "age").met is adult


def test_birthdays_of_29_february_fall_on_28_february_in_common_years_only():
    # An 18th birthday is never in a leap year (18 is not a multiple of 4); other ages can be.
    assert rules.birthday(D(2012, 2, 29), 18) == D(2030, 2, 28)
    assert rules.birthday(D(2016, 2, 29), 16) == D(2032, 2, 29)
    assert rules.birthday(D(2010, 2, 28), 18) == D(2028, 2, 28)


def test_unknown_birth_date_cannot_conclude():
    result = rules.afis_eligibility(person(birth_date=None), ON, psp_period=PERIOD)
    assert condition(result, "age").met is None
    assert result.eligible is None


def test_no_authorised_period_on_the_date_is_not_eligible():
    result = rules.afis_eligibility(person(), ON, psp_period=None)
    assert condition(result, "psp").met is False
    assert result.eligible is False


@pytest.mark.parametrize(
    ("status", "met"),
    [
        ("french", True),
        ("eu", True),
        ("receipt", False),  # a receipt of a FIRST application (finding 7 b: was shown eligible)
        ("receipt_renewal", True),
        ("aps", True),
        ("permit", True),
        ("none", False),
        ("asylum_seeker", False),
        ("", None),
    ],
)
def test_residence_condition_by_situation(status, met):
    result = rules.afis_eligibility(
        person(residence_status=status, residence_permit_expiry=None), ON, psp_period=PERIOD
    )
    assert condition(result, "residence").met is met


def test_an_expired_residence_document_does_not_count():
    result = rules.afis_eligibility(
        person(residence_status="permit", residence_permit_expiry=D(2026, 3, 9)), ON, psp_period=PERIOD
    )
    assert condition(result, "residence").met is False
    assert "9 mars 2026" in condition(result, "residence").reason


def test_an_aps_recorded_as_issued_counts_even_if_the_situation_was_not_updated():
    result = rules.afis_eligibility(
        person(residence_status="none"), ON, psp_period=PERIOD, aps_expires_on=D(2026, 6, 30)
    )
    assert condition(result, "residence").met is True


@pytest.mark.parametrize(
    ("resources", "met"),
    [
        (None, None),
        (Decimal("0"), True),
        (Decimal("646.51"), True),
        (Decimal("646.52"), False),
        (Decimal("900"), False),
    ],
)
def test_resources_must_be_below_the_rsa_for_one_person(resources, met):
    on = D(2025, 6, 1)  # RSA 646,52 €
    result = rules.afis_eligibility(person(monthly_resources=resources), on, psp_period=PERIOD)
    assert condition(result, "resources").met is met
    if met is None:
        assert result.eligible is None


def test_the_rsa_ceiling_of_the_date_applies():
    result = rules.afis_eligibility(
        person(monthly_resources=Decimal("620")), D(2024, 3, 31), psp_period=PERIOD
    )
    assert condition(result, "resources").met is False  # RSA 607,75 € until 31 March 2024
    result = rules.afis_eligibility(
        person(monthly_resources=Decimal("620")), D(2024, 4, 1), psp_period=PERIOD
    )
    assert condition(result, "resources").met is True  # 635,71 € from 1 April 2024


@pytest.mark.parametrize(("rsa", "ada"), [(True, False), (False, True), (True, True)])
def test_receiving_rsa_or_ada_excludes_the_afis(rsa, ada):
    result = rules.afis_eligibility(person(receives_rsa=rsa, receives_ada=ada), ON, psp_period=PERIOD)
    assert condition(result, "rsa_ada").met is False
    assert result.eligible is False


def test_a_condition_not_met_wins_over_one_unknown():
    result = rules.afis_eligibility(person(monthly_resources=None, receives_ada=True), ON, psp_period=PERIOD)
    assert result.eligible is False


def test_the_mayotte_ceiling_is_flagged_to_check():
    result = rules.afis_eligibility(person(departement_id="976"), ON, psp_period=PERIOD)
    assert not condition(result, "resources").basis.verified


# --- Properties of the scales -------------------------------------------------------------------------
@given(
    children=st.integers(min_value=0, max_value=15),
    day=st.dates(D(2017, 4, 15), D(2030, 12, 31)),
    territory=st.sampled_from([MAINLAND, MAYOTTE]),
)
def test_each_child_adds_to_the_amount(children, day, territory):
    fewer, more = rules.afis_amount(children, territory, day), rules.afis_amount(children + 1, territory, day)
    assert more.amount > fewer.amount >= fewer.scale.alone
    assert more.amount.as_tuple().exponent == -2


@given(children=st.integers(min_value=0, max_value=15))
def test_the_2022_mainland_scale_is_the_2017_one_plus_four_percent(children):
    before = rules.afis_amount(children, MAINLAND, D(2022, 6, 30)).amount
    after = rules.afis_amount(children, MAINLAND, D(2022, 7, 1)).amount
    assert after == (before * Decimal("1.04")).quantize(Decimal("0.01"))


# --- Finding 7 b: only a receipt of a RENEWAL application meets condition 2° -------------------------------
def test_a_first_application_receipt_does_not_open_the_afis_and_the_basis_says_renewal():
    first = rules.afis_eligibility(
        person(residence_status="receipt", residence_permit_expiry=D(2026, 6, 1)), ON, psp_period=PERIOD
    )
    assert condition(first, "residence").met is False
    assert first.eligible is False
    assert "première demande" in condition(first, "residence").reason
    assert "récépissé de demande de renouvellement" in condition(first, "residence").basis.text
    assert "R121-12-13-1, 2°" in condition(first, "residence").basis.text
    renewal = rules.afis_eligibility(
        person(residence_status="receipt_renewal", residence_permit_expiry=D(2026, 6, 1)),
        ON,
        psp_period=PERIOD,
    )
    assert condition(renewal, "residence").met is True and renewal.eligible is True


def test_an_expired_renewal_receipt_does_not_count():
    result = rules.afis_eligibility(
        person(residence_status="receipt_renewal", residence_permit_expiry=D(2026, 3, 9)),
        ON,
        psp_period=PERIOD,
    )
    assert condition(result, "residence").met is False


def test_every_residence_situation_is_classified():
    from parcours.people.models import ResidenceStatus

    known = rules.RESIDENCE_OK | rules.RESIDENCE_NOT_OK | {""}
    assert set(ResidenceStatus.values) == known


# --- Finding 7 a: after an exit or an early end, the AFIS stops from the first day of the next month -------
@pytest.mark.parametrize(
    ("ended", "stop"),
    [
        (D(2025, 3, 20), D(2025, 4, 1)),
        (D(2025, 3, 1), D(2025, 4, 1)),  # the first of the month: still the next month
        (D(2025, 3, 31), D(2025, 4, 1)),  # the last day: the very next day
        (D(2025, 12, 31), D(2026, 1, 1)),  # over the year
        (D(2024, 2, 29), D(2024, 3, 1)),  # leap day
        (D(2025, 2, 28), D(2025, 3, 1)),
    ],
)
def test_the_afis_stops_from_the_first_day_of_the_month_after_the_end(ended, stop):
    assert rules.afis_stop_on(ended) == stop


def test_the_afis_never_runs_past_the_authorised_period():
    # Exit on 20 March, the authorised period ended on 25 March: the AFIS ends with the period.
    assert rules.afis_stop_on(D(2025, 3, 20), D(2025, 3, 25)) == D(2025, 3, 26)
    assert rules.afis_stop_on(D(2025, 3, 20), D(2025, 8, 9)) == D(2025, 4, 1)


@pytest.mark.parametrize(
    ("today", "latest"),
    [
        (D(2025, 3, 20), D(2025, 4, 30)),
        (D(2025, 1, 31), D(2025, 2, 28)),
        (D(2024, 1, 31), D(2024, 2, 29)),
        (D(2025, 12, 1), D(2026, 1, 31)),
    ],
)
def test_a_stop_can_be_recorded_ahead_up_to_the_end_of_next_month(today, latest):
    assert rules.afis_stop_latest(today) == latest
