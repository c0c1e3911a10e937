"""Penalty interest (罚息) in detail (SPEC §5): base, compound, fees, rounding, long arrears."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.engine.money import Rounding
from app.engine.penalty import PenaltyBase, PenaltyRule
from app.engine.position import position_as_of
from tests.engine.position_cases import (
    allocations_of,
    case_study,
    contract,
    d,
    money,
    on_time_payments,
    pay,
    row_of,
)


def _single(interest: str = "10.00", fee: str = "5.00", rounding: Rounding = Rounding.HALF_UP):
    """One installment of 1,000.00 principal due 2026-02-01 (start 2026-01-01, 0.0005 a day)."""
    return contract(
        [("2026-02-01", "1000.00", interest, fee)],
        start_date="2026-01-01",
        daily_rate="0.0005",
        rounding=rounding,
    )


@pytest.mark.parametrize(
    ("rule", "penalty"),
    [
        # overdue_principal: 10 days [02-01, 02-11) × 1000.00 × 0.00075 = 7.50
        (PenaltyRule(), "7.50"),
        # compound adds unpaid interest, never the fee: 1010.00 × 10 × 0.00075 = 7.575 → 7.58
        (PenaltyRule(compound=True), "7.58"),
        # overdue_amount includes the fee: 1015.00 × 10 × 0.00075 = 7.6125 → 7.61
        (PenaltyRule(base=PenaltyBase.OVERDUE_AMOUNT), "7.61"),
        # with overdue_amount the compound flag changes nothing
        (PenaltyRule(base=PenaltyBase.OVERDUE_AMOUNT, compound=True), "7.61"),
    ],
    ids=["principal", "compound", "overdue_amount", "overdue_amount-compound"],
)
def test_penalty_base_takes_fees_only_with_overdue_amount(rule, penalty):
    position = position_as_of(_single(), [], d("2026-02-11"), penalty=rule)

    assert money(position.installments[0].penalty_accrued) == penalty
    assert money(position.summary.outstanding_penalty) == penalty


def test_compound_flag_changes_nothing_on_the_overdue_amount_base_for_the_case_study():
    """Case study on 2026-07-01 with base overdue_amount at 0.0005: 58.96 + 20.07 = 79.03
    (see test_position_case_study), with or without compound."""
    for compound in (False, True):
        rule = PenaltyRule(
            rate_multiplier=None,
            daily_rate=Decimal("0.0005"),
            base=PenaltyBase.OVERDUE_AMOUNT,
            compound=compound,
        )
        position = position_as_of(case_study(), on_time_payments(), d("2026-07-01"), penalty=rule)
        assert money(position.summary.outstanding_penalty) == "79.03"


def test_compound_penalty_follows_the_unpaid_interest_after_a_partial_payment():
    """Case study, compound, 100.00 paid on 2026-02-20 on installment 1 (due 02-15).

    Penalty to 02-20: 5 days × (2329.07 + 180.00) × 0.00075 = 9.4090125 → 9.41 paid first;
    then interest 100.00 - 9.41 = 90.59, leaving 180.00 - 90.59 = 89.41 unpaid interest.
    Base from 02-20: 2329.07 + 89.41 = 2418.48; to 03-01: 9 days × 2418.48 × 0.00075
    = 16.32474; accrued 9.4090125 + 16.32474 = 25.7337525 → 25.73, outstanding 25.73 - 9.41
    = 16.32.
    """
    position = position_as_of(
        case_study(),
        [pay("2026-02-20", "100.00")],
        d("2026-03-01"),
        penalty=PenaltyRule(compound=True),
    )

    assert allocations_of(position, 0) == [(1, "penalty", "9.41"), (1, "interest", "90.59")]
    row = row_of(position.installments[0])
    assert (
        row["penalty_accrued"],
        row["paid_penalty"],
        row["outstanding_penalty"],
        row["outstanding_interest"],
    ) == ("25.73", "9.41", "16.32", "89.41")


def test_without_compound_paying_interest_does_not_change_the_penalty_base():
    """The same 100.00 without compound: penalty 5 × 2329.07 × 0.00075 = 8.7340125 → 8.73,
    interest 91.27; base stays 2329.07, so to 03-01: 14 × 2329.07 × 0.00075 = 24.455235
    → 24.46, outstanding 24.46 - 8.73 = 15.73."""
    position = position_as_of(case_study(), [pay("2026-02-20", "100.00")], d("2026-03-01"))

    assert allocations_of(position, 0) == [(1, "penalty", "8.73"), (1, "interest", "91.27")]
    row = row_of(position.installments[0])
    assert (row["penalty_accrued"], row["outstanding_penalty"]) == ("24.46", "15.73")


@pytest.mark.parametrize(
    ("as_of", "half_up", "half_even"),
    [
        # 1 day × 1000.00 × 0.000005 = 0.005: a tie, up to 0.01 or to the even 0.00
        ("2026-02-02", "0.01", "0.00"),
        # 5 days: 0.025 → 0.03 half-up, 0.02 half-even
        ("2026-02-06", "0.03", "0.02"),
        # 3 days: 0.015 → 0.02 both ways
        ("2026-02-04", "0.02", "0.02"),
    ],
)
def test_penalty_is_rounded_once_by_the_loans_rounding(as_of, half_up, half_even):
    rule = PenaltyRule(rate_multiplier=None, daily_rate=Decimal("0.000005"))
    shown = {
        rounding: money(
            position_as_of(_single("0.00", "0.00", rounding), [], d(as_of), penalty=rule)
            .installments[0]
            .penalty_accrued
        )
        for rounding in Rounding
    }

    assert shown == {Rounding.HALF_UP: half_up, Rounding.HALF_EVEN: half_even}


def test_three_years_of_arrears_accrue_every_day():
    """Unpaid from 2026-02-01 to 2029-02-01: 365 + 365 + 366 (2028) = 1096 days
    × 1000.00 × 0.00075 = 822.00; 1096 days past due: M7+, loss."""
    position = position_as_of(_single(), [], d("2029-02-01"))

    summary = position.summary
    assert money(summary.outstanding_penalty) == "822.00"
    assert (summary.days_past_due, summary.bucket, summary.classification) == (1096, "M7+", "loss")
    assert money(summary.total_overdue) == "1837.00"  # 1000.00 + 10.00 + 5.00 + 822.00


def test_summary_adds_the_rounded_penalty_of_each_installment():
    """Two installments of 1,000.00 due 02-01 and 03-01, absolute 0.000005 a day, as of 03-02:
    installment 1: 29 days × 1000.00 × 0.000005 = 0.145 → 0.15; installment 2: 1 day → 0.005
    → 0.01. The summary adds the rounded amounts: 0.16 (rounding the exact 0.150 would give 0.15).
    """
    loan = contract(
        [("2026-02-01", "1000.00", "0.00"), ("2026-03-01", "1000.00", "0.00")],
        start_date="2026-01-01",
        daily_rate="0.0005",
    )
    rule = PenaltyRule(rate_multiplier=None, daily_rate=Decimal("0.000005"))

    position = position_as_of(loan, [], d("2026-03-02"), penalty=rule)

    assert [money(r.penalty_accrued) for r in position.installments] == ["0.15", "0.01"]
    assert money(position.summary.outstanding_penalty) == "0.16"
