"""Annualized rates by the IRR method (年化利率, SPEC §3).

PBoC requires consumer-credit prices to be disclosed as an annualized rate computed by the
internal rate of return. `apr` is the monthly IRR of evenly spaced flows times 12; the
`effective_annual_rate` is spreadsheet XIRR: flows at their actual dates, 365-day year.
Both are solved in Decimal by Newton's method, with bisection over a scanned bracket when
Newton does not converge.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.engine.errors import NoRateSolution
from app.engine.money import ONE, ZERO, exact, round_rate

_SOLVER_PRECISION = 28
_TOLERANCE = Decimal("1e-14")
_MAX_NEWTON_STEPS = 60
_MAX_BISECTIONS = 200
# Candidate rates per period scanned for a sign change when Newton fails.
_BRACKET_GRID = tuple(
    Decimal(x)
    for x in (
        "-0.9999",
        "-0.999",
        "-0.99",
        "-0.95",
        "-0.9",
        "-0.8",
        "-0.6",
        "-0.4",
        "-0.2",
        "-0.1",
        "-0.05",
        "-0.01",
        "0",
        "0.005",
        "0.01",
        "0.02",
        "0.05",
        "0.1",
        "0.2",
        "0.5",
        "1",
        "2",
        "5",
        "10",
        "100",
        "1000",
        "1e6",
    )
)


@dataclass(frozen=True, slots=True)
class CashFlow:
    """One dated flow, the lender's view: disbursement negative, repayments positive."""

    date: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class AnnualizedRates:
    apr: Decimal  # monthly IRR × 12, 6 digits
    effective_annual_rate: Decimal  # XIRR, 6 digits


def _present_value(
    rate: Decimal, flows: Sequence[tuple[Decimal, Decimal]]
) -> tuple[Decimal, Decimal]:
    """NPV of (time, amount) flows at `rate` per unit of time, and its derivative."""
    base = ONE + rate
    log_base = base.ln()  # (1+r)^-t = exp(-t·ln(1+r)): one logarithm per step, no power per flow
    npv = ZERO
    slope = ZERO
    for time, amount in flows:
        discounted = amount * (-time * log_base).exp()
        npv += discounted
        slope -= time * discounted
    return npv, slope / base


def _present_value_monthly(
    rate: Decimal, flows: Sequence[tuple[Decimal, Decimal]]
) -> tuple[Decimal, Decimal]:
    """The same for flows at months 0, 1, …, n, by Horner's rule in v = 1 / (1 + r)."""
    v = ONE / (ONE + rate)
    value = ZERO
    derivative = ZERO  # d value / d v
    for _, amount in reversed(flows):
        derivative = derivative * v + value
        value = value * v + amount
    return value, -derivative * v * v


def _newton(flows: Sequence[tuple[Decimal, Decimal]], guess: Decimal) -> Decimal | None:
    dense = all(time == month for month, (time, _) in enumerate(flows))
    present_value = _present_value_monthly if dense else _present_value
    rate = guess
    for _ in range(_MAX_NEWTON_STEPS):
        npv, slope = present_value(rate, flows)
        if slope == 0:
            return None
        step = npv / slope
        rate -= step
        if rate <= -ONE or not rate.is_finite():
            return None
        if abs(step) < _TOLERANCE:
            return rate
    return None


def _bisect(flows: Sequence[tuple[Decimal, Decimal]]) -> Decimal | None:
    values = [(r, _present_value(r, flows)[0]) for r in _BRACKET_GRID]
    for (lo, f_lo), (hi, f_hi) in zip(values, values[1:], strict=False):
        if f_lo == 0:
            return lo
        if (f_lo < 0) != (f_hi < 0):
            break
    else:
        return None
    for _ in range(_MAX_BISECTIONS):
        mid = (lo + hi) / 2
        f_mid = _present_value(mid, flows)[0]
        if (f_mid < 0) == (f_lo < 0):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
        if hi - lo < _TOLERANCE:
            break
    return (lo + hi) / 2


def _solve(flows: Sequence[tuple[Decimal, Decimal]], guess: Decimal) -> Decimal:
    amounts = [amount for _, amount in flows]
    if not (any(a > 0 for a in amounts) and any(a < 0 for a in amounts)):
        raise NoRateSolution(
            "cash_flows", "the flows need at least one positive and one negative amount"
        )
    with decimal.localcontext() as ctx:
        ctx.prec = _SOLVER_PRECISION
        try:
            rate = _newton(flows, guess)
            if rate is None:
                rate = _bisect(flows)
        except (decimal.Overflow, decimal.InvalidOperation, decimal.DivisionByZero):
            rate = None
    if rate is None:
        raise NoRateSolution("cash_flows", "no internal rate of return was found for these flows")
    return rate


def _annual(rate: Decimal) -> Decimal:
    rounded = round_rate(rate)
    return abs(rounded) if rounded == 0 else rounded  # never "-0.000000"


@exact
def monthly_apr(amounts: Sequence[Decimal], guess: Decimal = Decimal("0.01")) -> Decimal:
    """IRR of `amounts` at months 0, 1, 2, … times 12, rounded to 6 digits (SPEC §3)."""
    flows = [(Decimal(month), amount) for month, amount in enumerate(amounts)]
    return _annual(_solve(flows, guess) * 12)


@exact
def xirr(cash_flows: Sequence[CashFlow], guess: Decimal = Decimal("0.1")) -> Decimal:
    """Spreadsheet XIRR: Σ amount / (1 + r)^(days / 365) = 0, rounded to 6 digits."""
    origin = min(flow.date for flow in cash_flows)
    days_in_year = Decimal(365)
    flows = [(Decimal((f.date - origin).days) / days_in_year, f.amount) for f in cash_flows]
    return _annual(_solve(flows, guess))


def merge_by_date(cash_flows: Sequence[CashFlow]) -> list[CashFlow]:
    """Flows on one date added together, in date order (SPEC §3)."""
    totals: dict[date, Decimal] = {}
    for flow in cash_flows:
        totals[flow.date] = totals.get(flow.date, ZERO) + flow.amount
    return [CashFlow(day, totals[day]) for day in sorted(totals)]


@exact
def annualized_rates(cash_flows: Sequence[CashFlow]) -> AnnualizedRates:
    """Both rates for arbitrary dated flows (POST /v1/apr): the k-th distinct date is month k."""
    merged = merge_by_date(cash_flows)
    apr = monthly_apr([flow.amount for flow in merged])
    return AnnualizedRates(apr=apr, effective_annual_rate=xirr(merged, effective_guess(apr)))


def effective_guess(apr: Decimal) -> Decimal:
    """A starting point for XIRR near its answer: the APR compounded monthly."""
    if apr <= -12:
        return Decimal("0.1")
    return (ONE + apr / 12) ** 12 - ONE
