"""Rounding on integers of minor units (SPEC §1), exactly: the one place an exact ratio becomes
a posted amount in the integer core.

`round_ratio(numerator, denominator, half_even)` is numerator / denominator rounded to an
integer, half-up (half away from 0, as Decimal's ROUND_HALF_UP) or half-even, by `divmod`:
no precision, no context, nothing inexact.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction

from app.engine.money import Currency, Rounding


def round_ratio(numerator: int, denominator: int, half_even: bool = False) -> int:
    """numerator / denominator (denominator > 0) to the nearest integer; a tie goes away from 0
    (half-up) or to the even neighbour (`half_even`)."""
    quotient, remainder = divmod(numerator, denominator)  # floor: 0 ≤ remainder < denominator
    twice = 2 * remainder
    if twice > denominator:
        return quotient + 1
    if twice < denominator:
        return quotient
    if half_even:
        return quotient + (quotient & 1)
    return quotient + 1 if quotient >= 0 else quotient  # the tie q + ½: away from 0


def is_half_even(rounding: Rounding) -> bool:
    return rounding is Rounding.HALF_EVEN


def ratio(value: Decimal) -> tuple[int, int]:
    """An exact Decimal as (numerator, denominator), denominator > 0."""
    return value.as_integer_ratio()


def to_units(amount: Decimal, currency: Currency) -> int:
    """An amount with at most the currency's digits as an integer of minor units (exact)."""
    numerator, denominator = amount.as_integer_ratio()
    scale: int = 10**currency.minor_digits
    units, rest = divmod(numerator * scale, denominator)
    if rest:
        raise ValueError(f"{amount} has more than {currency.minor_digits} decimals")
    return units


# Passed explicitly to scaleb, never installed: 60 digits hold every amount (at most 10^24
# with 3 decimals), so moving the decimal point is exact.
_EDGE = decimal.Context(prec=60)


def from_units(units: int, currency: Currency) -> Decimal:
    """Minor units as the Decimal amount with exactly the currency's digits ("2509.07")."""
    return Decimal(units).scaleb(-currency.minor_digits, _EDGE)


def units_to_decimal(units: int, digits: int) -> Decimal:
    """Minor units of a currency with `digits` decimals as an exact Decimal."""
    return Decimal(units).scaleb(-digits, _EDGE)


def format_units(units: int, digits: int) -> str:
    """Minor units as the JSON string of the amount: "2509.07", "-0.05", "1200" (JPY)."""
    if not digits:
        return str(units)
    text = str(abs(units)).rjust(digits + 1, "0")
    text = f"{text[:-digits]}.{text[-digits:]}"
    return f"-{text}" if units < 0 else text


def fraction_of(value: Decimal) -> Fraction:
    return Fraction(*value.as_integer_ratio())
