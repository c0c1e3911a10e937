"""Invariants of positions for random loans and payment sequences (SPEC §5), with hypothesis.

- every installment and component: paid + outstanding + cancelled = scheduled
  (penalty: paid + outstanding = accrued), nothing negative;
- every payment: its allocations + unapplied = its amount;
- with no new payment, the penalty never decreases as `as_of` moves later;
- paying `payoff_amount` on `as_of` settles the loan (提前结清) with nothing unapplied, and a
  later `as_of` shows the same with 0 accrued interest.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.engine.allocation import AllocationRule, Payment, Strategy
from app.engine.ledger import Component
from app.engine.penalty import PenaltyBase, PenaltyRule
from app.engine.position import LoanContract, Position, position_as_of
from tests.strategies import cents, loan_contracts

BOUNDED = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def penalty_rules(draw: st.DrawFn) -> PenaltyRule:
    absolute = draw(st.booleans())
    return PenaltyRule(
        rate_multiplier=None if absolute else Decimal(draw(st.sampled_from(["1.3", "1.5", "2"]))),
        daily_rate=Decimal(draw(st.sampled_from(["0.0002", "0.0005"]))) if absolute else None,
        base=draw(st.sampled_from(list(PenaltyBase))),
        compound=draw(st.booleans()),
        grace_days=draw(st.integers(0, 5)),
        cap_annual_rate=draw(st.sampled_from([None, Decimal("0.24"), Decimal("0.36")])),
    )


allocation_rules = st.builds(
    AllocationRule,
    order=st.permutations(list(Component)).map(tuple),
    strategy=st.sampled_from(list(Strategy)),
)


@st.composite
def scenarios(
    draw: st.DrawFn,
) -> tuple[LoanContract, list[Payment], date, PenaltyRule, AllocationRule]:
    """A loan, up to 6 payments dated from its start to `as_of`, and the rules."""
    loan = draw(loan_contracts())
    horizon = (loan.installments[-1].due_date - loan.start_date).days + 120
    as_of = loan.start_date + timedelta(days=draw(st.integers(0, horizon)))
    span = (as_of - loan.start_date).days
    payments = [
        Payment(
            loan.start_date + timedelta(days=draw(st.integers(0, span))),
            draw(cents(0, 600_000)),
            f"p{index}",
        )
        for index in range(draw(st.integers(0, 6)))
    ]
    return loan, payments, as_of, draw(penalty_rules()), draw(allocation_rules)


def _position(scenario, payments=None, as_of=None) -> Position:
    loan, base_payments, base_as_of, penalty, allocation = scenario
    return position_as_of(
        loan,
        base_payments if payments is None else payments,
        base_as_of if as_of is None else as_of,
        penalty=penalty,
        allocation=allocation,
    )


@BOUNDED
@given(scenarios())
def test_paid_plus_outstanding_plus_cancelled_is_scheduled(scenario):
    position = _position(scenario)

    for row in position.installments:
        s = row.scheduled
        assert row.paid_principal + row.outstanding_principal == s.principal
        assert row.paid_interest + row.outstanding_interest + row.cancelled_interest == s.interest
        assert row.paid_fee + row.outstanding_fee + row.cancelled_fee == s.fee
        assert row.paid_penalty + row.outstanding_penalty == row.penalty_accrued
        assert (
            min(
                row.outstanding_principal,
                row.outstanding_interest,
                row.outstanding_fee,
                row.outstanding_penalty,
                row.cancelled_interest,
                row.cancelled_fee,
            )
            >= 0
        )


@BOUNDED
@given(scenarios())
def test_each_payments_allocations_plus_unapplied_is_its_amount(scenario):
    position = _position(scenario)

    assert len(position.payments) == len(scenario[1])
    for applied in position.payments:
        assert all(a.amount > 0 for a in applied.allocations)
        assert applied.unapplied >= 0
        assert sum((a.amount for a in applied.allocations), Decimal(0)) + applied.unapplied == (
            applied.payment.amount
        )


@BOUNDED
@given(scenarios(), st.integers(1, 400))
def test_penalty_never_decreases_as_as_of_moves_later_without_payments(scenario, later_days):
    as_of = scenario[2]
    later = as_of + timedelta(days=later_days)

    before, after = _position(scenario), _position(scenario, as_of=later)

    for early_row, late_row in zip(before.installments, after.installments, strict=True):
        assert late_row.penalty_accrued >= early_row.penalty_accrued
        assert late_row.paid_penalty == early_row.paid_penalty
    assert after.summary.outstanding_penalty >= before.summary.outstanding_penalty


@BOUNDED
@given(scenarios(), st.integers(1, 400))
def test_paying_the_payoff_amount_on_as_of_settles_the_loan(scenario, later_days):
    _, payments, as_of, _, _ = scenario
    payoff = _position(scenario).summary.payoff_amount
    assume(payoff > 0)  # a zero payment settles nothing (SPEC §5: "when it is above 0")
    settle = Payment(as_of, payoff, "payoff")

    for seen_on in (as_of, as_of + timedelta(days=later_days)):
        position = _position(scenario, payments=[*payments, settle], as_of=seen_on)
        assert position.payments[-1].unapplied == 0
        assert all(row.settled_on is not None for row in position.installments)
        assert all(
            row.outstanding_amount == 0 and row.outstanding_penalty == 0
            for row in position.installments
        )
        summary = position.summary
        assert (
            summary.total_overdue,
            summary.outstanding_principal,
            summary.accrued_interest,
            summary.payoff_amount,
        ) == (0, 0, 0, 0)
        assert (summary.days_past_due, summary.next_due_date, summary.next_payment) == (
            0,
            None,
            None,
        )
