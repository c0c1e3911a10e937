"""Annualized rates by the IRR method (年化利率, SPEC §3).

PBoC requires consumer-credit prices to be disclosed as an annualized rate computed by the
internal rate of return. `apr` is the monthly IRR of evenly spaced flows times 12; the
`effective_annual_rate` is spreadsheet XIRR: flows at their actual dates, 365-day year.
Both are solved in Decimal by Newton's method: first on the NPV as a polynomial in the
per-period discount factor v = 1/(1 + r) (only integer powers, so no exp/ln per step), and,
when that cannot be trusted or does not converge, in x = ln(1 + r) with bisection over a
scanned bracket as the last resort.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import accumulate, pairwise
from math import lcm
from operator import itemgetter, mul, ne
from typing import NamedTuple

from app.engine import certified_rates
from app.engine.errors import NoRateSolution
from app.engine.money import ONE, ZERO, exact, round_rate
from app.engine.rate_proposal import proposal_of, xirr_seed
from app.engine.rounding import units_to_decimal

_TOLERANCE = Decimal("1e-18")
# Bisection narrows x = ln(1 + r) per period this far: the rate over P periods carries
# P · (1 + r) times its error, and 6 digits of a 10^13 XIRR need x to about 1e-27.
_BISECTION_WIDTH = Decimal("1e-30")
# Newton on the polynomial stops when the error it leaves in the rate is below this. After a
# relative step s the error left in v is about s² · f''/2f' ≈ s² · T / 2 (T: the last flow's
# time), and the rate over P periods, v^−P − 1, carries P · (1 + r) times that. Stop when that
# is below 1e-12: six digits below the rate's 6-digit rounding, so only a rate within 1e-12 of
# a rounding tie could print differently from the exact root. A monthly solve started from the
# contract rate settles in one step, where 1e-16 took two.
_RATE_ERROR = Decimal("2e-12")
# A rate keeps 6 digits after the point within the engine's 34 significant digits only below
# LARGE_RATE. XIRR passes it when a flow is multiplied within days: a 1,000 %-a-year loan repaid
# the day after it is lent has an XIRR of (1 + 10/12)^365 − 1 ≈ 10^96, and a flat_fee with
# fee_rate 10 over one day 11^365 ≈ 10^380. Such rates are solved again with enough digits for
# all of theirs. MAX_REPORTED_RATE covers every valid schedule; only arbitrary /v1/apr flows
# (−1,000 then +100,000 the next day: 100^365) go past it, and get a 422.
LARGE_RATE = Decimal(10) ** 20
MAX_REPORTED_RATE = Decimal(10) ** 400
_MAX_NEWTON_STEPS = 100
_MAX_POLYNOMIAL_STEPS = 40
_MAX_BISECTIONS = 400
# Candidate growth exponents X = ln(1 + r), r the rate over `periods` (a month for apr, a year
# for XIRR), scanned for sign changes: r from about −100 % (X = −50) to e^2000 − 1, 0 and
# magnitudes 10^(k/6) from 0.001 up, so two roots more than 1.47× apart in X are separated.
with decimal.localcontext(prec=3):  # grid points need no more digits: 0.00147, 2.15, 1000
    _MAGNITUDES = [Decimal(10) ** (Decimal(k) / 6) for k in range(-18, 21)]
_BRACKET_GRID = (
    -Decimal(50),
    *sorted(-m for m in _MAGNITUDES if m < 50),
    ZERO,
    *(m for m in _MAGNITUDES if m < 2000),
    Decimal(2000),
)
Flows = Sequence[tuple[int, Decimal]]  # (whole periods from the first flow, amount)


class CashFlow(NamedTuple):
    """One dated flow, the lender's view: disbursement negative, repayments positive."""

    date: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class AnnualizedRates:
    apr: Decimal  # monthly IRR × 12, 6 digits
    effective_annual_rate: Decimal  # XIRR, 6 digits


def _one_sign_change(flows: Sequence[tuple[int, Decimal | int]]) -> bool:
    """Descartes: flows whose signs change once (in time order) have exactly one v > 0 root."""
    signs = [amount > 0 for _, amount in flows if amount]
    changes: int = sum(map(ne, signs, signs[1:]))
    return changes == 1


def _polynomial_root(flows: Flows, v: Decimal, periods: int) -> Decimal | None:
    """The rate over `periods` periods, v^−periods − 1, at the discount factor v > 0 where
    Σ amount · v^time = 0, by Newton on v from `v`.

    With one sign change the NPV is monotone and convex (or concave) in v, so Newton stays
    positive and converges without a bracket. Each step raises v to each distinct gap between
    flows (months: 28–31 days, a handful) and leaves the per-flow products and sums to
    `accumulate`, `map` and `sum`.
    Returns None when it does not settle, and the caller falls back to `_newton`.
    """
    if v <= 0:
        return None
    amounts = [amount for _, amount in flows]
    amount_times = [amount * time for time, amount in flows]
    gaps = [later - earlier for (earlier, _), (later, _) in pairwise(flows)]
    distinct = set(gaps)
    settled = _RATE_ERROR / (max(flows[-1][0], 1) * periods)  # the largest step² / v²
    for _ in range(_MAX_POLYNOMIAL_STEPS):
        powers = {gap: v**gap for gap in distinct}
        discounts = list(accumulate(map(powers.__getitem__, gaps), mul, initial=ONE))
        npv = sum(map(mul, amounts, discounts), ZERO)
        slope = sum(map(mul, amount_times, discounts), ZERO)  # v · dNPV/dv
        if not slope:
            return None
        step = npv * v / slope
        v -= step
        if v <= 0 or not v.is_finite():
            return None
        if step * step < settled * v * v:
            # the error bound is relative to 1 + r: a rate in the millions needs more steps
            growth = (ONE / v) ** periods
            if growth <= 1 or step * step * growth < settled * v * v:
                return growth - ONE
    return None


def _present_value(growth: Decimal, flows: Flows) -> tuple[Decimal, Decimal]:
    """NPV of the flows at x = ln(1 + r) per period, and its derivative in x.

    (1 + r)^-t = v^t with v = e^−x. Times are whole periods (months, or days for XIRR) in
    ascending order, so one exponential per step and a product of a few cached powers of v
    (the gaps between due dates take a handful of values); working in x keeps huge rates
    and rates near −100 % well-behaved.
    """
    v = (-growth).exp()
    powers: dict[int, Decimal] = {}
    discount = ONE
    previous = 0
    npv = ZERO
    slope = ZERO
    for time, amount in flows:
        gap = time - previous
        if gap:
            power = powers.get(gap)
            if power is None:
                power = powers[gap] = v**gap
            discount *= power
            previous += gap
        discounted = amount * discount
        npv += discounted
        slope -= time * discounted
    return npv, slope


def _newton(flows: Flows, growth: Decimal) -> Decimal | None:
    for _ in range(_MAX_NEWTON_STEPS):
        npv, slope = _present_value(growth, flows)
        if slope == 0:
            return None
        step = npv / slope
        growth -= step
        if not growth.is_finite():
            return None
        if abs(step) < _TOLERANCE:
            return growth
    return None


def _sign_at(growth: Decimal, flows: Flows) -> int | None:
    try:
        npv = _present_value(growth, flows)[0]
    except (decimal.Overflow, decimal.InvalidOperation):
        return None
    return (npv > 0) - (npv < 0)


def _bisect(flows: Flows, periods: int) -> Decimal | None:
    """A root x = ln(1 + r) per period by bisection, for flows that may have several: the grid
    brackets the roots it separates, and SPEC §3's rule picks one (numpy-financial's irr): the
    non-negative root nearest 0 where there is one, else the (negative) root nearest 0. None
    when no bracket shows."""
    grid = [x / periods for x in _BRACKET_GRID]
    known = [(x, sign) for x in grid if (sign := _sign_at(x, flows)) is not None]
    brackets = [
        (lo, s_lo, hi) for (lo, s_lo), (hi, s_hi) in pairwise(known) if s_lo != s_hi or s_lo == 0
    ]
    if known and known[0][0] == grid[0] and known[0][1] != _sign_towards_minus_100(flows):
        # a root below the grid's floor: its rate, like the floor's (growth e^−50 per
        # `periods`), is −100 % to far more than 6 digits, so the floor stands for it
        brackets.insert(0, (grid[0], 0, grid[0]))
    non_negative = [b for b in brackets if b[0] >= 0]  # the grid holds 0: no bracket spans it
    chosen = non_negative[:1] or [b for b in brackets if b[2] <= 0][-1:]
    return _narrow(flows, *chosen[0]) if chosen else None


def _sign_towards_minus_100(flows: Flows) -> int:
    """The NPV's sign as the rate falls towards −100 %: v = 1/(1 + r) grows without bound, so
    the latest nonzero flow outweighs all the others."""
    last = next(amount for _, amount in reversed(flows) if amount)
    return 1 if last > 0 else -1


def _narrow(flows: Flows, lo: Decimal, s_lo: int, hi: Decimal) -> Decimal:
    if s_lo == 0:
        return lo
    for _ in range(_MAX_BISECTIONS):
        mid = (lo + hi) / 2
        s_mid = _sign_at(mid, flows)
        if s_mid == 0:
            return mid
        if s_mid == s_lo:
            lo = mid
        else:
            hi = mid
        if hi - lo < _BISECTION_WIDTH:
            break
    return (lo + hi) / 2


def _power_guess(v: Decimal, exponent: Decimal) -> Decimal:
    """About v^exponent, for a starting point only: the binomial series (1 − u)^a, u = 1 − v,
    to the u³ term, in place of a fractional power (an exp and a ln)."""
    u = ONE - v
    a = exponent
    return ONE - a * u * (ONE + (ONE - a) / 2 * u * (ONE + (2 - a) / 3 * u))


def _solve(flows: Flows, guess: Decimal, periods: int, discount: Decimal | None = None) -> Decimal:
    """The rate over `periods` periods, (1 + r)^periods − 1, at which the flows' NPV is 0.

    With one sign change the root is unique: Newton on the polynomial in v from `discount` (a
    per-period v) or else from `guess` (a rate over `periods`); if that does not converge,
    Newton in x = ln(1 + r) per period, then bisection. With several sign changes there may be
    several roots: bisection keeps the one SPEC §3 names, and Newton from the guess is the last
    resort. Runs in the caller's context: the engine's 34 digits (every entry point here is
    @exact).
    """
    amounts = [amount for _, amount in flows]
    if not max(amounts) > 0 > min(amounts):
        raise NoRateSolution(
            "cash_flows", "the flows need at least one positive and one negative amount"
        )
    unique = _one_sign_change(flows)
    if guess > -1 and unique:
        try:
            if discount is None:
                discount = _power_guess(ONE / (ONE + guess), ONE / periods)
            rate = _polynomial_root(flows, discount, periods)
        except (decimal.Overflow, decimal.InvalidOperation, decimal.DivisionByZero):
            rate = None
        if rate is not None:
            return rate
    growth = None if unique else _bisect(flows, periods)
    if growth is None:
        start = (ONE + guess).ln() / periods if guess > -1 else ZERO
        try:
            growth = _newton(flows, start)
        except (decimal.Overflow, decimal.InvalidOperation, decimal.DivisionByZero):
            growth = None
    if growth is None and unique:
        growth = _bisect(flows, periods)
    if growth is not None:
        try:
            return (growth * periods).exp() - ONE
        except decimal.Overflow:
            pass
    raise NoRateSolution("cash_flows", "no internal rate of return was found for these flows")


def _too_large() -> NoRateSolution:
    return NoRateSolution(
        "cash_flows",
        "the annualized rate is 10^400 or more (flows multiplied many times over in a few "
        "days) and cannot be reported",
    )


def _annual(rate: Decimal) -> Decimal:
    """A rate as reported: 6 digits after the point, never "-0.000000" (below LARGE_RATE)."""
    if not rate.is_finite() or abs(rate) >= LARGE_RATE:
        raise _too_large()
    rounded = round_rate(rate)
    return abs(rounded) if rounded == 0 else rounded


def _reported(flows: Flows, rate: Decimal, periods: int) -> Decimal:
    """`_annual(rate)`, or for a rate of LARGE_RATE or more, the root solved again in a context
    with enough digits for its integer part and 6 decimals (Newton from the 34-digit root)."""
    if rate.is_finite() and abs(rate) < LARGE_RATE:
        return _annual(rate)
    if not rate.is_finite() or rate >= MAX_REPORTED_RATE or not _one_sign_change(flows):
        raise _too_large()
    with decimal.localcontext() as context:
        context.prec = rate.adjusted() + 1 + 6 + 24
        v = (ONE + rate) ** (-ONE / periods)
        refined = _polynomial_root(flows, v, periods)
        if refined is None or not refined.is_finite():
            raise _too_large()
        rounded = round_rate(refined)
    return rounded


def _monthly(amounts: Sequence[Decimal]) -> Flows:
    return list(enumerate(amounts))


def _dated(cash_flows: Sequence[CashFlow]) -> Flows:
    """(days since the earliest flow, amount), in date order."""
    ordered = sorted(cash_flows, key=itemgetter(0))
    origin = ordered[0].date.toordinal()
    return [(day.toordinal() - origin, amount) for day, amount in ordered]


def _integers(amounts: Sequence[Decimal]) -> list[int]:
    """The amounts times one common power of ten, as exact integers (only signs are needed)."""
    ratios = [amount.as_integer_ratio() for amount in amounts]
    scale = lcm(*{den for _, den in ratios})
    return [num * (scale // den) for num, den in ratios]


def _within_range(rate: Decimal | None) -> Decimal | None:
    return rate if rate is not None and abs(rate) < LARGE_RATE else None


def _certified_monthly(
    amounts: Sequence[Decimal], guess: Decimal, units: list[int] | None = None
) -> Decimal | None:
    """The certified apr (certified_rates) of flows with one sign change, else None; `units`
    are the amounts as integers when the caller has them."""
    if not _one_sign_change(_monthly(amounts)):
        return None
    units = _integers(amounts) if units is None else units
    return _within_range(certified_rates.apr(units, proposal_of(guess)))


def _certified_daily(
    dated: Flows, guess: Decimal, units: list[int] | None = None
) -> Decimal | None:
    """The certified XIRR of (day, amount) flows with one sign change, else None."""
    if not _one_sign_change(dated):
        return None
    units = _integers([amount for _, amount in dated]) if units is None else units
    flows = [(day, amount) for (day, _), amount in zip(dated, units, strict=True)]
    return _within_range(certified_rates.xirr(flows, proposal_of(guess)))


@exact
def monthly_apr(amounts: Sequence[Decimal], guess: Decimal = Decimal("0.01")) -> Decimal:
    """IRR of `amounts` at months 0, 1, 2, … times 12, rounded to 6 digits (SPEC §3)."""
    certified = _certified_monthly(amounts, guess)
    if certified is not None:
        return certified
    return _annual(_solve(_monthly(amounts), guess, 1) * 12)


@exact
def xirr(cash_flows: Sequence[CashFlow], guess: Decimal = Decimal("0.1")) -> Decimal:
    """Spreadsheet XIRR: Σ amount / (1 + r)^(days / 365) = 0, rounded to 6 digits."""
    dated = _dated(cash_flows)
    certified = _certified_daily(dated, guess)
    if certified is not None:
        return certified
    return _reported(dated, _solve(dated, guess, 365), 365)  # per day, compounded over 365


@exact
def both_rates(amounts: Sequence[Decimal], dated: Flows, guess: Decimal) -> AnnualizedRates:
    """`monthly_apr(amounts)` and the XIRR of `dated`, one loan's flows as (days since the
    first flow, amount) in date order (SPEC §3).

    Each is certified (certified_rates) where the flows change sign once; otherwise, or where
    the certificate cannot tell, the exact Decimal solver decides. Its XIRR starts from the
    monthly root spread over the actual days (v_month^(months/days)), a relative step of about
    1e-6 from its answer for a monthly schedule: two Newton steps.
    """
    units = _integers(amounts)
    # a bullet's monthly flows hold zeros between the loan and its payment; the dated ones not
    dated_units = [units[0], *units[len(amounts) - len(dated) + 1 :]]
    apr = _certified_monthly(amounts, guess, units)
    effective = None
    if apr is not None:
        effective = _certified_daily(dated, effective_guess(apr), dated_units)
    if apr is not None and effective is not None:
        return AnnualizedRates(apr=apr, effective_annual_rate=effective)
    monthly_rate = _solve(_monthly(amounts), guess, 1)
    apr = apr if apr is not None else _annual(monthly_rate * 12)
    if effective is None:
        days = dated[-1][0]
        seed = None
        if monthly_rate > -1 and days > 0:
            seed = _power_guess(ONE / (ONE + monthly_rate), Decimal(len(amounts) - 1) / days)
        effective = _reported(dated, _solve(dated, effective_guess(apr), 365, seed), 365)
    return AnnualizedRates(apr=apr, effective_annual_rate=effective)


def rates_in_units(
    monthly: Sequence[int], days: Sequence[int], digits: int, guess: Decimal
) -> AnnualizedRates:
    """`both_rates` for a loan's flows in minor units of a currency with `digits` decimals:
    `monthly` by month for the apr, and the same flows less a bullet's empty months on `days`
    for the XIRR. Certified where the flows change sign once; otherwise, or where a
    certificate cannot tell, the flows go to the exact Decimal solver as Decimals."""
    apr = effective = None
    dated = [monthly[0], *monthly[len(monthly) - len(days) + 1 :]]
    if monthly[0] < 0 and min(monthly[1:]) >= 0:
        # a loan: the outflow first, then repayments ≥ 0 (checked in C, not row by row)
        one_change = max(monthly) > 0
    else:
        one_change = _one_sign_change(list(enumerate(monthly)))
    if one_change:
        apr = _within_range(certified_rates.apr(monthly, proposal_of(guess)))
    span = days[-1]
    if apr is not None and apr > -12 and span > 0:
        seed = xirr_seed(apr, len(monthly) - 1, span)
        effective = _within_range(certified_rates.dated_xirr(days, dated, seed))
    if apr is not None and effective is not None:
        return AnnualizedRates(apr=apr, effective_annual_rate=effective)
    amounts = [units_to_decimal(units, digits) for units in monthly]
    dated_decimals = [
        (day, units_to_decimal(units, digits)) for day, units in zip(days, dated, strict=True)
    ]
    return both_rates(amounts, dated_decimals, guess)


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
    return both_rates([flow.amount for flow in merged], _dated(merged), Decimal("0.01"))


def effective_guess(apr: Decimal) -> Decimal:
    """A starting point for XIRR near its answer: the APR compounded monthly."""
    if apr <= -12:
        return Decimal("0.1")
    return (ONE + apr / 12) ** 12 - ONE
