"""Money and rounding (SPEC §1): currencies, and the one place posted amounts are rounded.

Every posted amount is rounded half-up to the currency's minor unit unless the loan says
half_even; intermediate arithmetic runs with 34 significant digits (SPEC asks for >= 28).
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import wraps
from typing import ParamSpec, TypeVar

from app.engine.errors import InvalidTerms

PRECISION = 34
ZERO = Decimal(0)
ONE = Decimal(1)

P = ParamSpec("P")
R = TypeVar("R")


class Rounding(StrEnum):
    HALF_UP = "half_up"  # SPEC §1 default for every posted amount
    HALF_EVEN = "half_even"


@dataclass(frozen=True, slots=True)
class Currency:
    code: str  # ISO 4217
    minor_digits: int  # CNY 2, JPY 0, KWD 3

    @property
    def minor_unit(self) -> Decimal:
        return _MINOR_UNITS[self.minor_digits]

    def allows(self, amount: Decimal) -> bool:
        """The amount as written has at most the currency's minor digits ("1.000" is not CNY)."""
        exponent = amount.as_tuple().exponent
        return isinstance(exponent, int) and -exponent <= self.minor_digits


_MINOR_UNITS = {digits: ONE.scaleb(-digits) for digits in (0, 2, 3)}


_ZERO_DIGITS = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE_DIGITS = "BHD IQD JOD KWD LYD OMR TND"
_TWO_DIGITS = (
    "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP "
    "BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR "
    "FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR "
    "KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV "
    "MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR "
    "SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH "
    "USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG"
)
# Active ISO 4217 codes with 0, 2 or 3 minor digits; CLF/UYW (4), metals and funds are refused.
CURRENCY_DIGITS: dict[str, int] = {
    **{code: 0 for code in _ZERO_DIGITS.split()},
    **{code: 2 for code in _TWO_DIGITS.split()},
    **{code: 3 for code in _THREE_DIGITS.split()},
}


def currency_of(code: str) -> Currency:
    """The Currency for an ISO 4217 code, or InvalidTerms for codes we do not accept."""
    try:
        return Currency(code, CURRENCY_DIGITS[code])
    except KeyError:
        raise InvalidTerms(
            "currency", f"{code!r} is not an active ISO 4217 code with 0, 2 or 3 minor digits"
        ) from None


CNY = currency_of("CNY")


ROUNDING_MODES = {Rounding.HALF_UP: ROUND_HALF_UP, Rounding.HALF_EVEN: ROUND_HALF_EVEN}


def quantize(amount: Decimal, currency: Currency, rounding: Rounding = Rounding.HALF_UP) -> Decimal:
    """Round a posted amount to the currency's minor unit."""
    return amount.quantize(currency.minor_unit, rounding=ROUNDING_MODES[rounding])


def round_rate(rate: Decimal, digits: int = 6) -> Decimal:
    """Annualized rates are reported with 6 digits after the point, half-up (SPEC §3)."""
    return rate.quantize(ONE.scaleb(-digits), rounding=ROUND_HALF_UP)


# The engine's arithmetic settings. Each entry point runs in its own copy (localcontext), never
# in one Context object shared by every thread: flags set by one request cannot show in
# another's. A nested entry point sees the settings already in place and skips the copy.
# Signals are not trapped but Overflow, InvalidOperation and DivisionByZero.
ENGINE_CONTEXT = decimal.Context(prec=PRECISION, rounding=ROUND_HALF_EVEN)
_SETTINGS = (PRECISION, ROUND_HALF_EVEN, ENGINE_CONTEXT.Emin, ENGINE_CONTEXT.Emax)


def exact(func: Callable[P, R]) -> Callable[P, R]:
    """Run an engine entry point with 34 significant digits, whatever the ambient context, in a
    context of its own (a copy of ENGINE_CONTEXT for the call)."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        ambient = decimal.getcontext()
        if (ambient.prec, ambient.rounding, ambient.Emin, ambient.Emax) == _SETTINGS:
            return func(*args, **kwargs)
        with decimal.localcontext(ENGINE_CONTEXT):
            return func(*args, **kwargs)

    return wrapper


def format_amount(amount: Decimal, currency: Currency) -> str:
    """An exact amount as its JSON string with the currency's minor digits ("2509.07", never 1E+3).

    Amounts reaching here are already posted (quantized), so this only pads the zeros. The
    same expression as amount_formatter's (see there why `str`), without building a closure.
    """
    return str(amount.quantize(currency.minor_unit))


def amount_formatter(currency: Currency) -> Callable[[Decimal], str]:
    """format_amount for one currency as a single call, for documents that print ~100 amounts.

    `str` of the quantized value prints the same as format "f" at twice the speed: its
    exponent is 0, −2 or −3, and str turns to scientific notation only for a positive
    exponent or an adjusted one below −6.
    """
    unit = currency.minor_unit

    def text(amount: Decimal) -> str:
        return str(amount.quantize(unit))

    return text
