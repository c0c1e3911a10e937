"""Grace days (宽限期, SPEC §5) on the case-study loan with grace_days 3.

Installment 1 (2329.07 principal + 180.00 interest) is due 2026-02-15; its grace window ends
on 2026-02-18. Penalty rate 1.5 × 0.0005 = 0.00075 a day on the overdue principal.
"""

from __future__ import annotations

from app.engine.penalty import PenaltyRule
from app.engine.position import position_as_of
from tests.engine.position_cases import (
    allocations_of,
    case_study,
    d,
    paid_on_time,
    pay,
    row_of,
    summary_of,
)

GRACE_3 = PenaltyRule(grace_days=3)


def test_paid_on_the_last_grace_day_bears_no_penalty_but_is_paid_late():
    """2,509.07 paid on 2026-02-18 (day 3): no penalty at all, status paid_late.

    On 2026-03-01, accrued interest over [02-15, 03-01) = 14 days × 9670.93 × 0.0005
    = 67.69651 → 67.70; payoff = 9670.93 + 67.70 = 9738.63.
    """
    position = position_as_of(
        case_study(), [pay("2026-02-18", "2509.07")], d("2026-03-01"), penalty=GRACE_3
    )

    assert allocations_of(position, 0) == [(1, "interest", "180.00"), (1, "principal", "2329.07")]
    assert row_of(position.installments[0]) == {
        **paid_on_time(1, "2329.07", "180.00", "2026-02-18"),
        "status": "paid_late",
    }
    summary = summary_of(position)
    assert (summary["total_overdue"], summary["accrued_interest"], summary["payoff_amount"]) == (
        "0.00",
        "67.70",
        "9738.63",
    )


def test_paid_on_the_day_after_grace_bears_penalty_from_the_due_date():
    """Paid on 2026-02-19 (day 4): the whole penalty from the due date, as if no grace.

    4 days [02-15, 02-19) × 2329.07 × 0.00075 = 6.98721 → 6.99; 2,516.06 = 2509.07 + 6.99
    pays penalty 6.99, interest 180.00 and principal 2329.07 exactly.
    """
    position = position_as_of(
        case_study(), [pay("2026-02-19", "2516.06")], d("2026-03-01"), penalty=GRACE_3
    )

    assert allocations_of(position, 0) == [
        (1, "penalty", "6.99"),
        (1, "interest", "180.00"),
        (1, "principal", "2329.07"),
    ]
    assert position.payments[0].unapplied == 0
    assert row_of(position.installments[0]) == {
        **paid_on_time(1, "2329.07", "180.00", "2026-02-19"),
        "paid_penalty": "6.99",
        "penalty_accrued": "6.99",
        "status": "paid_late",
    }


def test_inside_the_grace_window_an_unpaid_installment_shows_no_penalty_yet():
    """As of 2026-02-18, unpaid: overdue and 3 days past due (counted regardless of grace),
    but the penalty shown is 0.

    total_overdue = 2329.07 + 180.00 = 2509.07; accrued interest on the not-yet-due
    9,670.93 over [02-15, 02-18) = 3 × 9670.93 × 0.0005 = 14.506395 → 14.51;
    payoff = 2509.07 + 9670.93 + 14.51 = 12194.51. 3 days → M1, special_mention.
    """
    position = position_as_of(case_study(), [], d("2026-02-18"), penalty=GRACE_3)

    assert summary_of(position) == {
        "overdue_principal": "2329.07",
        "overdue_interest": "180.00",
        "overdue_fee": "0.00",
        "outstanding_penalty": "0.00",
        "total_overdue": "2509.07",
        "outstanding_principal": "12000.00",
        "accrued_interest": "14.51",
        "payoff_amount": "12194.51",
        "penalty_capped": False,
        "days_past_due": 3,
        "bucket": "M1",
        "classification": "special_mention",
        "next_due_date": "2026-03-15",
        "next_payment": "2509.07",
    }


def test_once_the_grace_window_closes_unpaid_the_whole_penalty_appears():
    """As of 2026-02-19, unpaid: 4 days × 2329.07 × 0.00075 = 6.98721 → 6.99 appears at once.

    total_overdue = 2509.07 + 6.99 = 2516.06.
    """
    position = position_as_of(case_study(), [], d("2026-02-19"), penalty=GRACE_3)

    row = row_of(position.installments[0])
    assert (row["penalty_accrued"], row["outstanding_penalty"], row["days_past_due"]) == (
        "6.99",
        "6.99",
        4,
    )
    assert summary_of(position)["total_overdue"] == "2516.06"
