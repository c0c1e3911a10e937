"""Repayment schedules (还款计划, SPEC §2): the five methods, interest bases and grace.

Methods: equal_installment (等额本息), equal_principal (等额本金), interest_only (先息后本),
bullet (到期一次还本付息) and flat_fee (分期手续费, 花呗 / credit-card installments).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from app.engine.apr import CashFlow, effective_guess, monthly_apr, xirr
from app.engine.dates import DayCount, add_months, days_between, due_dates
from app.engine.errors import InvalidTerms
from app.engine.money import ONE, ZERO, Currency, Rounding, exact, quantize


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


# A balance growing past this (interest compounding without bound) is refused with a 422:
# amounts stay exact within 34 significant digits.
MAX_BALANCE = Decimal(10) ** 24

GRACE_METHODS = frozenset({Method.EQUAL_INSTALLMENT, Method.EQUAL_PRINCIPAL, Method.INTEREST_ONLY})


@dataclass(frozen=True, slots=True)
class ContractRate:
    """A loan's rate: daily = annual / day_count, monthly = annual / 12 (SPEC §1)."""

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


@dataclass(frozen=True, slots=True)
class Installment:
    """One row of a schedule; amounts are already quantized.

    days: days in [previous due date, due_date) (算头不算尾).
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


def level_installment(balance: Decimal, monthly_rate: Decimal, count: int) -> Decimal:
    """等额本息 payment A = P·i·(1+i)^n / ((1+i)^n − 1), or P / n at rate zero (unrounded)."""
    if monthly_rate == 0:
        return balance / count
    growth = (ONE + monthly_rate) ** count
    return balance * monthly_rate * growth / (growth - ONE)


class _Builder:
    """Walks the periods of one schedule, keeping the running balance."""

    def __init__(self, terms: LoanTerms) -> None:
        self.terms = terms
        self.balance = terms.principal
        self.rows: list[Installment] = []
        self.level: Decimal | None = None  # principal (or payment) per period after grace
        self.fees: list[Decimal] = _fees(terms)
        # the rate of one period on the periodic basis (a bullet's period is its whole term)
        months = terms.term_months if terms.method is Method.BULLET else 1
        self.period_rate = terms.rate.monthly_rate * months
        self.daily_rate = terms.rate.daily_rate
        self.actual = terms.interest_basis is InterestBasis.ACTUAL
        self.charges_interest = terms.method is not Method.FLAT_FEE  # flat_fee's price is its fee

    def q(self, amount: Decimal) -> Decimal:
        return quantize(amount, self.terms.currency, self.terms.rounding)

    def interest_for(self, days: int) -> Decimal:
        if not self.charges_interest:
            return ZERO
        if self.actual:
            return self.q(self.balance * self.daily_rate * days)
        return self.q(self.balance * self.period_rate)

    def principal_for(self, number: int, interest: Decimal) -> Decimal:
        terms = self.terms
        remaining = len(self.fees) - terms.grace_months
        if self.level is None:  # set even when one installment remains: it is installment_amount
            if terms.method is Method.EQUAL_INSTALLMENT:
                self.level = self.q(
                    level_installment(self.balance, terms.rate.monthly_rate, remaining)
                )
            elif terms.method in (Method.EQUAL_PRINCIPAL, Method.FLAT_FEE):
                self.level = self.q(self.balance / remaining)
            else:
                self.level = ZERO
        if number == len(self.fees):
            return self.balance  # the last installment takes the whole remaining principal
        if terms.method is Method.EQUAL_INSTALLMENT:
            return self.level - interest
        return self.level

    def add(self, number: int, due_date: date, days: int) -> None:
        opening = self.balance
        interest = self.interest_for(days)
        capitalized = principal = ZERO
        if number <= self.terms.grace_months:
            if self.terms.grace_type is GraceType.CAPITALIZE:
                capitalized, interest = interest, ZERO
        else:
            principal = self.principal_for(number, interest)
        closing = opening - principal + capitalized
        if closing < 0 and number < len(self.fees):
            raise InvalidTerms(
                "principal", "the balance would fall below zero before the last installment"
            )
        if closing > MAX_BALANCE:
            # capitalized or unpaid (negative amortization) interest compounding without bound
            raise InvalidTerms(
                "grace_months" if number <= self.terms.grace_months else "interest_basis",
                "the balance would grow above 10^24; shorten the term or lower the rate",
            )
        self.balance = closing
        self.rows.append(
            Installment(
                number,
                due_date,
                days,
                opening,
                principal,
                interest,
                self.fees[number - 1],
                capitalized,
                closing,
            )
        )


def _fees(terms: LoanTerms) -> list[Decimal]:
    """Each period's fee (flat_fee only; zero otherwise); the last takes the remainder."""
    count = 1 if terms.method is Method.BULLET else terms.term_months
    if terms.method is not Method.FLAT_FEE:
        return [ZERO] * count

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


def _dates(terms: LoanTerms) -> list[date]:
    if terms.method is Method.BULLET:
        return [add_months(terms.start_date, terms.term_months)]
    return due_dates(terms.start_date, terms.term_months, terms.first_due_date)


def _installment_amount(
    terms: LoanTerms, rows: list[Installment], level: Decimal | None
) -> Decimal:
    """The level amount A after any grace (等额本息); otherwise the first installment's payment."""
    if terms.method is Method.EQUAL_INSTALLMENT and level is not None:
        return level
    return rows[0].payment


def _totals(rows: list[Installment]) -> Totals:
    return Totals(
        principal=sum((r.principal for r in rows), ZERO),
        interest=sum((r.interest for r in rows), ZERO),
        fee=sum((r.fee for r in rows), ZERO),
        payment=sum((r.payment for r in rows), ZERO),
        capitalized_interest=sum((r.capitalized_interest for r in rows), ZERO),
    )


@exact
def amortize(terms: LoanTerms) -> tuple[list[Installment], Decimal | None]:
    """The schedule's rows, and the level amount A where the method has one (SPEC §2)."""
    check_terms(terms)
    builder = _Builder(terms)
    previous = terms.start_date
    for number, due in enumerate(_dates(terms), start=1):
        builder.add(number, due, days_between(previous, due))
        previous = due
    rows = builder.rows
    if rows[-1].principal < 0 and terms.method is not Method.EQUAL_INSTALLMENT:
        raise InvalidTerms("principal", "the last installment's principal would be negative")
    return rows, builder.level


@exact
def build_schedule(terms: LoanTerms) -> Schedule:
    """Compute a repayment schedule whose sums reconcile exactly, with its annualized rates."""
    rows, level = amortize(terms)
    months = terms.term_months if terms.method is Method.BULLET else 1
    # For APR the bullet's single payment sits at month term_months (SPEC §2).
    monthly = [-terms.principal] + [ZERO] * (months - 1) + [r.payment for r in rows]
    flows = [CashFlow(terms.start_date, -terms.principal)]
    flows += [CashFlow(r.due_date, r.payment) for r in rows]
    apr = monthly_apr(monthly, guess=terms.rate.monthly_rate or Decimal("0.01"))
    return Schedule(
        terms=terms,
        installment_amount=_installment_amount(terms, rows, level),
        installments=tuple(rows),
        totals=_totals(rows),
        apr=apr,
        effective_annual_rate=xirr(flows, effective_guess(apr)),
    )
