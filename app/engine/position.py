"""A loan's position as of a date (SPEC §5): overdue, days past due, buckets, payoff.

Payments apply in date order (several on one date in request order); each installment's
penalty accrues lazily between its own events, so a loan three years overdue costs about
the same to compute as one three days overdue.

Amounts are integers of the currency's minor unit throughout (SPEC §11): a contract's rows
are converted once, and results keep their amounts as `amounts` tuples in minor units, with
each amount also readable by its name as a Decimal (`row.paid_principal`) for callers that
want one. Responses print the units directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple, Protocol

from app.engine.allocation import (
    AllocationRule,
    AppliedPayment,
    InterestAccrualBasis,
    Payment,
    PrincipalLog,
    apply_payment,
    settlement_interest,
)
from app.engine.amortize import UnitRow
from app.engine.contract_rate import ContractRate
from app.engine.errors import InvalidTerms
from app.engine.ledger import (
    FEE,
    INTEREST,
    PENALTY,
    PRINCIPAL,
    InstallmentLedger,
    ScheduledInstallment,
    ScheduledUnits,
)
from app.engine.money import Currency, Rounding
from app.engine.penalty import PenaltyAccrual, PenaltyRule, penalty_rate
from app.engine.rounding import to_units, units_to_decimal
from app.engine.schedule import GraceType, LoanTerms, Method, Schedule, amortize_units

MAX_PAYMENTS = 1000
# (upper bound of days past due, label): M1 1–30 … M6 151–180, M7+ beyond (逾期账龄)
_BUCKETS = ((0, "M0"), (30, "M1"), (60, "M2"), (90, "M3"), (120, "M4"), (150, "M5"), (180, "M6"))
# 五级分类 (five-category loan classification) by days past due
_CLASSES = ((0, "normal"), (90, "special_mention"), (270, "substandard"), (360, "doubtful"))
_DEFAULT_PENALTY = PenaltyRule()
_DEFAULT_ALLOCATION = AllocationRule()

# the order of InstallmentPosition.amounts and PositionSummary.amounts (the response's order)
INSTALLMENT_AMOUNTS = (
    "paid_principal",
    "paid_interest",
    "paid_fee",
    "paid_penalty",
    "outstanding_principal",
    "outstanding_interest",
    "outstanding_fee",
    "cancelled_interest",
    "cancelled_fee",
    "penalty_accrued",
    "outstanding_penalty",
)
SUMMARY_AMOUNTS = (
    "overdue_principal",
    "overdue_interest",
    "overdue_fee",
    "outstanding_penalty",
    "total_overdue",
    "outstanding_principal",
    "accrued_interest",
    "payoff_amount",
)


class InstallmentStatus(StrEnum):
    PAID = "paid"
    PAID_LATE = "paid_late"
    OVERDUE = "overdue"
    DUE_TODAY = "due_today"
    UPCOMING = "upcoming"


class _InUnits(Protocol):
    @property
    def amounts(self) -> tuple[int, ...]: ...

    @property
    def digits(self) -> int: ...


class _Amount:
    """One of a result's `amounts` (minor units) read by its name, as a Decimal."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index

    def __get__(self, result: _InUnits, owner: object = None) -> Decimal:
        return units_to_decimal(result.amounts[self.index], result.digits)


@dataclass(frozen=True, slots=True)
class LoanContract:
    """What a position needs of a loan: its installments (in minor units) and its rate."""

    currency: Currency
    rounding: Rounding
    start_date: date
    rate: ContractRate
    rows: tuple[ScheduledUnits, ...]
    accrues_interest: bool = True  # False for flat_fee
    amount_units: int | None = None  # the installment amount

    @classmethod
    def of_installments(
        cls,
        currency: Currency,
        rounding: Rounding,
        start_date: date,
        rate: ContractRate,
        installments: Sequence[ScheduledInstallment],
        accrues_interest: bool = True,
        installment_amount: Decimal | None = None,
    ) -> LoanContract:
        """A contract from installments of Decimal amounts with the currency's digits."""

        def units(amount: Decimal, field: str) -> int:
            try:
                return to_units(amount, currency)
            except ValueError:
                raise InvalidTerms(
                    field, f"has more than {currency.minor_digits} decimals for {currency.code}"
                ) from None

        rows = tuple(
            ScheduledUnits(
                r.number,
                r.due_date,
                units(r.principal, "schedule.installments.principal"),
                units(r.interest, "schedule.installments.interest"),
                units(r.fee, "schedule.installments.fee"),
            )
            for r in installments
        )
        amount = None if installment_amount is None else units(installment_amount, "amount")
        return cls(currency, rounding, start_date, rate, rows, accrues_interest, amount)

    @property
    def installments(self) -> tuple[ScheduledInstallment, ...]:
        """The rows as Decimal amounts."""
        digits = self.currency.minor_digits
        return tuple(
            ScheduledInstallment(
                number,
                due,
                units_to_decimal(principal, digits),
                units_to_decimal(interest, digits),
                units_to_decimal(fee, digits),
            )
            for number, due, principal, interest, fee in self.rows
        )

    @property
    def installment_amount(self) -> Decimal | None:
        if self.amount_units is None:
            return None
        return units_to_decimal(self.amount_units, self.currency.minor_digits)


class _InstallmentPositionFields(NamedTuple):
    row: ScheduledUnits
    amounts: tuple[int, ...]  # INSTALLMENT_AMOUNTS, in minor units
    digits: int
    days_past_due: int
    status: InstallmentStatus
    settled_on: date | None


class InstallmentPosition(_InstallmentPositionFields):
    """One installment as of the date. (Results are named tuples, not frozen dataclasses: as
    immutable at a third of the cost to build.)"""

    __slots__ = ()
    paid_principal = _Amount(0)
    paid_interest = _Amount(1)
    paid_fee = _Amount(2)
    paid_penalty = _Amount(3)
    outstanding_principal = _Amount(4)
    outstanding_interest = _Amount(5)
    outstanding_fee = _Amount(6)
    cancelled_interest = _Amount(7)
    cancelled_fee = _Amount(8)
    penalty_accrued = _Amount(9)
    outstanding_penalty = _Amount(10)

    @property
    def scheduled(self) -> ScheduledInstallment:
        number, due, principal, interest, fee = self.row
        digits = self.digits
        return ScheduledInstallment(
            number,
            due,
            units_to_decimal(principal, digits),
            units_to_decimal(interest, digits),
            units_to_decimal(fee, digits),
        )

    @property
    def outstanding_units(self) -> int:
        """Outstanding principal + interest + fee, in minor units."""
        amounts = self.amounts
        return amounts[4] + amounts[5] + amounts[6]

    @property
    def outstanding_amount(self) -> Decimal:
        return units_to_decimal(self.outstanding_units, self.digits)

    @property
    def is_unpaid(self) -> bool:
        """Unsettled with something to pay (an installment of nothing never counts as unpaid)."""
        return self.settled_on is None and (self.outstanding_units > 0 or self.amounts[10] > 0)


class _PositionSummaryFields(NamedTuple):
    amounts: tuple[int, ...]  # SUMMARY_AMOUNTS, in minor units
    digits: int
    penalty_capped: bool
    days_past_due: int
    bucket: str
    classification: str
    next_due_date: date | None
    next_payment_units: int | None


class PositionSummary(_PositionSummaryFields):
    __slots__ = ()
    overdue_principal = _Amount(0)
    overdue_interest = _Amount(1)
    overdue_fee = _Amount(2)
    outstanding_penalty = _Amount(3)
    total_overdue = _Amount(4)
    outstanding_principal = _Amount(5)
    accrued_interest = _Amount(6)
    payoff_amount = _Amount(7)

    @property
    def next_payment(self) -> Decimal | None:
        if self.next_payment_units is None:
            return None
        return units_to_decimal(self.next_payment_units, self.digits)


@dataclass(frozen=True, slots=True)
class Position:
    contract: LoanContract
    as_of: date
    installments: tuple[InstallmentPosition, ...]
    payments: tuple[AppliedPayment, ...]
    summary: PositionSummary


def scheduled_installments(schedule: Schedule) -> tuple[ScheduledInstallment, ...]:
    """What a schedule's rows ask for on each due date."""
    return tuple(
        ScheduledInstallment(r.number, r.due_date, r.principal, r.interest, r.fee)
        for r in schedule.installments
    )


def contract_of(schedule: Schedule) -> LoanContract:
    """The installments of a built schedule, as a position needs them (SPEC §5)."""
    return _contract(schedule.terms, schedule.rows, schedule.amount_units)


def loan_contract(terms: LoanTerms) -> LoanContract:
    """A loan's contract straight from its terms: the schedule's rows in minor units without
    its annualized rates, which a position never shows (two exact rate solves saved)."""
    rows, level = amortize_units(terms)
    first = rows[0]
    amount = level if terms.method is Method.EQUAL_INSTALLMENT else first[4] + first[5] + first[6]
    return _contract(terms, rows, amount)


def _contract(terms: LoanTerms, rows: Sequence[UnitRow], amount_units: int) -> LoanContract:
    """Loans whose schedule has a negative-principal row or a capitalizing grace period are not
    supported yet (SPEC §5): the allocation rules assume principal only ever falls."""
    # a capitalizing grace period counts even when its interest is 0.00 (rate 0, tiny balance)
    capitalizes = terms.grace_months > 0 and terms.grace_type is GraceType.CAPITALIZE
    if capitalizes or any(r[4] < 0 for r in rows):
        raise InvalidTerms(
            "loan",
            "positions of loans with negative-principal rows or a "
            "capitalizing grace period are not supported yet",
        )
    new_row = tuple.__new__  # ScheduledUnits(...) without the NamedTuple's Python-level __new__
    return LoanContract(
        terms.currency,
        terms.rounding,
        terms.start_date,
        terms.rate,
        tuple(new_row(ScheduledUnits, (r[0], r[1], r[4], r[5], r[6])) for r in rows),
        terms.method is not Method.FLAT_FEE,
        amount_units,
    )


def _check(contract: LoanContract, payments: Sequence[Payment], as_of: date) -> list[int]:
    """The request's rules (SPEC §5); the payments' amounts in minor units."""
    if not contract.rows:
        raise InvalidTerms("schedule.installments", "at least one installment is needed")
    previous = contract.start_date
    for number, row in enumerate(contract.rows, start=1):
        if row.due_date <= previous:
            raise InvalidTerms(
                "schedule.installments",
                f"due dates must increase and follow start_date (installment {number})",
            )
        if min(row.principal, row.interest, row.fee) < 0:
            raise InvalidTerms(
                "schedule.installments", f"installment {number} has a negative amount"
            )
        previous = row.due_date
    if as_of < contract.start_date:
        raise InvalidTerms("as_of", "must be on or after start_date")
    if len(payments) > MAX_PAYMENTS:
        raise InvalidTerms("payments", f"at most {MAX_PAYMENTS} payments")
    currency = contract.currency
    units = []
    for index, payment in enumerate(payments):
        if not contract.start_date <= payment.date <= as_of:
            raise InvalidTerms(f"payments.{index}.date", "must be from start_date to as_of")
        try:
            units.append(to_units(payment.amount, currency))
        except ValueError:
            raise InvalidTerms(
                f"payments.{index}.amount",
                f"has more than {currency.minor_digits} decimals for {currency.code}",
            ) from None
    return units


def _label(days: int, table: tuple[tuple[int, str], ...], beyond: str) -> str:
    for upper, label in table:
        if days <= upper:
            return label
    return beyond


def days_past_due_bucket(days: int) -> str:
    return _label(days, _BUCKETS, "M7+")


def classification(days: int) -> str:
    return _label(days, _CLASSES, "loss")


def _installment_position(led: InstallmentLedger, as_of: date, digits: int) -> InstallmentPosition:
    due = led.due_date
    penalty = led.penalty_shown(as_of)
    settled_on = led.settled_on
    if settled_on is not None:
        status = InstallmentStatus.PAID if settled_on <= due else InstallmentStatus.PAID_LATE
    elif as_of > due:
        status = InstallmentStatus.OVERDUE
    elif as_of == due:
        status = InstallmentStatus.DUE_TODAY
    else:
        status = InstallmentStatus.UPCOMING
    paid = led.paid
    amounts = (
        paid[PRINCIPAL],
        paid[INTEREST],
        paid[FEE],
        paid[PENALTY],
        led.principal - paid[PRINCIPAL],
        led.interest - paid[INTEREST] - led.cancelled_interest,
        led.fee - paid[FEE] - led.cancelled_fee,
        led.cancelled_interest,
        led.cancelled_fee,
        penalty,
        penalty - paid[PENALTY],
    )
    days = (as_of - due).days if status is InstallmentStatus.OVERDUE else 0
    return InstallmentPosition(led.scheduled, amounts, digits, days, status, settled_on)


def _summary(
    rows: Sequence[InstallmentPosition], accrued_interest: int, capped: bool, as_of: date
) -> PositionSummary:
    overdue_principal = overdue_interest = overdue_fee = outstanding_penalty = 0
    outstanding_principal = due_today = later_principal = days = 0
    upcoming = None  # the first unpaid installment due on or after as_of
    for r in rows:
        amounts, status, due = r.amounts, r.status, r.row.due_date
        outstanding_principal += amounts[4]
        outstanding_penalty += amounts[10]
        if status is InstallmentStatus.OVERDUE:
            overdue_principal += amounts[4]
            overdue_interest += amounts[5]
            overdue_fee += amounts[6]
            days = max(days, r.days_past_due)
        elif status is InstallmentStatus.DUE_TODAY:
            due_today += r.outstanding_units
        if due > as_of:
            later_principal += amounts[4]
        if upcoming is None and due >= as_of and r.is_unpaid:
            upcoming = r
    total_overdue = overdue_principal + overdue_interest + overdue_fee + outstanding_penalty
    amounts = (
        overdue_principal,
        overdue_interest,
        overdue_fee,
        outstanding_penalty,
        total_overdue,
        outstanding_principal,
        accrued_interest,
        total_overdue + due_today + later_principal + accrued_interest,
    )
    return PositionSummary(
        amounts,
        rows[0].digits,
        capped,
        days,
        days_past_due_bucket(days),
        classification(days),
        None if upcoming is None else upcoming.row.due_date,
        None if upcoming is None else upcoming.outstanding_units,
    )


def position_as_of(
    contract: LoanContract,
    payments: Sequence[Payment],
    as_of: date,
    *,
    penalty: PenaltyRule | None = None,
    allocation: AllocationRule | None = None,
) -> Position:
    """Apply the payments in date order and report the loan as of `as_of` (SPEC §5)."""
    units = _check(contract, payments, as_of)
    rule = penalty or _DEFAULT_PENALTY
    rate = penalty_rate(rule, contract.rate)
    half_even = contract.rounding is Rounding.HALF_EVEN
    digits = contract.currency.minor_digits
    grace_days = rule.grace_days
    ledgers = [
        InstallmentLedger(row, PenaltyAccrual(row.due_date, grace_days, rate), rule, half_even)
        for row in contract.rows
    ]
    numerator, denominator = contract.rate.annual_rate.as_integer_ratio()
    basis = InterestAccrualBasis(
        contract.start_date,
        numerator,
        denominator * contract.rate.day_count,
        contract.accrues_interest,
        half_even,
        digits,
    )
    log = PrincipalLog()
    applied = []
    empty = [led for led in ledgers if not (led.principal or led.interest or led.fee)]
    # stable: request order within a day
    for index in sorted(range(len(payments)), key=lambda i: payments[i].date):
        payment = payments[index]
        for led in empty:
            led.settle_if_nothing_to_pay(payment.date)
        applied.append(
            apply_payment(
                payment, units[index], ledgers, allocation or _DEFAULT_ALLOCATION, basis, log
            )
        )
    for led in empty:
        led.settle_if_nothing_to_pay(as_of)
    rows = [_installment_position(led, as_of, digits) for led in ledgers]
    settled = all(led.settled_on is not None for led in ledgers)
    accrued = 0 if settled else settlement_interest(ledgers, as_of, basis, log)
    return Position(
        contract, as_of, tuple(rows), tuple(applied), _summary(rows, accrued, rate.capped, as_of)
    )
