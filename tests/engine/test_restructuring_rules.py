"""Restructuring rules of SPEC §6 on small, hand-worked variations of the case study.

Case-study loan (position_cases.py): installments of 2509.07 due on the 15th, Feb to Jun 2026;
installment 4 is 2435.46 principal + 73.61 interest, installment 5 2471.99 + 37.08. Default
penalty 1.5 × 0.0005 = 0.00075 a day on the overdue principal; plan rate 0.015 a month.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.engine.allocation import AllocationRule
from app.engine.contract_rate import ContractRate
from app.engine.dates import DayCount
from app.engine.ledger import Component
from app.engine.loan_contract import contract_of
from app.engine.money import CNY
from app.engine.penalty import PenaltyRule
from app.engine.restructuring import (
    RestructuringPolicy,
    RestructuringRequest,
    restructuring_options,
)
from app.engine.schedule import LoanTerms, Method, build_schedule
from tests.engine.position_cases import case_study, d, money, on_time_payments, pay
from tests.engine.test_restructuring_case_study import by_id, figures, table


def options(
    as_of: str,
    *,
    payments=None,
    capacity: str | None = None,
    policy: RestructuringPolicy | None = None,
    contract=None,
    allocation: AllocationRule | None = None,
):
    return restructuring_options(
        RestructuringRequest(
            contract=contract or case_study(),
            payments=on_time_payments() if payments is None else payments,
            as_of=d(as_of),
            capacity=Decimal(capacity) if capacity is not None else None,
            policy=policy or RestructuringPolicy(),
            allocation=allocation or AllocationRule(),
        )
    )


def all_five_on_time():
    return [
        *on_time_payments(),
        pay("2026-05-15", "2509.07", "cs-4"),
        pay("2026-06-15", "2509.07", "cs-5"),
    ]


def test_pay_overdue_now_keeps_the_installments_not_yet_due():
    """2026-05-20: installment 4 is 5 days late, installment 5 (due 06-15) not yet due.

    penalty 5 d × 2435.46 × 0.00075 = 9.132975 → 9.13; total_overdue = 2435.46 + 73.61 + 9.13
    = 2518.20. pay_overdue_now: 2518.20 today, then installment 5's 2509.07: term 1, max 2518.20,
    total 5027.27, cost 5027.27 − 4907.45 = 119.82, nothing waived.
    """
    result = options("2026-05-20")

    overdue_now = by_id(result)["pay_overdue_now"]
    assert figures(overdue_now) == (
        "pay_overdue_now",
        1,
        "2518.20",
        "2518.20",
        "5027.27",
        "119.82",
        "0.00",
        "0.00",
        None,
        None,
        True,
    )
    assert [(r.due_date.isoformat(), money(r.payment)) for r in overdue_now.installments] == [
        ("2026-05-20", "2518.20"),
        ("2026-06-15", "2509.07"),
    ]


def test_settlement_discount_counts_the_accrued_interest_in_b0():
    """2026-05-20, settlement_discount 0.5. Accrued interest on installment 5's principal since
    the last due date 05-15: 5 d × 2471.99 × 0.0005 = 6.179975 → 6.18. payoff = 2518.20 + 2471.99
    + 6.18 = 4996.37; B0 = 4996.37 − 9.13 = 4987.24. Interest in B0 = overdue 73.61 + due today 0
    + accrued 6.18 = 79.79. SPEC §6 rounds the amount paid, not the discount:
    4987.24 − 0.5 × 79.79 = 4987.24 − 39.895 = 4947.345 → 4947.35 (half-up); waived interest is
    what B0 loses, 4987.24 − 4947.35 = 39.89; cost 4947.35 − 4907.45 = 39.90. (Rounding the
    discount first, 39.895 → 39.90, would give 4947.34: one fen off at this tie.)
    """
    result = options("2026-05-20", policy=RestructuringPolicy(settlement_discount=Decimal("0.5")))

    assert money(result.balance) == "4987.24"
    assert figures(by_id(result)["settle_now"]) == (
        "settle_now",
        0,
        "4947.35",
        "4947.35",
        "4947.35",
        "39.90",
        "9.13",
        "39.89",
        None,
        None,
        True,
    )


def test_an_overdue_payment_above_the_old_installment_is_no_candidate_without_capacity():
    """2026-05-20, no capacity: pay_overdue_now is cheapest (119.82) but its first payment 2518.20
    exceeds the installment_amount 2509.07, so it is no candidate. Next cheapest candidate:
    B0 4987.24 in 3: A = 4987.24 × 0.015 × 1.045678375 / 0.045678375 = 1712.530 → 1712.53,
    last row 1687.23 + 25.31 = 1712.54; total 5137.60, cost 230.15 < deferral-1's 267.09
    (74.81 + 2549.86 + 2549.87 = 5174.54). Recommended: reinstallment-3."""
    result = options("2026-05-20")

    assert figures(by_id(result)["reinstallment-3"])[:6] == (
        "reinstallment-3",
        3,
        "1712.53",
        "1712.54",
        "5137.60",
        "230.15",
    )
    assert figures(by_id(result)["deferral-1"])[5] == "267.09"
    assert result.recommended == "reinstallment-3"


def test_pay_overdue_now_is_listed_with_nothing_overdue_and_due_today_interest_is_discounted():
    """2026-05-15: installment 4 is due today, nothing is overdue. payoff = 2509.07 (due today)
    + 2471.99 (not yet due) + 0.00 accrued (0 days since 05-15) = 4981.06 = B0 (no penalty).
    pay_overdue_now: 0.00 now, then installments 4 and 5: term 2, max 2509.07, total 5018.14,
    cost 110.69. settle_now with discount 0.1: interest in B0 = 0 overdue + 73.61 due today + 0
    accrued; round(7.361) = 7.36; 4981.06 − 7.36 = 4973.70, cost 66.25.
    Without capacity pay_overdue_now (first 0.00 ≤ 2509.07, cost 110.69) beats every plan:
    reinstallment-3 of 4981.06 costs 223.79; settle_now (4973.70) is no candidate."""
    result = options("2026-05-15", policy=RestructuringPolicy(settlement_discount=Decimal("0.1")))
    found = by_id(result)

    assert money(result.balance) == "4981.06"
    assert figures(found["pay_overdue_now"]) == (
        "pay_overdue_now",
        2,
        "0.00",
        "2509.07",
        "5018.14",
        "110.69",
        "0.00",
        "0.00",
        None,
        None,
        True,
    )
    assert figures(found["settle_now"]) == (
        "settle_now",
        0,
        "4973.70",
        "4973.70",
        "4973.70",
        "66.25",
        "0.00",
        "7.36",
        None,
        None,
        True,
    )
    assert money(found["reinstallment-3"].total_cost) == "223.79"
    assert result.recommended == "pay_overdue_now"


def test_a_rate_cap_under_the_contract_rate_leaves_only_the_interest_freeze():
    """rate_cap 0.15 < every interest-bearing plan's APR (≈ 0.18): deferral and reinstallment are
    not compliant; pay_overdue_now and settle_now (no schedule) and interest_freeze (APR 0) are.
    Without capacity the non-freeze candidates would need a first payment ≤ 2509.07, but those
    two ask 5093.17 and 5018.14; so the freeze, the last resort, the shortest: interest_freeze-3
    (first 1672.71 ≤ 2509.07)."""
    result = options("2026-06-20", policy=RestructuringPolicy(rate_cap=Decimal("0.15")))

    flags = {o.id: o.compliant for o in result.options}
    assert [i for i, ok in flags.items() if not ok] == [
        "deferral-1",
        "deferral-2",
        "deferral-3",
        "reinstallment-3",
        "reinstallment-6",
        "reinstallment-12",
        "reinstallment-24",
        "reinstallment-36",
        "reinstallment-60",
    ]
    assert result.recommended == "interest_freeze-3"


def test_max_term_cuts_installment_terms_but_flags_a_longer_deferral():
    """max_term_months 4, capacity 900.00 on 2026-06-20: installment_terms cut to [3]; deferral-k
    has 2 + k installments, so deferral-3 (5 > 4) is listed but not compliant. The capacity plan
    searches n ≤ 4: A(4) = 75.2721 × 1.061363551 / 0.061363551 = 1301.93 > 900, so none. Nothing
    affordable (the cheapest monthly figure is interest_freeze-3's 1672.72): recommended null."""
    result = options("2026-06-20", capacity="900.00", policy=RestructuringPolicy(max_term_months=4))

    assert [figures(o) for o in result.options] == table("""
id                 term  first    max      payable  cost    w.pen  w.int  apr       afford  compl
pay_overdue_now    0     5093.17  5093.17  5093.17  185.72  0.00   0.00   -         no      yes
settle_now         0     5018.14  5018.14  5018.14  110.69  75.03  0.00   -         no      yes
deferral-1         3     75.27    2565.67  5206.60  299.15  75.03  0.00   0.179999  no      yes
deferral-2         4     75.27    2565.67  5281.87  374.42  75.03  0.00   0.179998  no      yes
deferral-3         5     75.27    2565.67  5357.14  449.69  75.03  0.00   0.179997  no      no
reinstallment-3    3     1723.14  1723.15  5169.43  261.98  75.03  0.00   0.179998  no      yes
interest_freeze-3  3     1672.71  1672.72  5018.14  110.69  75.03  0.00   0.000000  no      yes
""")
    assert result.recommended is None


def test_a_loan_paid_in_full_has_no_options_and_no_recommendation():
    """All five installments paid on their due dates: payoff 0.00, so B0 0 → options [] and
    recommended null."""
    result = options("2026-06-20", payments=all_five_on_time(), capacity="900.00")

    assert money(result.position.summary.payoff_amount) == "0.00"
    assert (result.options, result.recommended) == ((), None)


def test_a_balance_of_waived_penalty_alone_gives_no_options():
    """Installment 5 paid 3 days late (06-18) with 2509.07, applied principal first: 2471.99 +
    37.08 leave its penalty 3 d (06-15..06-17) × 2471.99 × 0.00075 = 5.5619775 → 5.56 open.
    On 06-20: payoff 5.56, the default waiver forgives 5.56, so B0 = 0.00: no options. Without
    the waiver B0 = 5.56 and settle_now asks exactly 5.56; pay_overdue_now asks the same 5.56 at
    the same cost and term 0 and, earlier in the list, is recommended."""
    payments = [
        *on_time_payments(),
        pay("2026-05-15", "2509.07", "cs-4"),
        pay("2026-06-18", "2509.07", "cs-5"),
    ]
    principal_first = AllocationRule(
        order=(Component.PRINCIPAL, Component.INTEREST, Component.FEE, Component.PENALTY)
    )

    waived = options("2026-06-20", payments=payments, allocation=principal_first)
    kept = options(
        "2026-06-20",
        payments=payments,
        allocation=principal_first,
        policy=RestructuringPolicy(penalty_waiver=Decimal("0")),
    )

    assert money(waived.position.summary.payoff_amount) == "5.56"
    assert (money(waived.balance), waived.options, waived.recommended) == ("0.00", (), None)
    assert money(kept.balance) == "5.56"
    assert figures(by_id(kept)["settle_now"])[:6] == (
        "settle_now",
        0,
        "5.56",
        "5.56",
        "5.56",
        "5.56",
    )
    assert kept.recommended == "pay_overdue_now"


def test_an_installment_with_nothing_to_pay_never_counts_as_unpaid():
    """6000.00 interest_only at rate 0 over 6 months from 2026-01-15: rows 1-5 pay 0.00, row 6
    (07-15) pays 6000.00. On 2026-03-20 only row 6 is unpaid (SPEC §5: an installment of nothing
    never counts as unpaid), so deferral-k has 1 + k installments and pay_overdue_now keeps one
    (0.00 now, then 6000.00)."""
    loan = build_schedule(
        LoanTerms(
            principal=Decimal("6000.00"),
            currency=CNY,
            rate=ContractRate.from_annual(Decimal("0"), DayCount(360)),
            term_months=6,
            start_date=d("2026-01-15"),
            method=Method.INTEREST_ONLY,
        )
    )

    result = options("2026-03-20", payments=[], contract=contract_of(loan))

    terms = {o.id: o.term_months for o in result.options}
    assert (terms["pay_overdue_now"], terms["deferral-1"], terms["deferral-3"]) == (1, 2, 4)
    assert money(result.balance) == "6000.00"


def test_pay_overdue_now_term_counts_the_remaining_original_installments():
    """2026-04-20 with only installments 1-2 paid: installment 3 is 5 days late, 4 and 5 remain.
    total_overdue = 2399.47 + 109.60 + 5 d × 2399.47 × 0.00075 (8.9980125 → 9.00) = 2518.07;
    pay_overdue_now keeps 2 installments (term 2)."""
    result = options(
        "2026-04-20", payments=on_time_payments()[:2], policy=RestructuringPolicy(max_term_months=1)
    )

    overdue_now = by_id(result)["pay_overdue_now"]
    assert (overdue_now.term_months, money(overdue_now.first_payment)) == (2, "2518.07")


def test_pay_overdue_now_has_no_schedule_so_it_counts_as_compliant():
    """Same request: pay_overdue_now keeps 2 original installments > max_term_months 1, but it
    has no schedule (schedule null, apr null), and SPEC §6 says such options count as compliant."""
    result = options(
        "2026-04-20", payments=on_time_payments()[:2], policy=RestructuringPolicy(max_term_months=1)
    )

    assert by_id(result)["pay_overdue_now"].compliant is True


def test_a_penalty_cap_lowers_the_penalty_in_b0():
    """cap_annual_rate 0.20: the penalty rate 1.5 × 0.0005 = 0.00075 a day is above 0.20 / 360,
    so it is capped. On 2026-06-20: 36 d × 2435.46 × 0.20 / 360 = 48.7092 → 48.71 and
    5 d × 2471.99 × 0.20 / 360 = 6.8666389 → 6.87; penalty 55.58; payoff 4907.45 + 110.69 +
    55.58 = 5073.72. penalty_waiver 0.5: 27.79, so B0 = 5073.72 − 27.79 = 5045.93."""
    result = restructuring_options(
        RestructuringRequest(
            contract=case_study(),
            payments=on_time_payments(),
            as_of=d("2026-06-20"),
            penalty=PenaltyRule(cap_annual_rate=Decimal("0.20")),
            policy=RestructuringPolicy(penalty_waiver=Decimal("0.5")),
        )
    )

    summary = result.position.summary
    assert (summary.penalty_capped, money(summary.outstanding_penalty)) == (True, "55.58")
    assert money(summary.payoff_amount) == "5073.72"
    assert money(result.balance) == "5045.93"
    assert money(by_id(result)["settle_now"].waived_penalty) == "27.79"


@pytest.mark.parametrize(
    ("as_of", "cap", "capped", "penalty"),
    [
        ("2026-05-10", "0.20", True, "0.00"),  # nothing overdue yet, but the cap binds the rate
        ("2026-06-20", "0.27", False, "75.03"),  # 0.27 / 360 = 0.00075 exactly: not above the cap
    ],
)
def test_penalty_capped_says_whether_the_cap_binds_the_rate(as_of, cap, capped, penalty):
    """penalty_capped (SPEC §5) is about the rate: true when the rule's daily rate is above
    cap_annual_rate / day_count, whether or not any penalty has accrued yet."""
    result = restructuring_options(
        RestructuringRequest(
            contract=case_study(),
            payments=on_time_payments(),
            as_of=d(as_of),
            penalty=PenaltyRule(cap_annual_rate=Decimal(cap)),
        )
    )

    summary = result.position.summary
    assert (summary.penalty_capped, money(summary.outstanding_penalty)) == (capped, penalty)


def test_plans_longer_than_600_months_are_left_out():
    """A 600-month loan with installment 1 overdue has 600 unpaid installments: deferral-1 and
    deferral-2 would need 601 and 602 installments, beyond SPEC §2's 600, so they are left out
    (the re-installments and freezes of up to 60 months stay)."""
    loan = build_schedule(
        LoanTerms(
            principal=Decimal("600000.00"),
            currency=CNY,
            rate=ContractRate.from_annual(Decimal("0.06"), DayCount(360)),
            term_months=600,
            start_date=d("2026-01-15"),
        )
    )

    result = options(
        "2026-02-20",
        payments=[],
        contract=contract_of(loan),
        policy=RestructuringPolicy(deferral_months=(1, 2)),
    )

    ids = [o.id for o in result.options]
    assert not any(i.startswith("deferral") for i in ids)
    assert ids[:3] == ["pay_overdue_now", "settle_now", "reinstallment-3"]
