"""Positions of the case-study loan (SPEC §5, §10), with every figure worked out by hand.

Loan: 12,000.00, daily_rate 0.0005, 5 × equal_installment from 2026-01-15 (rows in
position_cases.py); installments 1-3 paid with 2,509.07 on their due dates. Default penalty:
1.5 × 0.0005 = 0.00075 a day on the overdue principal. Each penalty below is
days × base × rate, exact, rounded half-up once.
"""

from __future__ import annotations

from decimal import Decimal

from app.engine.penalty import PenaltyBase, PenaltyRule
from app.engine.position import position_as_of
from tests.engine.position_cases import (
    allocations_of,
    case_study,
    d,
    on_time_payments,
    overdue_on_july_first,
    paid_on_time,
    pay,
    row_of,
    summary_of,
    untouched,
)

PAID_1_TO_3 = [
    paid_on_time(1, "2329.07", "180.00", "2026-02-15"),
    paid_on_time(2, "2364.01", "145.06", "2026-03-15"),
    paid_on_time(3, "2399.47", "109.60", "2026-04-15"),
]


def test_case_study_before_installment_4_is_current_with_accrued_interest():
    """2026-05-10: nothing overdue; installments 4 and 5 upcoming.

    Not-yet-due principal 2435.46 + 2471.99 = 4907.45, unpaid since 2026-04-15 (the last due
    date on or before as_of). Accrued interest: 25 days [04-15, 05-10) × 4907.45 × 0.0005
    = 61.343125 → 61.34 (under their unpaid scheduled interest 73.61 + 37.08 = 110.69).
    payoff = 0 overdue + 4907.45 + 61.34 = 4968.79. Next: installment 4, 2435.46 + 73.61 = 2509.07.
    """
    position = position_as_of(case_study(), on_time_payments(), d("2026-05-10"))

    assert [row_of(r) for r in position.installments] == [
        *PAID_1_TO_3,
        untouched(4, "2435.46", "73.61"),
        untouched(5, "2471.99", "37.08"),
    ]
    assert summary_of(position) == {
        "overdue_principal": "0.00",
        "overdue_interest": "0.00",
        "overdue_fee": "0.00",
        "outstanding_penalty": "0.00",
        "total_overdue": "0.00",
        "outstanding_principal": "4907.45",
        "accrued_interest": "61.34",
        "payoff_amount": "4968.79",
        "penalty_capped": False,
        "days_past_due": 0,
        "bucket": "M0",
        "classification": "normal",
        "next_due_date": "2026-05-15",
        "next_payment": "2509.07",
    }


def test_case_study_installment_4_is_due_today_not_overdue_on_its_due_date():
    """2026-05-15: installment 4 is due_today, so total_overdue is 0 and nothing is past due.

    Accrued interest counts from the last due date on or before as_of (05-15): 0 days → 0.00.
    payoff = 0 overdue + installment 4 due today (2435.46 + 73.61 = 2509.07)
             + not-yet-due principal of installment 5 (2471.99) + 0.00 = 4981.06.
    """
    position = position_as_of(case_study(), on_time_payments(), d("2026-05-15"))

    due_today = {**untouched(4, "2435.46", "73.61"), "status": "due_today"}
    assert [row_of(r) for r in position.installments] == [
        *PAID_1_TO_3,
        due_today,
        untouched(5, "2471.99", "37.08"),
    ]
    assert summary_of(position) == {
        "overdue_principal": "0.00",
        "overdue_interest": "0.00",
        "overdue_fee": "0.00",
        "outstanding_penalty": "0.00",
        "total_overdue": "0.00",
        "outstanding_principal": "4907.45",
        "accrued_interest": "0.00",
        "payoff_amount": "4981.06",
        "penalty_capped": False,
        "days_past_due": 0,
        "bucket": "M0",
        "classification": "normal",
        "next_due_date": "2026-05-15",
        "next_payment": "2509.07",
    }


def test_case_study_36_days_past_due_is_m2_special_mention():
    """2026-06-20: installments 4 and 5 overdue.

    Installment 4: [05-15, 06-20) = 16 + 20 = 36 days × 2435.46 × 0.00075 = 65.757420 → 65.76.
    Installment 5: [06-15, 06-20) = 5 days × 2471.99 × 0.00075 = 9.2699625 → 9.27.
    overdue principal 4907.45, interest 73.61 + 37.08 = 110.69, penalty 65.76 + 9.27 = 75.03;
    total_overdue = 4907.45 + 110.69 + 75.03 = 5093.17 = payoff (nothing is not yet due, so
    no accrued interest). 36 days → M2 (31-60), special_mention (1-90); no next installment.
    """
    position = position_as_of(case_study(), on_time_payments(), d("2026-06-20"))

    rows = [row_of(r) for r in position.installments]
    assert rows[3] == {
        **untouched(4, "2435.46", "73.61"),
        "penalty_accrued": "65.76",
        "outstanding_penalty": "65.76",
        "days_past_due": 36,
        "status": "overdue",
    }
    assert rows[4] == {
        **untouched(5, "2471.99", "37.08"),
        "penalty_accrued": "9.27",
        "outstanding_penalty": "9.27",
        "days_past_due": 5,
        "status": "overdue",
    }
    assert summary_of(position) == {
        "overdue_principal": "4907.45",
        "overdue_interest": "110.69",
        "overdue_fee": "0.00",
        "outstanding_penalty": "75.03",
        "total_overdue": "5093.17",
        "outstanding_principal": "4907.45",
        "accrued_interest": "0.00",
        "payoff_amount": "5093.17",
        "penalty_capped": False,
        "days_past_due": 36,
        "bucket": "M2",
        "classification": "special_mention",
        "next_due_date": None,
        "next_payment": None,
    }


def _july_first(rule: PenaltyRule) -> dict[str, object]:
    return summary_of(
        position_as_of(case_study(), on_time_payments(), d("2026-07-01"), penalty=rule)
    )


def test_compound_penalty_also_charges_unpaid_contract_interest():
    """compound: the base is unpaid principal + unpaid contract interest, at 0.00075/day.

    Installment 4: (2435.46 + 73.61) = 2509.07 × 47 × 0.00075 = 88.4447175 → 88.44.
    Installment 5: (2471.99 + 37.08) = 2509.07 × 16 × 0.00075 = 30.108840 → 30.11.
    penalty 118.55; total_overdue = 4907.45 + 110.69 + 118.55 = 5136.69.
    """
    assert _july_first(PenaltyRule(compound=True)) == overdue_on_july_first(
        "118.55", "5136.69", capped=False
    )


def test_overdue_amount_base_at_an_absolute_daily_rate():
    """base overdue_amount (花呗): principal + interest + fee, at the absolute 0.0005/day.

    Installment 4: 2509.07 × 47 × 0.0005 = 58.963145 → 58.96.
    Installment 5: 2509.07 × 16 × 0.0005 = 20.072560 → 20.07.
    penalty 79.03; total_overdue = 4907.45 + 110.69 + 79.03 = 5097.17.
    """
    rule = PenaltyRule(
        rate_multiplier=None, daily_rate=Decimal("0.0005"), base=PenaltyBase.OVERDUE_AMOUNT
    )
    assert _july_first(rule) == overdue_on_july_first("79.03", "5097.17", capped=False)


def test_penalty_rate_is_capped_at_cap_annual_rate():
    """rate_multiplier 2 → 0.001/day, above the cap 0.24 / 360 = 1/1500 a day: capped.

    Installment 4: 2435.46 × 47 / 1500 = 114466.62 / 1500 = 76.31108 → 76.31.
    Installment 5: 2471.99 × 16 / 1500 = 39551.84 / 1500 = 26.367893… → 26.37.
    penalty 102.68; total_overdue = 4907.45 + 110.69 + 102.68 = 5120.82; penalty_capped true.
    """
    rule = PenaltyRule(rate_multiplier=Decimal(2), cap_annual_rate=Decimal("0.24"))
    assert _july_first(rule) == overdue_on_july_first("102.68", "5120.82", capped=True)


def test_cap_above_the_rate_does_not_bite():
    """The default 0.00075/day is 0.27 a year, under a cap of 0.30: not capped.

    Installment 4: 2435.46 × 47 × 0.00075 = 85.849965 → 85.85.
    Installment 5: 2471.99 × 16 × 0.00075 = 29.663880 → 29.66.
    penalty 115.51; total_overdue = 4907.45 + 110.69 + 115.51 = 5133.65.
    """
    rule = PenaltyRule(cap_annual_rate=Decimal("0.30"))
    assert _july_first(rule) == overdue_on_july_first("115.51", "5133.65", capped=False)


def test_paying_one_day_late_costs_one_day_of_penalty_and_the_rest_prepays():
    """2,600.00 paid on 2026-02-16, one day after installment 1 was due.

    Penalty: 1 day (02-15) × 2329.07 × 0.00075 = 1.7468025 → 1.75.
    Allocation (penalty, fee, interest, principal): 1.75 + 180.00 + 2329.07 = 2510.82;
    left 2600.00 - 2510.82 = 89.18, far from settling (9,670.93 not yet due), so it prepays
    installment 2's principal: 2364.01 - 89.18 = 2274.83 left.
    On 2026-03-01: outstanding principal 2274.83 + 2399.47 + 2435.46 + 2471.99 = 9581.75.
    Accrued interest over [02-15, 03-01): 1 day on 9670.93 (the prepayment counts from 02-16)
    + 13 days on 9581.75 = 9670.93 + 124562.75 = 134233.68 × 0.0005 = 67.11684 → 67.12.
    payoff = 9581.75 + 67.12 = 9648.87; next payment 2274.83 + 145.06 = 2419.89.
    """
    position = position_as_of(case_study(), [pay("2026-02-16", "2600.00", "a")], d("2026-03-01"))

    assert allocations_of(position, 0) == [
        (1, "penalty", "1.75"),
        (1, "interest", "180.00"),
        (1, "principal", "2329.07"),
        (2, "principal", "89.18"),
    ]
    assert position.payments[0].unapplied == 0
    assert [row_of(r) for r in position.installments] == [
        {
            **paid_on_time(1, "2329.07", "180.00", "2026-02-16"),
            "paid_penalty": "1.75",
            "penalty_accrued": "1.75",
            "status": "paid_late",
        },
        {**untouched(2, "2274.83", "145.06"), "paid_principal": "89.18"},
        untouched(3, "2399.47", "109.60"),
        untouched(4, "2435.46", "73.61"),
        untouched(5, "2471.99", "37.08"),
    ]
    assert summary_of(position) == {
        "overdue_principal": "0.00",
        "overdue_interest": "0.00",
        "overdue_fee": "0.00",
        "outstanding_penalty": "0.00",
        "total_overdue": "0.00",
        "outstanding_principal": "9581.75",
        "accrued_interest": "67.12",
        "payoff_amount": "9648.87",
        "penalty_capped": False,
        "days_past_due": 0,
        "bucket": "M0",
        "classification": "normal",
        "next_due_date": "2026-03-15",
        "next_payment": "2419.89",
    }


def test_paying_on_the_due_date_costs_no_penalty():
    """Paid on 2026-02-15 itself: 0 days of penalty (算头不算尾), status paid."""
    position = position_as_of(case_study(), [pay("2026-02-15", "2509.07")], d("2026-03-01"))

    assert row_of(position.installments[0]) == paid_on_time(1, "2329.07", "180.00", "2026-02-15")
