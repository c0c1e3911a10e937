"""Float proposals for the annualized rates (SPEC §11): the only floats in the engine.

A proposal is a guess and nothing more: `certified_rates` reports a rate only after an exact
sign check (`rate_bounds`) brackets the root between the reported value's rounding ties, and
walks to the right value when the guess was off. So these solvers may be rough, stop early
or fail (None): precision and robustness are the certificate's job, speed is theirs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal

_STEPS = 60

Proposal = float  # a guessed rate: the one kind of value in the engine that is not exact


def proposal_of(rate: Decimal) -> Proposal:
    """A Decimal rate (a contract's, or a certified apr) as where a solver starts."""
    return float(rate)


def xirr_seed(apr: Decimal, months: int, days: int) -> Proposal:
    """The monthly root spread over the actual days (`months` after the loan, `days` after it):
    within ~1e-6 of a schedule's XIRR, so one Newton step settles the proposal (the
    certificate checks it either way); 0.1 where the power overflows (or has no real value)."""
    try:
        return math.pow(1 + float(apr) / 12, months * 365 / days) - 1
    except (OverflowError, ValueError):
        return 0.1


def monthly_rate(runs: Sequence[tuple[int, int, int]], guess: float) -> float | None:
    """The monthly IRR of runs (first month, last month, amount) of equal flows, by the secant
    method from `guess`: a run sums in closed form, A v^s (1 − v^n) / (1 − v)."""

    def npv(rate: float) -> float:
        v = 1.0 / (1.0 + rate)
        total = 0.0
        for first, last, amount in runs:
            count = last - first + 1
            if abs(1.0 - v) < 1e-9:
                total += amount * count * v**first
            else:
                total += amount * v**first * (1.0 - v**count) / (1.0 - v)
        return total

    return _secant(npv, guess, -0.999999)


def daily_rate(
    flows: Sequence[tuple[int, int]], guess: float, settled: float = 1e-11
) -> float | None:
    """The XIRR of (day, amount) flows in day order by Newton's method in x = ln(1 + r) from
    `guess`: one exp per step, each gap's discount (a handful of distinct gaps) cached. It
    stops once a step is below `settled` (relative): from a guess within ~1e-6, as a loan's
    monthly root spread over its days is, one step leaves ~1e-12."""
    if guess <= -1.0:
        return None
    x = math.log1p(guess)
    for _ in range(_STEPS):
        try:
            day = math.exp(-x / 365.0)
            powers: dict[int, float] = {}
            discount, previous, value, slope = 1.0, flows[0][0], 0.0, 0.0
            for time, amount in flows:
                gap = time - previous
                if gap:
                    power = powers.get(gap)
                    if power is None:
                        power = powers[gap] = day**gap
                    discount *= power
                    previous = time
                term = amount * discount
                value += term
                slope -= term * time
        except OverflowError:
            return None
        slope /= 365.0
        if not slope or not math.isfinite(value + slope):
            return None
        step = value / slope
        x -= step
        if abs(step) < settled * max(1.0, abs(x)):
            try:
                return math.expm1(x)
            except OverflowError:
                return None
    return None


def _secant(f: Callable[[float], float], guess: float, floor: float) -> float | None:
    """A root of `f` by the secant method from `guess`, kept above `floor`; None on failure."""
    x0 = max(guess, floor)
    x1 = x0 + max(abs(x0) * 1e-4, 1e-6)
    try:
        f0, f1 = f(x0), f(x1)
        for _ in range(_STEPS):
            if f1 == f0:
                return x1 if f1 == 0 else None
            x2 = x1 - f1 * (x1 - x0) / (f1 - f0)
            if not math.isfinite(x2):
                return None
            x2 = max(x2, (x1 + floor) / 2) if x2 <= floor else x2
            if abs(x2 - x1) < 1e-13 * max(1.0, abs(x2)):
                return x2
            x0, f0, x1, f1 = x1, f1, x2, f(x2)
    except (OverflowError, ZeroDivisionError):
        return None
    return None
