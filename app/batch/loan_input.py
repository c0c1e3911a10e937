"""One input row -> a loan's validated values, refused exactly as the API would.

POST /v1/positions validates its body with pydantic (app/api/schemas): field by field in
declaration order, then the loan's own checks, then the payments, then the request's checks;
the engine refuses the rest. A problem names its first error. This module walks the same
order with the same words, so a row is an error row exactly when the API would answer 422,
with the API's detail. Values arrive from Arrow: strings, Decimals (decimal128 columns), ints,
dates or None (None: the field is absent and takes its SPEC §2 default).

A decimal128 value is a number, not a writing: its column's scale is not the loan's, so it is
read as its shortest decimal string (12000.00 in a scale-2 column is "12000", valid for JPY).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from app.batch import limits
from app.batch.refusals import LoanRefused
from app.engine.dates import DayCount
from app.engine.errors import CalculationError
from app.engine.money import Currency, Rounding, currency_of
from app.engine.schedule import GraceType, InterestBasis, Method

Loc = tuple[str | int, ...]
E = TypeVar("E", bound=Enum)


@dataclass(frozen=True, slots=True)
class PaymentInput:
    date: date
    amount: Decimal
    reference: str | None


@dataclass(frozen=True, slots=True)
class LoanInput:
    """A valid row, as plain values: position_row.py makes the engine's terms of them."""

    principal: Decimal
    currency: Currency
    annual_rate: Decimal | None
    daily_rate: Decimal | None
    day_count: DayCount
    term_months: int
    method: Method
    start_date: date
    first_due_date: date | None
    interest_basis: InterestBasis
    grace_months: int
    grace_type: GraceType
    fee_rate: Decimal | None
    fee_rate_per_period: Decimal | None
    rounding: Rounding
    payments: tuple[PaymentInput, ...] = ()


def decimal_text(value: Decimal) -> str:
    """A decimal128 value as the shortest plain string: Decimal("12000.50") -> "12000.5"."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _decimal(value: Any, loc: Loc, kind: str, pattern: str) -> Decimal:
    text = decimal_text(value) if isinstance(value, Decimal) else value
    compiled = limits.AMOUNT_RE if kind == "amount" else limits.RATE_RE
    if len(text) > limits.MAX_STRING or not compiled.fullmatch(text):
        raise LoanRefused(loc, f"the {kind} must match {pattern}", "string_pattern_mismatch")
    if len(text.split(".")[0]) > limits.DIGIT_LIMIT:
        raise LoanRefused(loc, f"the {kind} is too large", "less_than_equal")
    return Decimal(text)


def _amount(value: Any, loc: Loc) -> Decimal:
    return _decimal(value, loc, "amount", limits.AMOUNT_PATTERN)


def _rate(value: Any, loc: Loc) -> Decimal | None:
    return None if value is None else _decimal(value, loc, "rate", limits.RATE_PATTERN)


def _enum(kind: type[E], value: Any, loc: Loc, default: E) -> E:
    if value is None:
        return default
    try:
        return kind(value)
    except ValueError:
        names = [repr(m.value) if isinstance(m.value, str) else str(m.value) for m in kind]
        listed = f"{', '.join(names[:-1])} or {names[-1]}"
        raise LoanRefused(loc, f"Input should be {listed}", "enum") from None


def _bounded_int(value: Any, loc: Loc, low: int, high: int) -> int:
    if value < low:
        raise LoanRefused(
            loc, f"Input should be greater than or equal to {low}", "greater_than_equal"
        )
    if value > high:
        raise LoanRefused(loc, f"Input should be less than or equal to {high}", "less_than_equal")
    return int(value)


def _date(value: date, loc: Loc) -> date:
    if value < limits.MIN_DATE:
        msg = f"Input should be greater than or equal to {limits.MIN_DATE!r}"
        raise LoanRefused(loc, msg, "greater_than_equal")
    if value > limits.MAX_DATE:
        msg = f"Input should be less than or equal to {limits.MAX_DATE!r}"
        raise LoanRefused(loc, msg, "less_than_equal")
    return value


def _required(row: Mapping[str, Any], name: str, loc: Loc) -> Any:
    value = row.get(name)
    if value is None:
        raise LoanRefused(loc, "Field required", "missing")
    return value


def loan_input(row: Mapping[str, Any]) -> LoanInput:
    """The row's terms and payments, or LoanRefused with the API's first error."""
    loan = _terms(row)
    payments = _payments(row.get("payments") or (), loan.currency)
    return replace(loan, payments=payments)


def _terms(row: Mapping[str, Any]) -> LoanInput:
    # fields in ScheduleRequest's declaration order (RateTerms first): the first error wins
    at = lambda name: ("loan", name)  # noqa: E731
    annual_rate = _rate(row.get("annual_rate"), at("annual_rate"))
    daily_rate = _rate(row.get("daily_rate"), at("daily_rate"))
    day_count = _enum(DayCount, row.get("day_count"), at("day_count"), DayCount.D360)
    code = row.get("currency")
    code = "CNY" if code is None else code
    if not limits.CURRENCY_RE.fullmatch(code):
        msg = f"String should match pattern '{limits.CURRENCY_PATTERN}'"
        raise LoanRefused(at("currency"), msg, "string_pattern_mismatch")
    rounding = _enum(Rounding, row.get("rounding"), at("rounding"), Rounding.HALF_UP)
    principal = _amount(_required(row, "principal", at("principal")), at("principal"))
    term = _required(row, "term_months", at("term_months"))
    term_months = _bounded_int(term, at("term_months"), *limits.TERM_MONTHS)
    method = _enum(Method, row.get("method"), at("method"), Method.EQUAL_INSTALLMENT)
    start_date = _date(_required(row, "start_date", at("start_date")), at("start_date"))
    first_due = row.get("first_due_date")
    first_due_date = None if first_due is None else _date(first_due, at("first_due_date"))
    basis = _enum(
        InterestBasis, row.get("interest_basis"), at("interest_basis"), InterestBasis.PERIODIC
    )
    grace = row.get("grace_months")
    grace_months = (
        0 if grace is None else _bounded_int(grace, at("grace_months"), *limits.GRACE_MONTHS)
    )
    grace_type = _enum(GraceType, row.get("grace_type"), at("grace_type"), GraceType.INTEREST_ONLY)
    fee_rate = _rate(row.get("fee_rate"), at("fee_rate"))
    fee_rate_per_period = _rate(row.get("fee_rate_per_period"), at("fee_rate_per_period"))

    # then ScheduleRequest's own checks (_build_terms), reported at "loan"
    try:
        currency = currency_of(code)
    except CalculationError as error:
        raise LoanRefused(("loan",), str(error), "currency") from None
    _check_digits("principal", principal, currency, ("loan",))
    if not 0 < principal <= limits.MAX_PRINCIPAL:
        raise LoanRefused(("loan",), "principal must be above 0 and at most 10^12", "principal")
    for name, value in (("fee_rate", fee_rate), ("fee_rate_per_period", fee_rate_per_period)):
        if value is not None and value > limits.MAX_ANNUAL_RATE:
            raise LoanRefused(("loan",), f"{name} may be at most 10", "rate")
    _check_rate(annual_rate, daily_rate, day_count, method is Method.FLAT_FEE)
    return LoanInput(
        principal=principal,
        currency=currency,
        annual_rate=annual_rate,
        daily_rate=daily_rate,
        day_count=day_count,
        term_months=term_months,
        method=method,
        start_date=start_date,
        first_due_date=first_due_date,
        interest_basis=basis,
        grace_months=grace_months,
        grace_type=grace_type,
        fee_rate=fee_rate,
        fee_rate_per_period=fee_rate_per_period,
        rounding=rounding,
    )


def _check_rate(
    annual: Decimal | None, daily: Decimal | None, day_count: DayCount, optional: bool
) -> None:
    """RateTerms.contract_rate: exactly one of the two rates (none for flat_fee), and an
    annual rate (daily × day_count, SPEC §1) of at most 10."""
    one_of = "give exactly one of annual_rate or daily_rate"
    if annual is not None and daily is not None:
        raise LoanRefused(("loan",), one_of, "rate")
    if annual is None and daily is None and not optional:
        raise LoanRefused(("loan",), one_of, "rate")
    annual_rate = daily * day_count if daily is not None else annual
    if annual_rate is not None and annual_rate > limits.MAX_ANNUAL_RATE:
        raise LoanRefused(("loan",), "the annual rate may be at most 10 (1000 %)", "rate")


def _check_digits(field: str, amount: Decimal, currency: Currency, loc: Loc) -> None:
    if not currency.allows(amount):
        msg = f"{field} has more than {currency.minor_digits} decimal places for {currency.code}"
        raise LoanRefused(loc, msg, "decimal_max_places")


def _payments(rows: Sequence[Mapping[str, Any]], currency: Currency) -> tuple[PaymentInput, ...]:
    payments = []
    for index, row in enumerate(rows):
        at = ("payments", index)
        day = _date(_required(row, "date", (*at, "date")), (*at, "date"))
        amount = _amount(_required(row, "amount", (*at, "amount")), (*at, "amount"))
        reference = row.get("reference")
        if reference is not None and len(reference) > limits.MAX_REFERENCE:
            msg = f"String should have at most {limits.MAX_REFERENCE} characters"
            raise LoanRefused((*at, "reference"), msg, "string_too_long")
        payments.append(PaymentInput(day, amount, reference))
    if len(payments) > limits.MAX_PAYMENTS:
        msg = (
            f"List should have at most {limits.MAX_PAYMENTS} items after validation, "
            f"not {len(payments)}"
        )
        raise LoanRefused(("payments",), msg, "too_long")
    # PositionRequest's own checks, reported at the body
    for payment in payments:
        _check_digits("amount", payment.amount, currency, ())
        if payment.amount > limits.MAX_AMOUNT:
            raise LoanRefused((), "a payment may be at most 10^15", "amount")
    return tuple(payments)
