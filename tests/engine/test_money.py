"""Money and rounding (SPEC §1): half-up by default, half-even on request, minor digits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.engine.errors import InvalidTerms
from app.engine.money import (
    CNY,
    CURRENCY_DIGITS,
    Rounding,
    amount_formatter,
    currency_of,
    format_amount,
    quantize,
    round_rate,
)


@pytest.mark.parametrize(
    ("amount", "half_up", "half_even"),
    [
        ("0.125", "0.13", "0.12"),  # a tie: up goes away from zero, even keeps the 2
        ("0.135", "0.14", "0.14"),  # a tie whose even neighbour is above
        ("2.675", "2.68", "2.68"),
        ("2.665", "2.67", "2.66"),
        ("0.1249999", "0.12", "0.12"),  # not a tie: both round down
        ("0.1250001", "0.13", "0.13"),  # not a tie: both round up
    ],
)
def test_half_up_and_half_even_differ_only_on_exact_ties(amount, half_up, half_even):
    """Ties (a 5 and nothing after it at the third place) are where the modes differ."""
    value = Decimal(amount)
    assert str(quantize(value, CNY)) == half_up
    assert str(quantize(value, CNY, Rounding.HALF_EVEN)) == half_even


@pytest.mark.parametrize(
    ("code", "digits"),
    [
        ("CNY", 2),
        ("HKD", 2),
        ("USD", 2),
        ("EUR", 2),
        ("GBP", 2),
        ("CHF", 2),
        ("SGD", 2),
        ("JPY", 0),
        ("KRW", 0),
        ("VND", 0),
        ("ISK", 0),
        ("BHD", 3),
        ("KWD", 3),
        ("JOD", 3),
        ("OMR", 3),
        ("TND", 3),
    ],
)
def test_currencies_named_by_spec_have_their_iso_4217_minor_digits(code, digits):
    """SPEC §1 list; digits from the ISO 4217 table (JPY/KRW/VND/ISK 0; BHD/KWD/JOD/OMR/TND 3)."""
    assert currency_of(code).minor_digits == digits


@pytest.mark.parametrize("code", ["XAU", "XAG", "XDR", "CLF", "UYW", "ABC", "cny", ""])
def test_metals_four_digit_and_unknown_codes_are_refused(code):
    """XAU/XAG (metals) and XDR have no minor unit, CLF and UYW have 4 digits: not accepted."""
    with pytest.raises(InvalidTerms):
        currency_of(code)


def test_currency_table_only_holds_0_2_or_3_digits():
    assert set(CURRENCY_DIGITS.values()) == {0, 2, 3}
    assert all(len(code) == 3 and code.isupper() for code in CURRENCY_DIGITS)


@pytest.mark.parametrize(
    ("code", "amount", "expected"),
    [
        ("JPY", "12345.5", "12346"),  # 0 digits, half-up
        ("KWD", "1.0005", "1.001"),  # 3 digits, half-up
        ("CNY", "1000", "1000.00"),  # padded, never 1E+3
        ("CNY", "1E+3", "1000.00"),
    ],
)
def test_amounts_are_formatted_with_exactly_the_minor_digits(code, amount, expected):
    currency = currency_of(code)
    assert format_amount(quantize(Decimal(amount), currency), currency) == expected


@given(
    st.integers(-(10**20), 10**20),  # at most 10^24 with 3 digits: 28 digits of context
    st.integers(-9, 3),
    st.sampled_from(["CNY", "JPY", "KWD"]),
)
def test_formatting_never_falls_into_scientific_notation(coefficient, exponent, code):
    """format_amount prints with str (faster): for any amount, tiny, huge or with a positive
    exponent, it must print what the plain fixed-point format "f" prints of the amount
    rounded to the currency's digits, and never an "E"."""
    currency = currency_of(code)
    amount = Decimal(coefficient).scaleb(exponent)
    expected = format(amount.quantize(currency.minor_unit), "f")
    text = format_amount(amount, currency)
    assert text == expected
    assert "E" not in text
    assert amount_formatter(currency)(amount) == expected


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("0.1526765", "0.152677"), ("0.1526764999", "0.152676"), ("0.0000004", "0.000000")],
)
def test_rates_are_reported_with_6_digits_half_up(rate, expected):
    assert str(round_rate(Decimal(rate))) == expected
