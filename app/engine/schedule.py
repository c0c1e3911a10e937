"""Repayment schedules (还款计划, SPEC §2): the five methods, interest bases and grace.

Methods: equal_installment (等额本息), equal_principal (等额本金), interest_only (先息后本),
bullet (到期一次还本付息) and flat_fee (分期手续费, 花呗 / credit-card installments).

The table is computed in integers of minor units (amortize.py, SPEC §11); a Schedule keeps
those rows and builds its Decimal views (installments, totals) only when a caller asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property, lru_cache
from itertools import accumulate
from operator import itemgetter
from typing import NamedTuple

from app.engine.amortize import (
    UnitRow,
    actual_interest,
    level_payment,
    no_interest,
    periodic_interest,
    table,
)
from app.engine.apr import AnnualizedRates, rates_in_units
from app.engine.certified_rates import loan_rates
from app.engine.contract_rate import ContractRate
from app.engine.dates import add_months, days_between, due_dates
from app.engine.errors import InvalidTerms
from app.engine.money import Currency, Rounding
from app.engine.rate_proposal import proposal_of
from app.engine.rounding import from_units, round_ratio


class Method(StrEnum):
    EQUAL_INSTALLMENT = "equal_installment"  # 等额本息
    EQUAL_PRINCIPAL = "equal_principal"  # 等额本金
    INTEREST_ONLY = "interest_only"  # 先息后本
    BULLET = "bullet"  # 到期一次还本付息
    FLAT_FEE = "flat_fee"  # 分期手续费


class InterestBasis(StrEnum):
    PERIODIC = "periodic"  # opening balance × monthly rate, whatever the period's length
    ACTUAL = "actual"  # 按日计息: opening balance × daily rate × days


class GraceType(StrEnum):
    INTEREST_ONLY = "interest_only"
    CAPITALIZE = "capitalize"


# A balance growing past this (interest compounding without bound) is refused with a 422.
MAX_BALANCE = Decimal(10) ** 24
MAX_BALANCE_UNITS = 10**24  # in currency units; times the minor units per unit

GRACE_METHODS = frozenset({Method.EQUAL_INSTALLMENT, Method.EQUAL_PRINCIPAL, Method.INTEREST_ONLY})


@dataclass(frozen=True, slots=True)
class LoanTerms:
    principal: Decimal
    currency: Currency
    rate: ContractRate
    term_months: int
    start_date: date
    method: Method = Method.EQUAL_INSTALLMENT
    first_due_date: date | None = None
    interest_basis: InterestBasis = InterestBasis.PERIODIC
    grace_months: int = 0
    grace_type: GraceType = GraceType.INTEREST_ONLY
    fee_rate: Decimal | None = None  # flat_fee: the fee for the whole term
    fee_rate_per_period: Decimal | None = None  # flat_fee: the fee each period
    rounding: Rounding = Rounding.HALF_UP


class Installment(NamedTuple):
    """One row of a schedule; amounts are already quantized to the currency's minor unit.

    days: days in [previous due date, due_date) (算头不算尾). A named tuple rather than a
    frozen dataclass: just as immutable, and a tenth of the cost to build (a 600-row schedule
    builds 600 of them).
    """

    number: int
    due_date: date
    days: int
    opening_principal: Decimal
    principal: Decimal
    interest: Decimal
    fee: Decimal
    capitalized_interest: Decimal
    closing_principal: Decimal

    @property
    def payment(self) -> Decimal:
        return self.principal + self.interest + self.fee


@dataclass(frozen=True, slots=True)
class Totals:
    principal: Decimal
    interest: Decimal
    fee: Decimal
    payment: Decimal
    capitalized_interest: Decimal


@dataclass(frozen=True)
class Schedule:
    """A schedule: its rows in minor units (number, due_date, days, opening, principal,
    interest, fee, capitalized_interest, closing), the installment amount in minor units, and
    the annualized rates. `installments`, `installment_amount` and `totals` are the Decimal
    views, built once on first use (a /v1/schedules response prints the units directly)."""

    terms: LoanTerms
    rows: tuple[UnitRow, ...]
    amount_units: int
    apr: Decimal
    effective_annual_rate: Decimal

    @cached_property
    def installments(self) -> tuple[Installment, ...]:
        return tuple(installments_of(self.rows, self.terms.currency))

    @cached_property
    def installment_amount(self) -> Decimal:
        return from_units(self.amount_units, self.terms.currency)

    @cached_property
    def totals(self) -> Totals:
        currency = self.terms.currency
        return Totals(*(from_units(units, currency) for units in totals_units(self.rows)))


def totals_units(rows: tuple[UnitRow, ...] | list[UnitRow]) -> tuple[int, int, int, int, int]:
    """(principal, interest, fee, payment, capitalized_interest) summed over the rows."""
    principal = sum(r[4] for r in rows)
    interest = sum(r[5] for r in rows)
    fee = sum(r[6] for r in rows)
    return principal, interest, fee, principal + interest + fee, sum(r[7] for r in rows)


def check_terms(terms: LoanTerms) -> None:
    """Rules of SPEC §2 that the request shape alone cannot state."""
    if terms.method is Method.BULLET and terms.first_due_date is not None:
        raise InvalidTerms("first_due_date", "is not allowed for bullet")
    if terms.first_due_date is not None and terms.first_due_date <= terms.start_date:
        raise InvalidTerms("first_due_date", "must be after start_date")
    if terms.grace_months:
        if terms.method not in GRACE_METHODS:
            raise InvalidTerms("grace_months", f"grace is not available for {terms.method}")
        if terms.grace_months >= terms.term_months:
            raise InvalidTerms("grace_months", "must be less than term_months")
    has_fee = (terms.fee_rate is not None, terms.fee_rate_per_period is not None)
    if terms.method is Method.FLAT_FEE:
        if sum(has_fee) != 1:
            raise InvalidTerms(
                "fee_rate", "flat_fee needs exactly one of fee_rate or fee_rate_per_period"
            )
    elif any(has_fee):
        raise InvalidTerms("fee_rate", "fee_rate and fee_rate_per_period are only for flat_fee")


@lru_cache(maxsize=512)  # at most 600 rows each: a few tens of MB at worst
def _calendar(
    start_date: date, count: int, first_due_date: date | None, bullet: bool
) -> tuple[tuple[date, int], ...]:
    """Each installment's due date and its days since the previous one (SPEC §1).

    Memoized: the calendar depends on three small values that many loans share (everything
    disbursed on one day), and the clamped month stepping costs more than a row's arithmetic.
    """
    if bullet:
        dates = [add_months(start_date, count)]
    else:
        dates = due_dates(start_date, count, first_due_date)
    return tuple(zip(dates, map(days_between, [start_date, *dates[:-1]], dates), strict=True))


def _fees_units(terms: LoanTerms, count: int, half_even: bool) -> list[int]:
    """Each period's fee in minor units (flat_fee only; zero otherwise); the last takes the
    remainder so the fees add up to round(P · fee_rate)."""
    if terms.method is not Method.FLAT_FEE:
        return [0] * count
    scale = 10**terms.currency.minor_digits
    p_num, p_den = terms.principal.as_integer_ratio()
    if terms.fee_rate_per_period is not None:
        f_num, f_den = terms.fee_rate_per_period.as_integer_ratio()
        return [round_ratio(p_num * f_num * scale, p_den * f_den, half_even)] * count
    assert terms.fee_rate is not None
    f_num, f_den = terms.fee_rate.as_integer_ratio()
    each = round_ratio(p_num * f_num * scale, p_den * f_den * count, half_even)
    last = round_ratio(p_num * f_num * scale, p_den * f_den, half_even) - each * (count - 1)
    if last < 0:
        raise InvalidTerms("fee_rate", "the last period's fee would be negative")
    return [each] * (count - 1) + [last]


def amortize_units(terms: LoanTerms) -> tuple[list[UnitRow], int]:
    """The schedule's rows in integers of minor units, and what each period repeats after
    grace (SPEC §2): A, P / n or 0. See amortize.py for the arithmetic."""
    check_terms(terms)
    method = terms.method
    half_even = terms.rounding is Rounding.HALF_EVEN
    scale = 10**terms.currency.minor_digits
    num, den = terms.rate.annual_rate.as_integer_ratio()
    p_num, p_den = terms.principal.as_integer_ratio()
    balance = round_ratio(p_num * scale, p_den, True)  # requests carry the currency's digits
    count = 1 if method is Method.BULLET else terms.term_months
    fees = _fees_units(terms, count, half_even)
    if method is Method.FLAT_FEE:
        interest = no_interest()
    elif terms.interest_basis is InterestBasis.ACTUAL:
        interest = actual_interest(num, den, terms.rate.day_count, half_even)
    else:  # one period; a bullet's period is its whole term
        months = terms.term_months if method is Method.BULLET else 1
        interest = periodic_interest(num, den, months, half_even)

    def level(opening: int, remaining: int) -> int:
        if method is Method.EQUAL_INSTALLMENT:
            return level_payment(opening, num, den, remaining, half_even)
        if method in (Method.EQUAL_PRINCIPAL, Method.FLAT_FEE):
            return round_ratio(opening, remaining, half_even)
        return 0

    calendar = _calendar(
        terms.start_date, terms.term_months, terms.first_due_date, method is Method.BULLET
    )
    return table(
        balance,
        calendar,
        fees,
        interest,
        terms.grace_months,
        terms.grace_type is GraceType.CAPITALIZE,
        level,
        method is Method.EQUAL_INSTALLMENT,
        MAX_BALANCE_UNITS * scale,
    )


def installments_of(
    rows: tuple[UnitRow, ...] | list[UnitRow], currency: Currency
) -> list[Installment]:
    """Rows in minor units as Installments of Decimal amounts, each with the currency's digits.
    Each distinct amount is converted once (a row's opening is the previous closing; fees,
    zeros and the level payment repeat)."""
    distinct = {units for row in rows for units in row[3:]}
    value = {units: from_units(units, currency) for units in distinct}
    new_row = tuple.__new__  # Installment(...) without the NamedTuple's Python-level __new__
    return [
        new_row(
            Installment,
            (
                number,
                due,
                days,
                value[opening],
                value[principal],
                value[interest],
                value[fee],
                value[capitalized],
                value[closing],
            ),
        )
        for number, due, days, opening, principal, interest, fee, capitalized, closing in rows
    ]


def amortize(terms: LoanTerms) -> tuple[list[Installment], Decimal]:
    """The schedule's rows as Installments (Decimal amounts) and the level amount."""
    rows, level = amortize_units(terms)
    return installments_of(rows, terms.currency), from_units(level, terms.currency)


def installment_amount(terms: LoanTerms, rows: list[Installment], level: Decimal) -> Decimal:
    """The level amount A after any grace (等额本息); otherwise the first installment's payment."""
    return level if terms.method is Method.EQUAL_INSTALLMENT else rows[0].payment


def _rates(terms: LoanTerms, rows: list[UnitRow]) -> AnnualizedRates:
    """apr and XIRR of the loan's flows (SPEC §3) in minor units: by month for the APR (a
    bullet's payment at month term_months), by day for the XIRR. Certified straight from the
    rows in C where the kernel can (certified_rates.loan_rates), else from the flows here."""
    months = terms.term_months if terms.method is Method.BULLET else 1
    guess = terms.rate.monthly_rate or Decimal("0.01")
    certified = loan_rates(rows, months, proposal_of(guess))
    if certified is not None:
        return AnnualizedRates(*certified)
    principal = rows[0][3]  # the opening balance: the principal in minor units
    monthly = [-principal, *[0] * (months - 1), *[r[4] + r[5] + r[6] for r in rows]]
    # the XIRR's flows by day: each row's days run from the previous due date (or the start)
    days = [0, *accumulate(map(itemgetter(2), rows))]
    return rates_in_units(monthly, days, terms.currency.minor_digits, guess)


def build_schedule(terms: LoanTerms) -> Schedule:
    """Compute a repayment schedule whose sums reconcile exactly, with its annualized rates."""
    rows, level = amortize_units(terms)
    rates = _rates(terms, rows)
    first = rows[0]
    amount = level if terms.method is Method.EQUAL_INSTALLMENT else first[4] + first[5] + first[6]
    return Schedule(terms, tuple(rows), amount, rates.apr, rates.effective_annual_rate)
