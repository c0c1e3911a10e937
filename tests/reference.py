"""A second method for the tests: textbook formulas in exact fractions, written apart from app/.

Nothing here imports the engine, so a figure checked against these helpers is checked by an
independent computation, not by the code under test:

- `pmt`: the annuity formula A = P·i / (1 − (1 + i)^−n) in `Fraction` (exact, no precision).
- `round_half_up` / `round_half_even`: rounding of an exact fraction to `digits` places.
- `irr`: the rate solving Σ amount_k / (1 + r)^t_k = 0 by plain bisection in a 50-digit
  Decimal context (the engine proposes in floats and certifies exactly).
- restructuring plans: `pmt_cents`, `equal_installment_rows`, `interest_free_rows` and a
  plan's `monthly_apr`, in plain Decimal arithmetic.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction


def to_fraction(text: str | int) -> Fraction:
    return Fraction(Decimal(str(text)))


def as_decimal(value: Fraction) -> Decimal:
    """A fraction as a Decimal (exact for posted amounts; 50 digits otherwise)."""
    with decimal.localcontext() as ctx:
        ctx.prec = 50
        return Decimal(value.numerator) / Decimal(value.denominator)


def round_half_up(value: Fraction, digits: int = 2) -> Decimal:
    """Round an exact value half away from zero (SPEC §1 default)."""
    scale = 10**digits
    scaled = abs(value) * scale
    units = int(scaled)
    if scaled - units >= Fraction(1, 2):
        units += 1
    sign = -1 if value < 0 else 1
    return Decimal(sign * units).scaleb(-digits)


def round_half_even(value: Fraction, digits: int = 2) -> Decimal:
    """Round an exact value to the nearest, ties to the even unit (banker's rounding)."""
    scale = 10**digits
    units = round(value * scale)  # Fraction.__round__ rounds ties to even
    return Decimal(units).scaleb(-digits)


def money(value: Fraction, digits: int = 2, *, half_even: bool = False) -> str:
    """The JSON string of a posted amount."""
    rounded = round_half_even(value, digits) if half_even else round_half_up(value, digits)
    return format(rounded, "f")


def pmt(principal: Fraction, rate: Fraction, count: int) -> Fraction:
    """Level payment of an annuity (spreadsheet PMT): P·i / (1 − (1 + i)^−n); P / n at zero."""
    if rate == 0:
        return principal / count
    return principal * rate / (1 - (1 + rate) ** -count)


def amortize_level(
    principal: Fraction,
    rate: Fraction,
    count: int,
    *,
    half_even: bool = False,
    digits: int = 2,
) -> tuple[Decimal, list[tuple[Decimal, Decimal]]]:
    """等额本息 on the periodic basis, done the textbook way: A rounded once, each month's
    interest rounded on the posted balance, the last month takes the rest.

    Returns (A, [(interest, principal), ...]).
    """

    def rnd(value: Fraction) -> Decimal:
        return round_half_even(value, digits) if half_even else round_half_up(value, digits)

    level = rnd(pmt(principal, rate, count))
    balance = Fraction(principal)
    rows: list[tuple[Decimal, Decimal]] = []
    for month in range(1, count + 1):
        interest = rnd(balance * rate)
        paid = balance if month == count else Fraction(level) - Fraction(interest)
        rows.append((interest, as_decimal(paid)))
        balance -= paid
    return level, rows


def irr(times: Sequence[Fraction], amounts: Sequence[Decimal]) -> Decimal:
    """Rate r with Σ amount / (1 + r)^t = 0, by bisection on (−0.99, 10) at 50 digits.

    Assumes one sign change (a loan: one outflow first, then inflows), so the NPV falls
    as r rises and bisection converges to the unique root.
    """
    with decimal.localcontext() as ctx:
        ctx.prec = 50

        def npv(rate: Decimal) -> Decimal:
            base = 1 + rate
            return sum(
                (a * base ** -as_decimal(t) for t, a in zip(times, amounts, strict=True)),
                Decimal(0),
            )

        low, high = Decimal("-0.99"), Decimal(10)
        for _ in range(200):
            mid = (low + high) / 2
            if npv(mid) > 0:
                low = mid
            else:
                high = mid
        return (low + high) / 2


def monthly_irr_times_12(amounts: Sequence[Decimal]) -> Decimal:
    """SPEC §3 `apr`: IRR of flows at months 0, 1, 2, … times 12 (unrounded)."""
    return irr([Fraction(k) for k in range(len(amounts))], amounts) * 12


def xirr(flows: Sequence[tuple[date, Decimal]]) -> Decimal:
    """Spreadsheet XIRR: flows at (date − first date) / 365 years (unrounded)."""
    origin = min(day for day, _ in flows)
    times = [Fraction((day - origin).days, 365) for day, _ in flows]
    return irr(times, [amount for _, amount in flows])


def rate6(value: Decimal) -> str:
    """A rate as the API prints it: 6 digits after the point, half-up."""
    return format(value.quantize(Decimal("0.000001"), rounding=decimal.ROUND_HALF_UP), "f")


# --- Restructuring plans (SPEC §2, §3, §6), the way a clerk would write them: the spreadsheet
# PMT in Decimal at 50 digits, the periodic-basis rows, and the plan's apr by the bisection above.

CENT = Decimal("0.01")
MICRO = Decimal("0.000001")


def cents(amount: Decimal, rounding: str = "half_up") -> Decimal:
    mode = ROUND_HALF_UP if rounding == "half_up" else ROUND_HALF_EVEN
    return amount.quantize(CENT, rounding=mode)


def pmt_cents(
    principal: Decimal, monthly_rate: Decimal, n: int, rounding: str = "half_up"
) -> Decimal:
    """Spreadsheet PMT: A = P·i·(1+i)^n / ((1+i)^n − 1), or P / n at rate 0, rounded to cents."""
    with localcontext(prec=50):
        if monthly_rate == 0:
            return cents(principal / n, rounding)
        growth = (1 + monthly_rate) ** n
        return cents(principal * monthly_rate * growth / (growth - 1), rounding)


def equal_installment_rows(
    principal: Decimal, monthly_rate: Decimal, n: int, *, grace: int = 0, rounding: str = "half_up"
) -> list[tuple[Decimal, Decimal]]:
    """(principal, interest) per row, periodic basis; `grace` interest-only rows come first."""
    with localcontext(prec=50):
        rows: list[tuple[Decimal, Decimal]] = []
        balance = principal
        for _ in range(grace):
            rows.append((Decimal("0.00"), cents(balance * monthly_rate, rounding)))
        level = pmt_cents(principal, monthly_rate, n - grace, rounding)
        for k in range(n - grace):
            interest = cents(balance * monthly_rate, rounding)
            paid = balance if k == n - grace - 1 else level - interest
            rows.append((paid, interest))
            balance -= paid
        return rows


def interest_free_rows(
    principal: Decimal, n: int, rounding: str = "half_up"
) -> list[tuple[Decimal, Decimal]]:
    """equal_principal at rate 0: round(P / n) each row, the last takes the remainder."""
    with localcontext(prec=50):
        each = cents(principal / n, rounding)
        return [(each, Decimal("0.00"))] * (n - 1) + [(principal - each * (n - 1), Decimal("0.00"))]


def monthly_apr(principal: Decimal, payments: Sequence[Decimal]) -> Decimal:
    """12 × the monthly IRR of (−principal, payments at months 1..n), 6 digits half-up."""
    rate = monthly_irr_times_12([-principal, *payments])
    return rate.quantize(MICRO, rounding=ROUND_HALF_UP)
