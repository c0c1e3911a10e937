"""Repayment schedules (还款计划, SPEC §2): the five methods, interest bases and grace.

Methods: equal_installment (等额本息), equal_principal (等额本金), interest_only (先息后本),
bullet (到期一次还本付息) and flat_fee (分期手续费, 花呗 / credit-card installments).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from itertools import accumulate
from operator import attrgetter
from typing import NamedTuple

from app.engine.amortize import (
    UnitRow,
    actual_interest,
    level_payment,
    no_interest,
    periodic_interest,
    table,
)
from app.engine.apr import both_rates
from app.engine.dates import DayCount, add_months, days_between, due_dates
from app.engine.errors import InvalidTerms
from app.engine.money import ROUNDING_MODES, ZERO, Currency, Rounding, exact, quantize
from app.engine.rounding import round_ratio


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
class ContractRate:
    """A loan's rate: daily = annual / day_count, monthly = annual / 12 (SPEC §1).

    Interest is computed from the annual rate with the division last: 78.00 × 0.13 / 12 is
    exactly 0.845 and rounds half-up to 0.85, while 78.00 × (0.13 / 12), with the monthly rate
    cut to 34 digits, is 0.84499…97 and would round to 0.84. A daily rate given as such is
    kept exactly: its annual rate daily × day_count is exact, and so is dividing it back.
    """

    annual_rate: Decimal
    daily_rate: Decimal
    day_count: DayCount

    @classmethod
    def from_annual(cls, annual_rate: Decimal, day_count: DayCount) -> ContractRate:
        return cls(annual_rate, annual_rate / day_count, day_count)

    @classmethod
    def from_daily(cls, daily_rate: Decimal, day_count: DayCount) -> ContractRate:
        return cls(daily_rate * day_count, daily_rate, day_count)

    @property
    def monthly_rate(self) -> Decimal:
        return self.annual_rate / 12

    def for_days(self, balance_days: Decimal) -> Decimal:
        """Exact interest on a sum of balance × days (unrounded)."""
        return balance_days * self.annual_rate / self.day_count


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


@dataclass(frozen=True, slots=True)
class Schedule:
    terms: LoanTerms
    installment_amount: Decimal
    installments: tuple[Installment, ...]
    totals: Totals
    apr: Decimal
    effective_annual_rate: Decimal


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


def level_installment(balance: Decimal, annual_rate: Decimal, count: int) -> Decimal:
    """等额本息 payment A = P·i·(1+i)^n / ((1+i)^n − 1) with i = annual / 12, or P / n at rate
    zero (unrounded).

    Written with the annual rate a and the division by 12 last, A = P·a·(12+a)^n /
    (12·((12+a)^n − 12^n)), so that an A which is exactly a half unit stays one: one month of
    1237.560 at 0.05 is 1237.560 × 12.05 / 12 = 1242.7165, not 1242.71649…9 (0.05 / 12 does
    not terminate).
    """
    if annual_rate == 0:
        return balance / count
    growth = (12 + annual_rate) ** count
    return balance * annual_rate * growth / (12 * (growth - Decimal(12) ** count))


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


def installment_amount(terms: LoanTerms, rows: list[Installment], level: Decimal) -> Decimal:
    """The level amount A after any grace (等额本息); otherwise the first installment's payment."""
    return level if terms.method is Method.EQUAL_INSTALLMENT else rows[0].payment


def _totals(rows: list[Installment], payments: list[Decimal]) -> Totals:
    return Totals(
        principal=sum(map(attrgetter("principal"), rows), ZERO),
        interest=sum(map(attrgetter("interest"), rows), ZERO),
        fee=sum(map(attrgetter("fee"), rows), ZERO),
        payment=sum(payments, ZERO),
        capitalized_interest=sum(map(attrgetter("capitalized_interest"), rows), ZERO),
    )


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


def _fees(terms: LoanTerms, zero: Decimal) -> list[Decimal]:
    """Each period's fee (flat_fee only; zero otherwise); the last takes the remainder."""
    count = 1 if terms.method is Method.BULLET else terms.term_months
    if terms.method is not Method.FLAT_FEE:
        return [zero] * count

    def q(amount: Decimal) -> Decimal:
        return quantize(amount, terms.currency, terms.rounding)

    if terms.fee_rate_per_period is not None:
        return [q(terms.principal * terms.fee_rate_per_period)] * count
    assert terms.fee_rate is not None
    each = q(terms.principal * terms.fee_rate / count)
    # the last period takes the remainder so the fees add up to round(P · fee_rate)
    last = q(terms.principal * terms.fee_rate) - each * (count - 1)
    if last < 0:
        raise InvalidTerms("fee_rate", "the last period's fee would be negative")
    return [each] * (count - 1) + [last]


def _first_level(
    method: Method,
    balance: Decimal,
    annual_rate: Decimal,
    remaining: int,
    unit: Decimal,
    mode: str,
) -> Decimal:
    """What each period repeats after grace: A (等额本息), P / n (等额本金, flat_fee), or 0."""
    if method is Method.EQUAL_INSTALLMENT:
        level = level_installment(balance, annual_rate, remaining)
    elif method in (Method.EQUAL_PRINCIPAL, Method.FLAT_FEE):
        level = balance / remaining
    else:
        return ZERO.quantize(unit)
    return level.quantize(unit, mode)


@exact
def amortize(terms: LoanTerms) -> tuple[list[Installment], Decimal]:
    """The schedule's rows, and what each period repeats after grace (SPEC §2): A, P / n or 0.

    Three phases over the calendar with the running balance: grace rows, the level rows, and
    the last row, which takes the whole remaining principal. Every amount carries the
    currency's exponent (zeros too), so rows print without another rounding. The level loop
    is written out with locals and no per-row branching on the method: a 600-row schedule
    runs it 600 times per request.
    """
    check_terms(terms)
    method = terms.method
    unit = terms.currency.minor_unit
    mode = ROUNDING_MODES[terms.rounding]
    zero = ZERO.quantize(unit)
    fees = _fees(terms, zero)
    count = len(fees)
    grace = terms.grace_months
    # Interest is balance × annual × (months / 12 or days / day_count), divided last so an
    # exact half unit rounds as one (see ContractRate). flat_fee's price is its fee: neither.
    periodic_annual = actual_annual = None
    annual = terms.rate.annual_rate
    if method is not Method.FLAT_FEE:
        if terms.interest_basis is InterestBasis.ACTUAL:
            actual_annual = annual  # × days / day_count below
        else:  # one period; a bullet's period is its whole term
            periodic_annual = annual * (terms.term_months if method is Method.BULLET else 1)
    day_count = terms.rate.day_count

    def interest_on(balance: Decimal, days: int) -> Decimal:
        if periodic_annual is not None:
            return (balance * periodic_annual / 12).quantize(unit, mode)
        if actual_annual is not None:
            return (balance * actual_annual * days / day_count).quantize(unit, mode)
        return zero

    def too_large(number: int) -> InvalidTerms:
        # capitalized or unpaid (negative amortization) interest compounding without bound
        return InvalidTerms(
            "grace_months" if number <= grace else "interest_basis",
            "the balance would grow above 10^24; shorten the term or lower the rate",
        )

    calendar = _calendar(
        terms.start_date, terms.term_months, terms.first_due_date, method is Method.BULLET
    )
    new_row = tuple.__new__  # Installment(...) without the NamedTuple's Python-level __new__
    rows: list[Installment] = []
    balance = terms.principal.quantize(unit)
    capitalize = terms.grace_type is GraceType.CAPITALIZE
    for number in range(1, grace + 1):  # grace: interest only, or added to the balance
        due, days = calendar[number - 1]
        interest = interest_on(balance, days)
        capitalized, interest = (interest, zero) if capitalize else (zero, interest)
        closing = balance + capitalized
        if closing > MAX_BALANCE:
            raise too_large(number)
        row = (number, due, days, balance, zero, interest, fees[number - 1], capitalized, closing)
        rows.append(new_row(Installment, row))
        balance = closing
    # set even when one installment remains: it is installment_amount
    level = _first_level(method, balance, annual, count - grace, unit, mode)
    level_payment = method is Method.EQUAL_INSTALLMENT  # principal = A − interest
    append = rows.append
    level_rows = zip(
        range(grace + 1, count), calendar[grace : count - 1], fees[grace : count - 1], strict=True
    )
    for number, (due, days), fee in level_rows:
        if periodic_annual is not None:
            interest = (balance * periodic_annual / 12).quantize(unit, mode)
        elif actual_annual is not None:
            interest = (balance * actual_annual * days / day_count).quantize(unit, mode)
        else:
            interest = zero
        principal = level - interest if level_payment else level
        closing = balance - principal
        if not zero <= closing <= MAX_BALANCE:
            if closing > MAX_BALANCE:
                raise too_large(number)
            raise InvalidTerms(
                "principal", "the balance would fall below zero before the last installment"
            )
        append(
            new_row(
                Installment, (number, due, days, balance, principal, interest, fee, zero, closing)
            )
        )
        balance = closing
    due, days = calendar[-1]  # grace < count, so the last row always amortizes
    last = (count, due, days, balance, balance, interest_on(balance, days), fees[-1], zero, zero)
    rows.append(new_row(Installment, last))
    return rows, level


def rate_flows(
    terms: LoanTerms, rows: list[Installment], payments: list[Decimal]
) -> tuple[list[Decimal], list[tuple[int, Decimal]]]:
    """The loan's flows for `both_rates`: by month for the APR, by day for the XIRR (SPEC §3)."""
    months = terms.term_months if terms.method is Method.BULLET else 1
    # For APR the bullet's single payment sits at month term_months (SPEC §2).
    monthly = [-terms.principal, *[ZERO] * (months - 1), *payments]
    # the XIRR's flows by day: each row's days run from the previous due date (or the start)
    days = accumulate(map(attrgetter("days"), rows))
    return monthly, [(0, -terms.principal), *zip(days, payments, strict=True)]


@exact
def build_schedule(terms: LoanTerms) -> Schedule:
    """Compute a repayment schedule whose sums reconcile exactly, with its annualized rates."""
    rows, level = amortize(terms)
    payments = [r.payment for r in rows]
    monthly, dated = rate_flows(terms, rows, payments)
    rates = both_rates(monthly, dated, terms.rate.monthly_rate or Decimal("0.01"))
    return Schedule(
        terms=terms,
        installment_amount=installment_amount(terms, rows, level),
        installments=tuple(rows),
        totals=_totals(rows, payments),
        apr=rates.apr,
        effective_annual_rate=rates.effective_annual_rate,
    )
