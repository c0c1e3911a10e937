"""A second, deliberately plain computation of restructuring plans (SPEC §2, §3, §6).

The restructuring tests compare the service with these few lines of Decimal arithmetic, which
share nothing with app/: the spreadsheet PMT formula, the periodic-basis rows written the way a
clerk would, and the monthly IRR found by bisection on the net present value.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext

CENT = Decimal("0.01")
MICRO = Decimal("0.000001")


def cents(amount: Decimal, rounding: str = "half_up") -> Decimal:
    mode = ROUND_HALF_UP if rounding == "half_up" else ROUND_HALF_EVEN
    return amount.quantize(CENT, rounding=mode)


def pmt(principal: Decimal, monthly_rate: Decimal, n: int, rounding: str = "half_up") -> Decimal:
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
        level = pmt(principal, monthly_rate, n - grace, rounding)
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
    with localcontext(prec=50):

        def npv(rate: Decimal) -> Decimal:
            discounted = (p / (1 + rate) ** (k + 1) for k, p in enumerate(payments))
            return sum(discounted, Decimal(0)) - principal

        low, high = Decimal("-0.5"), Decimal("1")
        for _ in range(200):
            middle = (low + high) / 2
            if npv(middle) > 0:
                low = middle
            else:
                high = middle
        return (12 * (low + high) / 2).quantize(MICRO, rounding=ROUND_HALF_UP)
