"""Payment allocation (还款冲抵顺序), over-payment and early settlement (提前结清), SPEC §5.

All on the case-study loan (rows in position_cases.py). With no payment, on 2026-03-20
installments 1 (due 02-15) and 2 (due 03-15) are overdue; their penalty before a payment dated
03-20 (it counts from 03-20 on) is, at 1.5 × 0.0005 = 0.00075 a day:
  installment 1: [02-15, 03-20) = 14 + 19 = 33 days × 2329.07 × 0.00075 = 57.6444825 → 57.64
  installment 2: [03-15, 03-20) =            5 days × 2364.01 × 0.00075 =  8.8650375 →  8.87
"""

from __future__ import annotations

from app.engine.allocation import AllocationRule, Strategy
from app.engine.ledger import Component
from app.engine.position import position_as_of
from tests.engine.position_cases import (
    NOTHING_OWED,
    allocations_of,
    case_study,
    d,
    on_time_payments,
    pay,
    row_of,
    summary_of,
)

COMPONENT_FIRST = AllocationRule(strategy=Strategy.COMPONENT_FIRST)
PENALTY_LAST = AllocationRule(
    order=(Component.FEE, Component.INTEREST, Component.PRINCIPAL, Component.PENALTY)
)


def test_installment_first_pays_all_of_the_oldest_installment_before_the_next():
    """1,000.00 on 2026-03-20, installment_first: installment 1's penalty 57.64, interest 180.00,
    then principal 1000.00 - 237.64 = 762.36; installment 2 gets nothing.

    As of 2026-03-31, installment 1's principal left is 2329.07 - 762.36 = 1566.71:
      penalty 1 = 57.6444825 + 11 days [03-20, 03-31) × 1566.71 × 0.00075 (12.9253575)
                = 70.5698400 → 70.57, paid 57.64, outstanding 12.93;
      penalty 2 = 16 days [03-15, 03-31) × 2364.01 × 0.00075 = 28.36812 → 28.37, unpaid.
    overdue principal 1566.71 + 2364.01 = 3930.72, interest 145.06, penalty 41.30;
    total_overdue = 4117.08. Accrued interest on the not-yet-due 7306.92 (installments 3-5)
    over [03-15, 03-31) = 16 × 7306.92 × 0.0005 = 58.45536 → 58.46;
    payoff = 4117.08 + 7306.92 + 58.46 = 11482.46. 44 days past due (02-15 → 03-31): M2.
    """
    position = position_as_of(case_study(), [pay("2026-03-20", "1000.00")], d("2026-03-31"))

    assert allocations_of(position, 0) == [
        (1, "penalty", "57.64"),
        (1, "interest", "180.00"),
        (1, "principal", "762.36"),
    ]
    first, second = (row_of(r) for r in position.installments[:2])
    assert (
        first["outstanding_principal"],
        first["penalty_accrued"],
        first["outstanding_penalty"],
        first["days_past_due"],
    ) == ("1566.71", "70.57", "12.93", 44)
    assert (
        second["outstanding_interest"],
        second["penalty_accrued"],
        second["outstanding_penalty"],
        second["days_past_due"],
    ) == ("145.06", "28.37", "28.37", 16)
    assert summary_of(position) == {
        "overdue_principal": "3930.72",
        "overdue_interest": "145.06",
        "overdue_fee": "0.00",
        "outstanding_penalty": "41.30",
        "total_overdue": "4117.08",
        "outstanding_principal": "11237.64",
        "accrued_interest": "58.46",
        "payoff_amount": "11482.46",
        "penalty_capped": False,
        "days_past_due": 44,
        "bucket": "M2",
        "classification": "special_mention",
        "next_due_date": "2026-04-15",
        "next_payment": "2509.07",
    }


def test_component_first_pays_each_component_across_due_installments_before_the_next():
    """The same 1,000.00 with component_first: every penalty (57.64, 8.87), then every
    interest (180.00, 145.06), then principal, oldest first: 1000.00 - 391.57 = 608.43 to
    installment 1, leaving 2329.07 - 608.43 = 1720.64.

    As of 2026-03-31:
      penalty 1 = 57.6444825 + 11 × 1720.64 × 0.00075 (14.19528) = 71.8397625 → 71.84,
                  paid 57.64, outstanding 14.20;
      penalty 2 = 28.36812 → 28.37, paid 8.87, outstanding 19.50.
    overdue principal 1720.64 + 2364.01 = 4084.65, interest 0, penalty 33.70;
    total_overdue 4118.35; payoff = 4118.35 + 7306.92 + 58.46 = 11483.73.
    """
    position = position_as_of(
        case_study(), [pay("2026-03-20", "1000.00")], d("2026-03-31"), allocation=COMPONENT_FIRST
    )

    assert allocations_of(position, 0) == [
        (1, "penalty", "57.64"),
        (2, "penalty", "8.87"),
        (1, "interest", "180.00"),
        (2, "interest", "145.06"),
        (1, "principal", "608.43"),
    ]
    first, second = (row_of(r) for r in position.installments[:2])
    assert (
        first["outstanding_principal"],
        first["penalty_accrued"],
        first["outstanding_penalty"],
    ) == ("1720.64", "71.84", "14.20")
    assert (second["paid_penalty"], second["penalty_accrued"], second["outstanding_penalty"]) == (
        "8.87",
        "28.37",
        "19.50",
    )
    assert summary_of(position) == {
        "overdue_principal": "4084.65",
        "overdue_interest": "0.00",
        "overdue_fee": "0.00",
        "outstanding_penalty": "33.70",
        "total_overdue": "4118.35",
        "outstanding_principal": "11391.57",
        "accrued_interest": "58.46",
        "payoff_amount": "11483.73",
        "penalty_capped": False,
        "days_past_due": 44,
        "bucket": "M2",
        "classification": "special_mention",
        "next_due_date": "2026-04-15",
        "next_payment": "2509.07",
    }


def test_over_payment_beyond_the_whole_debt_settles_the_loan_and_shows_unapplied():
    """20,000.00 on 2026-03-20 with installments 1 and 2 overdue.

    Due first: installment 1: 57.64 + 180.00 + 2329.07 = 2566.71;
               installment 2:  8.87 + 145.06 + 2364.01 = 2517.94; together 5084.65.
    Left 14915.35 ≥ not-yet-due principal 7306.92 + settlement interest over [03-15, 03-20)
    = 5 × 7306.92 × 0.0005 = 18.2673 → 18.27: settles early (提前结清), paying interest 18.27
    as installment 3's, then the principals 2399.47, 2435.46, 2471.99.
    unapplied = 14915.35 - 7325.19 = 7590.16. Cancelled interest: 109.60 - 18.27 = 91.33,
    73.61 and 37.08.
    """
    position = position_as_of(case_study(), [pay("2026-03-20", "20000.00")], d("2026-03-20"))

    assert allocations_of(position, 0) == [
        (1, "penalty", "57.64"),
        (1, "interest", "180.00"),
        (1, "principal", "2329.07"),
        (2, "penalty", "8.87"),
        (2, "interest", "145.06"),
        (2, "principal", "2364.01"),
        (3, "interest", "18.27"),
        (3, "principal", "2399.47"),
        (4, "principal", "2435.46"),
        (5, "principal", "2471.99"),
    ]
    assert str(position.payments[0].unapplied) == "7590.16"
    rows = [row_of(r) for r in position.installments]
    assert [(r["status"], r["settled_on"]) for r in rows] == [
        ("paid_late", "2026-03-20"),
        ("paid_late", "2026-03-20"),
        ("paid", "2026-03-20"),
        ("paid", "2026-03-20"),
        ("paid", "2026-03-20"),
    ]
    assert [r["cancelled_interest"] for r in rows] == ["0.00", "0.00", "91.33", "73.61", "37.08"]
    summary = summary_of(position)
    assert summary == NOTHING_OWED


def _penalty_last_late_payment():
    return pay("2026-02-20", "2509.07")


def test_with_penalty_last_an_installment_stays_overdue_until_its_penalty_is_paid():
    """order [fee, interest, principal, penalty]: 2,509.07 on 2026-02-20 pays interest 180.00
    and principal 2329.07 but not the penalty of 5 days [02-15, 02-20) × 2329.07 × 0.00075
    = 8.7340125 → 8.73.

    As of 2026-03-01 installment 1 is still overdue, 14 days past due (02-15 → 03-01), with
    8.73 of penalty (its base has been 0 since 02-20, so no more accrues): total_overdue 8.73;
    payoff = 8.73 + 9670.93 + accrued 14 × 9670.93 × 0.0005 (67.69651 → 67.70) = 9747.36.
    14 days → M1, special_mention.
    """
    position = position_as_of(
        case_study(), [_penalty_last_late_payment()], d("2026-03-01"), allocation=PENALTY_LAST
    )

    assert allocations_of(position, 0) == [(1, "interest", "180.00"), (1, "principal", "2329.07")]
    row = row_of(position.installments[0])
    assert (
        row["status"],
        row["days_past_due"],
        row["settled_on"],
        row["outstanding_principal"],
        row["penalty_accrued"],
        row["outstanding_penalty"],
    ) == ("overdue", 14, None, "0.00", "8.73", "8.73")
    assert summary_of(position) == {
        "overdue_principal": "0.00",
        "overdue_interest": "0.00",
        "overdue_fee": "0.00",
        "outstanding_penalty": "8.73",
        "total_overdue": "8.73",
        "outstanding_principal": "9670.93",
        "accrued_interest": "67.70",
        "payoff_amount": "9747.36",
        "penalty_capped": False,
        "days_past_due": 14,
        "bucket": "M1",
        "classification": "special_mention",
        "next_due_date": "2026-03-15",
        "next_payment": "2509.07",
    }


def test_with_penalty_last_paying_the_open_penalty_settles_the_installment():
    """After the 2,509.07 of 2026-02-20 (penalty 8.73 left open), 8.73 paid on 2026-03-05 goes
    to installment 1's penalty (it is due, so it comes before any prepayment) and settles
    installment 1 that day: paid_late, nothing overdue."""
    payments = [_penalty_last_late_payment(), pay("2026-03-05", "8.73")]
    cured = position_as_of(case_study(), payments, d("2026-03-05"), allocation=PENALTY_LAST)

    assert allocations_of(cured, 1) == [(1, "penalty", "8.73")]
    row = row_of(cured.installments[0])
    assert (row["status"], row["settled_on"], row["paid_penalty"], row["outstanding_penalty"]) == (
        "paid_late",
        "2026-03-05",
        "8.73",
        "0.00",
    )
    assert summary_of(cured)["total_overdue"] == "0.00"


def test_paying_exactly_the_payoff_amount_settles_with_nothing_unapplied():
    """On 2026-05-10 the payoff is 4968.79 (4907.45 + 25 days × 4907.45 × 0.0005 = 61.34).
    Paying it that day: interest 61.34 as installment 4's, principals 2435.46 and 2471.99;
    installments 4 and 5 settle on 05-10 (before their due dates: paid), the rest of their
    interest is cancelled: 73.61 - 61.34 = 12.27 and 37.08.
    """
    payments = [*on_time_payments(), pay("2026-05-10", "4968.79", "es")]
    position = position_as_of(case_study(), payments, d("2026-05-10"))

    assert allocations_of(position, 3) == [
        (4, "interest", "61.34"),
        (4, "principal", "2435.46"),
        (5, "principal", "2471.99"),
    ]
    assert position.payments[3].unapplied == 0
    rows = [row_of(r) for r in position.installments]
    assert [
        (r["status"], r["settled_on"], r["cancelled_interest"], r["paid_interest"])
        for r in rows[3:]
    ] == [
        ("paid", "2026-05-10", "12.27", "61.34"),
        ("paid", "2026-05-10", "37.08", "0.00"),
    ]
    summary = summary_of(position)
    assert (
        summary["outstanding_principal"],
        summary["accrued_interest"],
        summary["payoff_amount"],
        summary["next_due_date"],
    ) == ("0.00", "0.00", "0.00", None)


def test_a_payment_after_the_loan_is_settled_is_all_unapplied():
    """After the payoff of 2026-05-10 settles the loan, 50.00 paid on 2026-05-12 has nothing
    to reach: no allocations, 50.00 unapplied."""
    payments = [*on_time_payments(), pay("2026-05-10", "4968.79", "es"), pay("2026-05-12", "50.00")]
    position = position_as_of(case_study(), payments, d("2026-05-20"))

    assert allocations_of(position, 4) == []
    assert str(position.payments[4].unapplied) == "50.00"
    assert summary_of(position)["payoff_amount"] == "0.00"


def test_one_cent_less_than_the_payoff_only_prepays():
    """4,968.78 on 2026-05-10 is 0.01 short of 4907.45 + 61.34, so it prepays in due order,
    each installment principal first: installment 4 principal 2435.46 and interest 73.61
    (4968.78 - 2509.07 = 2459.71 left), then installment 5 principal 2459.71, leaving 12.28.

    Installment 4 is paid in full early (settled 05-10, paid). Accrued interest: 25 days
    × 4907.45 × 0.0005 = 61.34 (the payment counts from 05-10), less the 73.61 interest already
    paid on not-yet-due installments, kept at 0. payoff = 12.28 + 0.00 = 12.28;
    next payment installment 5: 12.28 + 37.08 = 49.36.
    """
    payments = [*on_time_payments(), pay("2026-05-10", "4968.78", "es")]
    position = position_as_of(case_study(), payments, d("2026-05-10"))

    assert allocations_of(position, 3) == [
        (4, "principal", "2435.46"),
        (4, "interest", "73.61"),
        (5, "principal", "2459.71"),
    ]
    assert position.payments[3].unapplied == 0
    rows = [row_of(r) for r in position.installments]
    assert (rows[3]["status"], rows[3]["settled_on"], rows[3]["cancelled_interest"]) == (
        "paid",
        "2026-05-10",
        "0.00",
    )
    assert (rows[4]["status"], rows[4]["outstanding_principal"], rows[4]["cancelled_interest"]) == (
        "upcoming",
        "12.28",
        "0.00",
    )
    assert summary_of(position) == {
        "overdue_principal": "0.00",
        "overdue_interest": "0.00",
        "overdue_fee": "0.00",
        "outstanding_penalty": "0.00",
        "total_overdue": "0.00",
        "outstanding_principal": "12.28",
        "accrued_interest": "0.00",
        "payoff_amount": "12.28",
        "penalty_capped": False,
        "days_past_due": 0,
        "bucket": "M0",
        "classification": "normal",
        "next_due_date": "2026-06-15",
        "next_payment": "49.36",
    }


def test_payments_on_one_date_apply_in_request_order():
    """Two payments on 2026-02-15 (100.00 then 2409.07) pay installment 1 in that order:
    the first goes to interest (100.00 of 180.00), the second to the rest of the interest
    (80.00) and the principal 2329.07."""
    payments = [pay("2026-02-15", "100.00", "first"), pay("2026-02-15", "2409.07", "second")]
    position = position_as_of(case_study(), payments, d("2026-02-15"))

    assert allocations_of(position, 0) == [(1, "interest", "100.00")]
    assert allocations_of(position, 1) == [(1, "interest", "80.00"), (1, "principal", "2329.07")]
    assert row_of(position.installments[0])["status"] == "paid"
