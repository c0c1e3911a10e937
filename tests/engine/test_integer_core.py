"""The integer core (amounts in minor units, exact ratios) equals the previous Decimal engine.

tests/decimal_engine.py keeps the Decimal `amortize` as it was before the integer core. On
random loans of every method, basis, grace, rounding and currency both give the same rows,
level amount and totals (same digits printed), or refuse the loan with the same error.
Positions and restructuring plans consume these rows, so they inherit the equality, and their
own suites (hand-worked figures, the published examples) pin their results.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.amortize import level_payment
from app.engine.errors import InvalidTerms
from app.engine.ledger import ScheduledInstallment
from app.engine.loan_contract import LoanContract, loan_contract
from app.engine.money import CNY
from app.engine.position import position_as_of
from app.engine.rounding import from_units, round_ratio
from app.engine.schedule import Method, amortize_units, build_schedule, installment_amount
from tests import decimal_engine
from tests.strategies import loan_terms


def _decimal(terms):
    try:
        rows, level = decimal_engine.amortize(terms)
    except InvalidTerms as refused:
        return str(refused)
    return [tuple(row) for row in rows], level


def _integer(terms):
    try:
        rows, level = amortize_units(terms)
    except InvalidTerms as refused:
        return str(refused)
    amount = lambda units: from_units(units, terms.currency)  # noqa: E731
    return [(*row[:3], *map(amount, row[3:])) for row in rows], amount(level)


@settings(max_examples=300, deadline=None)
@given(loan_terms())
def test_the_integer_table_equals_the_decimal_engine(terms):
    decimal_rows, integer_rows = _decimal(terms), _integer(terms)
    assert integer_rows == decimal_rows
    if not isinstance(decimal_rows, str):  # same digits printed, not only equal values
        assert [str(a) for r in integer_rows[0] for a in r[3:]] == [
            str(a) for r in decimal_rows[0] for a in r[3:]
        ]


@settings(max_examples=100, deadline=None)
@given(loan_terms())
def test_the_schedule_totals_equal_the_decimal_sums(terms):
    """The Decimal views a Schedule builds from its units: rows and totals as the Decimal
    engine has them (a refused loan is covered above)."""
    try:
        schedule = build_schedule(terms)
    except Exception:  # refusals, and flows the rate solver refuses: not this test's subject
        return
    rows, _ = decimal_engine.amortize(terms)
    assert list(schedule.installments) == rows
    expected = decimal_engine.totals(rows, [r.payment for r in rows])
    assert schedule.totals == expected
    assert [str(v) for v in vars_of(schedule.totals)] == [str(v) for v in vars_of(expected)]


def vars_of(totals):
    return (
        totals.principal,
        totals.interest,
        totals.fee,
        totals.payment,
        totals.capitalized_interest,
    )


def test_round_ratio_rounds_ties_away_from_zero_or_to_even():
    """7/2 = 3.5 → 4 (half-up) or 4 (even); 5/2 = 2.5 → 3 or 2; −5/2 → −3 or −2; 1/3 → 0;
    2/3 → 1; −2/3 → −1."""
    assert [round_ratio(n, 2) for n in (7, 5, -5, -7)] == [4, 3, -3, -4]
    assert [round_ratio(n, 2, True) for n in (7, 5, -5, -7)] == [4, 2, -2, -4]
    assert [round_ratio(n, 3) for n in (1, 2, -2, -1)] == [0, 1, -1, 0]


@settings(max_examples=100, deadline=None)
@given(loan_terms(), st.integers(0, 900))
def test_positions_see_the_same_contract(terms, days):
    """A position's loan from the integer core equals the one the Decimal rows give, so the
    position (here with no payments, `days` after the start) is the same too."""
    try:
        contract = loan_contract(terms)
        rows, level = decimal_engine.amortize(terms)
    except InvalidTerms:
        return
    expected = LoanContract.of_installments(
        terms.currency,
        terms.rounding,
        terms.start_date,
        terms.rate,
        [ScheduledInstallment(r.number, r.due_date, r.principal, r.interest, r.fee) for r in rows],
        terms.method is not Method.FLAT_FEE,
        installment_amount(terms, rows, level),
    )
    assert contract == expected
    as_of = terms.start_date + timedelta(days=days)
    assert position_as_of(contract, [], as_of) == position_as_of(expected, [], as_of)


@given(
    st.integers(1, 10**12),
    st.sampled_from([1, 10, 1000]),
    st.decimals(min_value=0, max_value=Decimal("0.5"), places=4),
    st.integers(1, 120),
    st.booleans(),
)
def test_the_capacity_plans_level_payment_equals_the_decimal_formula(units, per, rate, n, even):
    """Restructuring's capacity plan prices A(n) with amortize.level_payment on the balance
    (units / per minor units, so a balance with extra digits is exact too): the same as the
    Decimal engine's level_installment, rounded to the cent."""
    balance = Decimal(units) / per / 100
    num, den = rate.as_integer_ratio()
    expected = decimal_engine.level_installment(balance, rate, n).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_EVEN if even else ROUND_HALF_UP
    )
    assert from_units(level_payment(units, num, den, n, even, per), CNY) == expected
