"""Shared request/response types: money and rates as strings (SPEC §1, §8)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from app.api.schemas.examples import CASE_STUDY_LOAN, CASE_STUDY_PAYMENTS
from app.engine.dates import DayCount
from app.engine.money import CURRENCY_DIGITS, Currency, currency_of

AMOUNT_PATTERN = r"^[0-9]+(\.[0-9]{1,3})?$"
SIGNED_AMOUNT_PATTERN = r"^-?[0-9]+(\.[0-9]{1,3})?$"
RATE_PATTERN = r"^[0-9]+(\.[0-9]{1,12})?$"
MAX_PRINCIPAL = Decimal(10) ** 12
# Payments, cash flows and schedule rows are not principals: a 10^12 loan's bullet repayment or
# payoff is above 10^12. SPEC §8 bounds only the principal; this keeps them within the engine's
# exact digits with room for interest and penalties.
MAX_AMOUNT = Decimal(10) ** 15
MAX_ANNUAL_RATE = Decimal(10)
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2200, 12, 31)
_DIGIT_LIMIT = 20  # integer digits accepted before the bound checks (keeps Decimal small)


def _decimal_string(pattern: str, kind: str, matched: str | None = None):  # type: ignore[no-untyped-def]
    """A validator of decimal strings that match `matched` (default: `pattern`, the published
    pattern that a refusal quotes)."""
    compiled = re.compile(matched or pattern)

    def parse(value: Any) -> Decimal:
        if not isinstance(value, str):
            raise PydanticCustomError(
                "string_type", f'send the {kind} as a string, e.g. "12000.00"'
            )
        if len(value) > 40 or not compiled.fullmatch(value):
            raise PydanticCustomError("string_pattern_mismatch", f"the {kind} must match {pattern}")
        point = value.find(".")
        if (point if point >= 0 else len(value)) - value.startswith("-") > _DIGIT_LIMIT:
            raise PydanticCustomError("less_than_equal", f"the {kind} is too large")
        return Decimal(value)

    return parse


AmountIn = Annotated[
    Decimal,
    BeforeValidator(_decimal_string(AMOUNT_PATTERN, "amount")),
    WithJsonSchema(
        {"type": "string", "pattern": AMOUNT_PATTERN, "examples": [CASE_STUDY_LOAN["principal"]]}
    ),
]
# An agreement payment's digits are its agreement's currency's, known only once the agreement
# is loaded: any number of decimals passes here, and the payment service refuses more than that
# currency's, naming them ("has more than 2 decimal places for CNY"). The published pattern
# (at most 3) admits nothing that the service accepts beyond it.
PaymentAmountIn = Annotated[
    Decimal,
    BeforeValidator(_decimal_string(AMOUNT_PATTERN, "amount", matched=r"^[0-9]+(\.[0-9]+)?$")),
    WithJsonSchema({"type": "string", "pattern": AMOUNT_PATTERN, "examples": ["880.81"]}),
]
SignedAmountIn = Annotated[
    Decimal,
    BeforeValidator(_decimal_string(SIGNED_AMOUNT_PATTERN, "amount")),
    WithJsonSchema({"type": "string", "pattern": SIGNED_AMOUNT_PATTERN, "examples": ["-2500.00"]}),
]
RateIn = Annotated[
    Decimal,
    BeforeValidator(_decimal_string(RATE_PATTERN, "rate")),
    WithJsonSchema({"type": "string", "pattern": RATE_PATTERN, "examples": ["0.0005"]}),
]
# Response strings are built by format_amount / round_rate, so their pattern is published for
# clients but not re-checked on every field of every response (a measurable cost on big plans).
AmountOut = Annotated[
    str,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^-?[0-9]+(\.[0-9]{1,3})?$",
            "examples": [CASE_STUDY_PAYMENTS[0]["amount"]],
        }
    ),
]
RateOut = Annotated[
    str,
    WithJsonSchema(
        {"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{6}$", "examples": ["0.179997"]}
    ),
]


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date_string(value: Any) -> Any:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise PydanticCustomError("date_type", 'send the date as an ISO string, e.g. "2026-03-15"')
    return value


DateIn = Annotated[
    date,
    BeforeValidator(_iso_date_string),
    Field(ge=MIN_DATE, le=MAX_DATE),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2026-01-15"]}),
]
CurrencyCode = Annotated[str, Field(default="CNY", pattern=r"^[A-Z]{3}$", examples=["CNY"])]
DayCountIn = Annotated[DayCount, Field(description="360 (default, Chinese bank practice) or 365")]


class RequestModel(BaseModel):
    """Every request model forbids unknown fields (SPEC §1)."""

    model_config = ConfigDict(extra="forbid")


def shared_default(default: BaseModel) -> Any:
    """A nested request model's default, one instance shared by every request: pydantic
    deep-copies an unhashable default on each validation (~4 us a model), and these defaults
    are only read. The schema shows the same default as before."""
    return Field(
        default_factory=lambda: default,
        json_schema_extra={"default": default.model_dump(mode="json", exclude_none=True)},
    )


def check_minor_digits(field: str, amount: Decimal | None, currency: Currency) -> None:
    """Amounts may carry at most the currency's minor digits (SPEC §1): Currency.allows, read
    from `str` when it prints the digits as written (no exponent: then the digits after the
    point are exactly the amount's), which is a tenth of the cost of its `as_tuple`."""
    if amount is None:
        return
    text = str(amount)
    allowed = (
        len(text.partition(".")[2]) <= currency.minor_digits
        if amount.is_finite() and "E" not in text
        else currency.allows(amount)
    )
    if not allowed:
        raise PydanticCustomError(
            "decimal_max_places",
            f"{field} has more than {currency.minor_digits} decimal places for {currency.code}",
        )


# each currency made once: a request names one (Currency is immutable)
_CURRENCIES = {code: currency_of(code) for code in CURRENCY_DIGITS}


def parse_currency(code: str) -> Currency:
    currency = _CURRENCIES.get(code)
    if currency is not None:
        return currency
    try:
        return currency_of(code)
    except ValueError as exc:
        raise PydanticCustomError("currency", str(exc)) from None
