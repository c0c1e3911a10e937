"""A loan's position as of a date (SPEC §5): overdue, days past due, buckets, payoff.

Payments apply in date order (several on one date in request order); each installment's
penalty accrues lazily between its own events, so a loan three years overdue costs about
the same to compute as one three days overdue.

Amounts are integers of the currency's minor unit throughout (SPEC §11): the contract's rows
(loan_contract.py) are read as they are, payments converted once, and the results
(position_results.py) keep minor units, printed directly by the responses.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.engine.allocation import (
    AllocationRule,
    InterestAccrualBasis,
    Payment,
    PrincipalLog,
    apply_payment,
    settlement_interest,
)
from app.engine.errors import InvalidTerms
from app.engine.ledger import FEE, INTEREST, PENALTY, PRINCIPAL, InstallmentLedger
from app.engine.loan_contract import LoanContract
from app.engine.money import Rounding
from app.engine.penalty import PenaltyAccrual, PenaltyRule, penalty_rate
from app.engine.position_results import (
    INSTALLMENT_AMOUNTS,
    SUMMARY_AMOUNTS,
    InstallmentPosition,
    InstallmentStatus,
    Position,
    PositionSummary,
)
from app.engine.rounding import to_units

MAX_PAYMENTS = 1000
# (upper bound of days past due, label): M1 1–30 … M6 151–180, M7+ beyond (逾期账龄)
_BUCKETS = ((0, "M0"), (30, "M1"), (60, "M2"), (90, "M3"), (120, "M4"), (150, "M5"), (180, "M6"))
# 五级分类 (five-category loan classification) by days past due
_CLASSES = ((0, "normal"), (90, "special_mention"), (270, "substandard"), (360, "doubtful"))
_DEFAULT_PENALTY = PenaltyRule()
_DEFAULT_ALLOCATION = AllocationRule()

# the entry point and the types of its signature and answer (their homes: loan_contract.py,
# position_results.py), importable from here as before the split
__all__ = [
    "INSTALLMENT_AMOUNTS",
    "MAX_PAYMENTS",
    "SUMMARY_AMOUNTS",
    "InstallmentPosition",
    "InstallmentStatus",
    "LoanContract",
    "Position",
    "PositionSummary",
    "classification",
    "days_past_due_bucket",
    "position_as_of",
]


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
