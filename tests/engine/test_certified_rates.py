"""Certified rates (SPEC §11): the exact sign check and walk agree with an exact solver.

The expected values come from tests/reference.py, a 50-digit bisection that shares nothing
with app/, rounded half-up to 6 digits; flows whose root sits exactly on a rounding tie are
built by hand, so the expected rounding (away from 0) is known without any solver.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.engine import certified_rates
from app.engine.apr import CashFlow, monthly_apr, xirr
from app.engine.rate_bounds import DailyFlows, daily_sign, ln_bounds, monthly_sign, runs_of
from tests.reference import monthly_irr_times_12, rate6
from tests.reference import xirr as reference_xirr

# a loan's flows: one outflow, then repayments (one sign change), rates within (−99 %, 1000 %)
repayments = st.lists(st.integers(min_value=0, max_value=500_000), min_size=1, max_size=24)


def _printed(rate: Decimal) -> str:
    """The reference's 6 digits as the API prints them: a rate that rounds to 0 is unsigned."""
    return rate6(rate).replace("-0.000000", "0.000000")


def _loan(principal: int, payments: list[int]) -> list[int]:
    return [-principal, *payments]


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=1_000, max_value=1_000_000), repayments)
def test_certified_apr_equals_the_bisection_on_random_loans(principal, payments):
    """Random flows with one sign change: the certified apr is the 50-digit bisection's root
    rounded half-up (the bisection's range, −99 % to 1000 % a month, bounds the draw)."""
    if sum(payments) == 0:
        return  # no sign change: nothing to compare (the 422 path is tested elsewhere)
    flows = _loan(principal, payments)
    root = monthly_irr_times_12([Decimal(a) for a in flows]) / 12
    # the reference bisection only covers monthly rates in (−99 %, 1000 %)
    assume(Decimal("-0.9899") < root < Decimal("9.99"))
    expected = _printed(root * 12)
    assert str(certified_rates.apr(flows, 0.01)) == expected


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=1_000, max_value=1_000_000),
    st.lists(
        st.tuples(st.integers(min_value=1, max_value=120), st.integers(1, 300_000)),
        min_size=1,
        max_size=12,
    ),
)
def test_certified_xirr_equals_the_bisection_on_random_dated_loans(principal, steps):
    """Random dated flows (gaps of 1–120 days): the certified XIRR is the 50-digit bisection's
    root rounded half-up."""
    start = date(2026, 1, 1)
    dated, day = [(start, Decimal(-principal))], 0
    for gap, amount in steps:
        day += gap
        dated.append((start + timedelta(days=day), Decimal(amount)))
    root = reference_xirr(dated)
    # the reference bisection only covers rates in (−99 %, 1000 %)
    assume(Decimal("-0.9899") < root < Decimal("9.99"))
    expected = _printed(root)
    flows = [(d.toordinal() - start.toordinal(), int(a)) for d, a in dated]
    assert str(certified_rates.xirr(flows, 0.1)) == expected
    assert str(xirr([CashFlow(d, a) for d, a in dated])) == expected


@given(st.integers(min_value=-1_000_000, max_value=5_000_000))
def test_a_root_exactly_on_a_tie_rounds_away_from_zero(micro):
    """−D at month 0, N at month 1 with N/D = 1 + (2j + 1)/(24·10^6): the apr is exactly
    (j + ½)·10^−6, a tie, which half-up rounds away from 0: j + 1 for j ≥ 0, j for j < 0."""
    d = 24_000_000
    n = d + 2 * micro + 1
    expected = micro + 1 if micro >= 0 else micro
    assert certified_rates.apr([-d, n], 0.01) == Decimal(expected).scaleb(-6)
    assert monthly_apr([Decimal(-d), Decimal(n)]) == Decimal(expected).scaleb(-6)


@given(st.integers(min_value=-900_000, max_value=5_000_000), st.integers(1, 3))
def test_an_xirr_exactly_on_a_tie_rounds_away_from_zero(micro, years):
    """−D then N after a whole year: 1 + r = N/D exactly; with N/D = 1 + (2j + 1)/(2·10^6) the
    XIRR is a tie and rounds away from 0. Over `years` years the flows are −D^y, N^y."""
    d = 2_000_000
    n = d + 2 * micro + 1
    expected = micro + 1 if micro >= 0 else micro
    flows = [(0, -(d**years)), (365 * years, n**years)]
    assert certified_rates.xirr(flows, 0.1) == Decimal(expected).scaleb(-6)


@given(st.integers(min_value=-999_999, max_value=10_000_000))
def test_values_next_to_a_tie_round_to_their_own_side(micro):
    """A root a hair (10^−12 a year) either side of a tie rounds to the nearer value."""
    d = 24 * 10**12
    tie = 12 * 10**6 * (2 * micro + 1)  # (j + ½)·10^−6 a year, in units of 1/(24·10^12) a month
    for shift, expected in ((-1, micro), (1, micro + 1)):
        n = d + tie // 12 + shift
        # apr = 12 (n − d)/d: (j + ½)·10^−6 ± 12/(24·10^12)
        result = certified_rates.apr([-d, n], 0.01)
        assert result == Decimal(expected).scaleb(-6)


def test_the_npv_signs_are_exact_at_a_root():
    """At the root itself the exact monthly NPV is 0; the XIRR interval cannot sign an NPV of 0
    and says so (None) rather than guessing."""
    assert monthly_sign(runs_of([-1000, 1010]), 101, 100) == 0
    assert monthly_sign(runs_of([-1000, 1010]), 102, 100) == -1
    assert daily_sign(DailyFlows([(0, -1000), (365, 1010)]), 101, 100, 64) is None
    assert daily_sign(DailyFlows([(0, -1000), (365, 1010)]), 102, 100, 64) == -1
    assert daily_sign(DailyFlows([(0, -1000), (365, 1010)]), 100, 100, 64) == 1


@given(st.integers(1, 10**9), st.integers(1, 10**9))
def test_ln_bounds_bracket_the_logarithm(n, d):
    """lo ≤ ln(n/d)·2^64 ≤ hi, checked against Decimal's correctly rounded ln at 60 digits,
    and the interval is narrow (a few hundred units at most)."""
    import decimal

    low, high = ln_bounds(n, d, 64)
    with decimal.localcontext(prec=60):
        exact = (Decimal(n) / Decimal(d)).ln() * 2**64
    assert low <= exact <= high
    assert high - low < 5000  # ln 2's error times the exponent of 2 (up to ~30)


def test_flows_that_repay_exactly_the_principal_have_a_rate_of_zero():
    """−1200 then 200 × 6 (an interest-free plan): the NPV at 0 % is the plain sum, 0, so 0 is
    the root; with one sign change it is the only one. Both rates print "0.000000"."""
    assert str(certified_rates.apr([-1200, *[200] * 6], 0.01)) == "0.000000"
    flows = [(0, -1200), *[(30 * k, 200) for k in range(1, 7)]]
    assert str(certified_rates.xirr(flows, 0.1)) == "0.000000"
