"""The integer position engine equals the previous Decimal one (SPEC §11).

tests/decimal_position/ keeps `position_as_of` as it was before amounts became integers of minor
units (every amount a Decimal, 34 significant digits). On random loans, payments, `as_of` dates
and penalty and allocation rules both report the same figures: every installment's amounts,
days past due, status and settlement date, every payment's allocations and unapplied rest, and
the summary; or both refuse with the same error.

Two sources of loans: explicit installments (CNY, a 360-day year, the property tests' loans),
and loans built from terms of every method, basis, grace, rounding, day count and currency
(`loan_contract`, as POST /v1/positions builds them), with rates and penalty rules drawn wide.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.engine.allocation import AllocationRule, Payment
from app.engine.errors import InvalidTerms
from app.engine.loan_contract import loan_contract
from app.engine.penalty import PenaltyBase, PenaltyRule
from app.engine.position import INSTALLMENT_AMOUNTS, SUMMARY_AMOUNTS, position_as_of
from tests.decimal_position import position as decimal_position
from tests.engine.position_cases import case_study, on_time_payments
from tests.engine.position_cases import contract as explicit
from tests.engine.test_position_properties import allocation_rules, penalty_rules, scenarios
from tests.strategies import decimals, loan_terms

WIDE = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def figures(position, unit: Decimal) -> dict[str, object]:
    """Everything a position reports, amounts as strings with the currency's digits (each
    checked to be posted: equal to itself rounded to the unit)."""

    def money(amount: Decimal | None) -> str | None:
        if amount is None:
            return None
        assert amount == amount.quantize(unit), f"{amount} is not a posted amount"
        return str(amount.quantize(unit))

    def row(r) -> dict[str, object]:
        s = r.scheduled
        return {
            "scheduled": (
                s.number,
                s.due_date,
                money(s.principal),
                money(s.interest),
                money(s.fee),
            ),
            **{name: money(getattr(r, name)) for name in INSTALLMENT_AMOUNTS},
            "outstanding_amount": money(r.outstanding_amount),
            "is_unpaid": r.is_unpaid,
            "days_past_due": r.days_past_due,
            "status": r.status.value,
            "settled_on": r.settled_on,
        }

    def applied(a) -> dict[str, object]:
        return {
            "payment": a.payment,
            "allocations": [(x.number, x.component.value, money(x.amount)) for x in a.allocations],
            "unapplied": money(a.unapplied),
        }

    s = position.summary
    return {
        "as_of": position.as_of,
        "installments": [row(r) for r in position.installments],
        "payments": [applied(a) for a in position.payments],
        "summary": {
            **{name: money(getattr(s, name)) for name in SUMMARY_AMOUNTS},
            "penalty_capped": s.penalty_capped,
            "days_past_due": s.days_past_due,
            "bucket": s.bucket,
            "classification": s.classification,
            "next_due_date": s.next_due_date,
            "next_payment": money(s.next_payment),
        },
    }


def outcome(engine, contract, payments, as_of, penalty, allocation) -> object:
    try:
        position = engine(contract, payments, as_of, penalty=penalty, allocation=allocation)
    except InvalidTerms as error:
        return ("refused", error.field, str(error))
    return figures(position, contract.currency.minor_unit)


def assert_same(contract, payments, as_of, penalty, allocation) -> None:
    expected = outcome(
        decimal_position.position_as_of, contract, payments, as_of, penalty, allocation
    )
    assert outcome(position_as_of, contract, payments, as_of, penalty, allocation) == expected


@WIDE
@given(scenarios())
def test_explicit_installments_give_the_decimal_engines_position(scenario):
    assert_same(*scenario)


@st.composite
def wide_penalty_rules(draw: st.DrawFn) -> PenaltyRule:
    """Penalty rules with rates, multipliers and caps of many digits (within the API's)."""
    absolute = draw(st.booleans())
    return PenaltyRule(
        rate_multiplier=None if absolute else draw(decimals("0", "10", 4)),
        daily_rate=draw(decimals("0", "0.01", 7)) if absolute else None,
        base=draw(st.sampled_from(list(PenaltyBase))),
        compound=draw(st.booleans()),
        grace_days=draw(st.integers(0, 40)),
        cap_annual_rate=draw(st.one_of(st.none(), decimals("0", "1", 5))),
    )


@st.composite
def loans_with_payments(draw: st.DrawFn):
    """A loan from random terms, up to 8 payments of sizes around its installments (some
    exactly one, some its whole balance and more), `as_of` up to a year after the last due
    date, and the rules."""
    terms = draw(loan_terms())
    try:
        contract = loan_contract(terms)
    except InvalidTerms:
        contract = None
    if contract is None or (terms.term_months > 24 and draw(st.booleans())):
        return None
    rows = contract.rows
    horizon = (rows[-1].due_date - contract.start_date).days + 365
    as_of = contract.start_date + timedelta(days=draw(st.integers(0, horizon)))
    span = (as_of - contract.start_date).days
    total = sum(r.principal + r.interest + r.fee for r in rows)
    payments = []
    for index in range(draw(st.integers(0, 8))):
        row = draw(st.sampled_from(rows))
        units = draw(
            st.one_of(
                st.just(row.principal + row.interest + row.fee),
                st.integers(0, max(1, row.principal + row.interest)),
                st.integers(0, total + total // 5),
            )
        )
        day = contract.start_date + timedelta(days=draw(st.integers(0, span)))
        amount = Decimal(units).scaleb(-contract.currency.minor_digits)
        payments.append(Payment(day, amount, f"p{index}" if index % 2 else None))
    penalty = draw(st.one_of(penalty_rules(), wide_penalty_rules()))
    allocation = draw(st.one_of(st.just(AllocationRule()), allocation_rules))
    return contract, payments, as_of, penalty, allocation


@WIDE
@given(loans_with_payments())
def test_loans_of_every_kind_give_the_decimal_engines_position(case):
    assume(case is not None)
    assert_same(*case)


def test_the_case_study_gives_the_decimal_engines_position():
    """A fixed point of the comparison: the case study (SPEC §10) on 2026-06-20 and 2026-07-01
    under the default rule and under 花呗's, whose figures the case-study tests pin by hand."""
    huabei = PenaltyRule(daily_rate=Decimal("0.0005"), base=PenaltyBase.OVERDUE_AMOUNT)
    for as_of in ("2026-06-20", "2026-07-01"):
        for penalty in (PenaltyRule(), huabei):
            day = date.fromisoformat(as_of)
            assert_same(case_study(), on_time_payments(), day, penalty, AllocationRule())


def test_a_payment_with_more_decimals_than_the_currency_is_refused():
    """1.005 has three decimals; CNY has two, so it is not a whole number of fen (the API's
    request model refuses it before the engine; the engine refuses it too, naming it)."""
    payments = [*on_time_payments(), Payment(date(2026, 5, 15), Decimal("1.005"), "odd")]
    with pytest.raises(InvalidTerms) as refused:
        position_as_of(case_study(), payments, date(2026, 6, 20))
    assert refused.value.field == "payments.3.amount"
    assert "more than 2 decimals for CNY" in str(refused.value)


def test_the_amounts_in_minor_units_and_as_decimals_agree():
    """The case study on 2026-06-20 (SPEC §10): installment 4 (2435.46 + 73.61) is overdue
    and untouched, so its outstanding principal is 243546 fen, read as 2435.46; nothing is
    paid on it."""
    position = position_as_of(case_study(), on_time_payments(), date(2026, 6, 20))
    fourth = position.installments[3]
    assert fourth.amounts[INSTALLMENT_AMOUNTS.index("outstanding_principal")] == 243546
    assert fourth.outstanding_principal == Decimal("2435.46")
    assert str(fourth.outstanding_interest) == "73.61"
    assert fourth.paid_principal == 0
    assert position.summary.overdue_principal == Decimal("2435.46") + Decimal("2471.99")


def test_a_penalty_near_the_bounds_is_exact():
    """At the API's bounds the product Σ base × days × rate runs past 34 significant digits (the
    previous engine rounded it there); the integer engine is exact. One installment of
    999,999,999,999,999.99 due 2026-02-15, 借呗-style daily rate 0.000123456789 on a 360-day
    year, multiplier 9.999, as of 2200-12-31, nothing paid: the penalty is
    P × days × 0.000123456789 × 9.999 (the × 360 / 360 cancels), computed here with
    fractions and rounded half-up to the fen."""
    loan = explicit(
        [("2026-02-15", "999999999999999.99", "0.00")],
        start_date="2026-01-15",
        daily_rate="0.000123456789",
    )
    as_of = date(2200, 12, 31)
    rule = PenaltyRule(rate_multiplier=Decimal("9.999"))
    position = position_as_of(loan, [], as_of, penalty=rule)
    days = (as_of - date(2026, 2, 15)).days
    exact = Fraction("999999999999999.99") * days * Fraction("0.000123456789") * Fraction("9.999")
    fen = exact * 100
    expected = int(fen) + (1 if fen - int(fen) >= Fraction(1, 2) else 0)
    assert position.installments[0].amounts[INSTALLMENT_AMOUNTS.index("penalty_accrued")] == (
        expected
    )
