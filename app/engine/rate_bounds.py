"""Exact signs of a net present value (SPEC §11): what certifies a proposed rate.

Amounts are integers (minor units, or any common scale: only signs matter here). A rate is a
`Fraction`. `monthly_sign` is exact rational arithmetic: the NPV of flows at whole months is a
polynomial in 1 + r/12. `daily_sign` signs spreadsheet XIRR's NPV, whose powers (1 + r)^(d/365)
are irrational: it evaluates the NPV in fixed point with interval bounds, every operation
rounded outward (floor for the lower bound, ceiling for the upper), so the true NPV lies
between the two bounds; it answers only when both bounds have one sign, and None otherwise
(the caller then asks with more bits, and at last lets the exact Decimal solver decide).
Every value in this module is an exact integer.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import repeat
from operator import lshift, sub

Runs = Sequence[tuple[int, int, int]]  # (first month, last month, amount) of equal flows


def runs_of(amounts: Sequence[int]) -> list[tuple[int, int, int]]:
    """Consecutive equal nonzero amounts as (first month, last month, amount): a level
    schedule is three runs (the loan, the level payments, the last payment)."""
    runs: list[tuple[int, int, int]] = []
    first = 0
    current = amounts[0]
    for month, amount in enumerate(amounts):
        if amount != current:
            if current:
                runs.append((first, month - 1, current))
            first, current = month, amount
    if current:
        runs.append((first, len(amounts) - 1, current))
    return runs


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)


def monthly_sign(runs: Runs, n: int, d: int) -> int:
    """The exact sign of Σ amount_t / (1 + i)^t, t in whole periods (months for apr), 1 + i =
    n/d > 0 (integers).

    With 1 + i = N/D and T the last month, the NPV times (N/D)^T is Σ amount_t N^(T−t) D^t / D^T,
    whose sign is that of the integer Σ amount_t N^(T−t) D^t. A run of one amount A over months
    s..e sums as a geometric series: A N^(T−e) D^s (N^(m+1) − D^(m+1)) / (N − D), m = e − s,
    so a 360-month level schedule costs a few integer powers, not 360 big products.
    """
    if n == d:
        return _sign(sum(amount * (last - first + 1) for first, last, amount in runs))
    end = runs[-1][1]
    total = 0
    for first, last, amount in runs:
        span = last - first + 1
        total += amount * n ** (end - last) * d**first * (n**span - d**span)
    return _sign(total) * _sign(n - d)


# --- XIRR: fixed-point intervals -------------------------------------------------------------


def _ceil_shift(value: int, bits: int) -> int:
    return -((-value) >> bits)


def _atanh_sum(num: int, den: int, bits: int) -> tuple[int, int]:
    """Bounds on atanh(num/den)·2^bits = Σ z^(2k+1)/(2k+1), 0 ≤ z = num/den ≤ 1/2: each term
    floored exactly from integers, so the sum of floors is at most `terms` units low, and the
    tail past the last term is below twice that term (z² ≤ 1/4)."""
    low = 0
    terms = 0
    power_num, power_den = num, den
    odd = 1
    while True:
        term = (power_num << bits) // (power_den * odd)
        if term == 0:
            break
        low += term
        terms += 1
        power_num *= num * num
        power_den *= den * den
        odd += 2
    return low, low + terms + 2  # the tail after the first zero term is < 2 units


@lru_cache(maxsize=8)
def _ln2(bits: int) -> tuple[int, int]:
    """ln 2 = 2 atanh(1/3), bounds in units of 2^−bits."""
    low, high = _atanh_sum(1, 3, bits)
    return 2 * low, 2 * high


_ANCHORS = 64  # ln is taken from the nearest 1 + j/64, whose ln is computed once per precision


@lru_cache(maxsize=256)
def _ln_anchor(j: int, bits: int) -> tuple[int, int]:
    """Bounds on ln(1 + j/64)·2^bits, |j| ≤ 22 (a table, as a libm keeps one)."""
    n, d = _ANCHORS + j, _ANCHORS
    if n >= d:
        low, high = _atanh_sum(n - d, n + d, bits)
        return 2 * low, 2 * high
    low, high = _atanh_sum(d - n, n + d, bits)
    return -2 * high, -2 * low


def ln_bounds(n: int, d: int, bits: int) -> tuple[int, int]:
    """Integers lo ≤ ln(n/d)·2^bits ≤ hi for integers n, d > 0.

    n/d = 2^k · q with q in [2/3, 4/3], q = c · (q/c) with c = 1 + j/64 the nearest anchor, so
    ln(q/c) = 2 atanh(z) with |z| ≤ 1/256: a few terms of the series.
    """
    k = n.bit_length() - d.bit_length()
    if k > 0:
        d <<= k
    else:
        n <<= -k
    while 3 * n > 4 * d:  # q > 4/3
        d *= 2
        k += 1
    while 3 * n < 2 * d:  # q < 2/3
        n *= 2
        k -= 1
    j = (_ANCHORS * (n - d) + d // 2) // d  # the anchor nearest q
    anchor_low, anchor_high = _ln_anchor(j, bits)
    n, d = n * _ANCHORS, d * (_ANCHORS + j)  # q / c
    if n >= d:
        low, high = _atanh_sum(n - d, n + d, bits)
        low, high = 2 * low + anchor_low, 2 * high + anchor_high
    else:
        low, high = _atanh_sum(d - n, n + d, bits)
        low, high = anchor_low - 2 * high, anchor_high - 2 * low
    ln2_low, ln2_high = _ln2(bits)
    if k >= 0:
        return low + k * ln2_low, high + k * ln2_high
    return low + k * ln2_high, high + k * ln2_low


def _exp_positive(x: int, bits: int, upward: bool) -> int:
    """exp(x / 2^bits)·2^bits for 0 ≤ x ≤ 2^bits, rounded down (or up, `upward`).

    Each Taylor term x^k/k! is the previous one times x/k, floored (or ceiled). Down: the
    floored terms, all positive, until one is 0. Up: the ceiled terms until one is at most a
    unit, plus that term again for the tail (x/(k+1) ≤ 1/2, so the rest sums to at most it).
    """
    total = term = 1 << bits
    k = 1
    while True:
        if upward:
            term = -((-term * x) // (k << bits))
            total += term
            if term <= 1:
                return total + term
        else:
            term = (term * x) // (k << bits)
            if not term:
                return total
            total += term
        k += 1


def exp_bounds(low: int, high: int, bits: int) -> tuple[int, int] | None:
    """Integers lo ≤ exp(x)·2^bits ≤ hi for every x in [low, high]·2^−bits, |x| ≤ 1; None
    beyond (the caller gives up the certificate)."""
    one = 1 << bits
    if not -one <= low <= high <= one:
        return None
    if low >= 0:
        return _exp_positive(low, bits, False), _exp_positive(high, bits, True)
    if high <= 0:  # exp(x) = 1 / exp(−x)
        up = _exp_positive(-low, bits, True)
        down = _exp_positive(-high, bits, False)
        return (one << bits) // up, -((-(one << bits)) // down)
    return exp_bounds(low, 0, bits)[0], exp_bounds(0, high, bits)[1]  # type: ignore[index]


def _power_bounds(low: int, high: int, exponent: int, bits: int) -> tuple[int, int]:
    """[low, high]^exponent in units of 2^−bits, 0 ≤ low ≤ high, rounded outward."""
    result_low = result_high = 1 << bits
    base_low, base_high = low, high
    while exponent:
        if exponent & 1:
            result_low = (result_low * base_low) >> bits
            result_high = _ceil_shift(result_high * base_high, bits)
        exponent >>= 1
        if exponent:
            base_low = (base_low * base_low) >> bits
            base_high = _ceil_shift(base_high * base_high, bits)
    return result_low, result_high


class DailyFlows:
    """(day, amount) flows in day order, prepared once for the several signs a certificate asks:
    the steps from the last flow back to the first as (gap in days, amount), and the amounts
    scaled to each fixed-point precision."""

    def __init__(self, flows: Sequence[tuple[int, int]]) -> None:
        days, amounts = zip(*flows, strict=True)
        self.last: int = amounts[-1]
        # from the last flow back: each earlier flow's gap to the next one and its amount
        # (map and zip iterate in C: a 360-row schedule's XIRR prepares 360 steps)
        self._gaps: list[int] = list(map(sub, days[:0:-1], days[-2::-1]))
        self._amounts: tuple[int, ...] = amounts[-2::-1]
        self.gaps = sorted(set(self._gaps))
        self._scaled: dict[int, list[tuple[int, int]]] = {}

    def scaled(self, bits: int) -> list[tuple[int, int]]:
        steps = self._scaled.get(bits)
        if steps is None:
            shifted = map(lshift, self._amounts, repeat(bits))
            steps = self._scaled[bits] = list(zip(self._gaps, shifted, strict=True))
        return steps


def _gap_factors(
    day_low: int, day_high: int, gaps: list[int], bits: int
) -> dict[int, tuple[int, int]]:
    """Bounds on w^gap for each gap (ascending): each from the previous by w^(difference)."""
    factors: dict[int, tuple[int, int]] = {}
    low = high = 1 << bits
    previous = 0
    for gap in gaps:
        step_low, step_high = _power_bounds(day_low, day_high, gap - previous, bits)
        low = (low * step_low) >> bits
        high = -((-high * step_high) >> bits)
        factors[gap] = (low, high)
        previous = gap
    return factors


def daily_sign(flows: DailyFlows, n: int, d: int, bits: int) -> int | None:
    """The sign of Σ amount / (1 + r)^(day / 365), 1 + r = n/d > 0 (integers), or None when
    `bits` of fixed point cannot tell it (an NPV too close to 0, a factor out of range).

    One day discounts by w = exp(−ln(1 + r) / 365); each gap between flows by w^gap, both as
    intervals. The NPV is then evaluated by Horner's rule from the last flow, the interval
    widened outward at every product: a_0 + v_1 (a_1 + v_2 (a_2 + …)). The first flow's own
    discount, a positive factor, does not change the sign and is left out.
    """
    ln_low, ln_high = ln_bounds(n, d, bits)
    # x = −ln(1 + r) / 365 lies in [floor(−ln_high / 365), ceil(−ln_low / 365)]
    day = exp_bounds(-ln_high // 365, -(ln_low // 365), bits)
    if day is None:
        return None
    factors = _gap_factors(day[0], day[1], flows.gaps, bits)
    acc_low = acc_high = flows.last << bits
    for gap, scaled in flows.scaled(bits):
        f_low, f_high = factors[gap]
        if acc_low >= 0:
            acc_low = ((acc_low * f_low) >> bits) + scaled
        else:
            acc_low = ((acc_low * f_high) >> bits) + scaled
        if acc_high >= 0:
            acc_high = scaled - ((-acc_high * f_high) >> bits)  # the ceiling of the product
        else:
            acc_high = scaled - ((-acc_high * f_low) >> bits)
    if acc_low > 0:
        return 1
    if acc_high < 0:
        return -1
    return None
