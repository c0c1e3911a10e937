"""The integer core (amounts in minor units, exact ratios) equals the previous Decimal engine.

tests/decimal_engine.py keeps the Decimal `amortize` as it was before the integer core. On
random loans of every method, basis, grace, rounding and currency both give the same rows,
level amount and totals (same digits printed), or refuse the loan with the same error.
Positions and restructuring plans consume these rows, so they inherit the equality, and their
own suites (hand-worked figures, the published examples) pin their results.
"""

from __future__ import annotations

from hypothesis import given, settings

from app.engine.errors import InvalidTerms
from app.engine.rounding import from_units, round_ratio
from app.engine.schedule import amortize_units, build_schedule
from tests import decimal_engine
from tests.engine.test_properties import loans


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
@given(loans())
def test_the_integer_table_equals_the_decimal_engine(terms):
    decimal_rows, integer_rows = _decimal(terms), _integer(terms)
    assert integer_rows == decimal_rows
    if not isinstance(decimal_rows, str):  # same digits printed, not only equal values
        assert [str(a) for r in integer_rows[0] for a in r[3:]] == [
            str(a) for r in decimal_rows[0] for a in r[3:]
        ]


@settings(max_examples=100, deadline=None)
@given(loans())
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
