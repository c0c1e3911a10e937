"""The Decimal position engine as it was before the integer core (SPEC §5), kept as a reference.

app/engine/position.py now computes in integers of minor units; tests/engine/
test_position_integer.py requires it to give exactly these figures on random loans, payments,
dates and rules. Inputs (LoanContract, Payment, the rules) are the app's; the arithmetic and
the results are this package's, every amount a Decimal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.engine.allocation import AllocationRule, Payment
from app.engine.errors import InvalidTerms
from app.engine.ledger import Component, ScheduledInstallment
from app.engine.money import ZERO, exact
from app.engine.penalty import PenaltyRule
from app.engine.position import (
    MAX_PAYMENTS,
    InstallmentStatus,
    LoanContract,
    classification,
    days_past_due_bucket,
)
from tests.decimal_position.allocation import (
    AppliedPayment,
    InterestAccrualBasis,
    PrincipalLog,
    apply_payment,
    settlement_interest,
)
from tests.decimal_position.ledger import InstallmentLedger
from tests.decimal_position.penalty import PenaltyAccrual, penalty_rate


@dataclass(frozen=True, slots=True)
class InstallmentPosition:
    scheduled: ScheduledInstallment
    paid_principal: Decimal
    paid_interest: Decimal
    paid_fee: Decimal
    paid_penalty: Decimal
    outstanding_principal: Decimal
    outstanding_interest: Decimal
    outstanding_fee: Decimal
    cancelled_interest: Decimal
    cancelled_fee: Decimal
    penalty_accrued: Decimal
    outstanding_penalty: Decimal
    days_past_due: int
    status: InstallmentStatus
    settled_on: date | None

    @property
    def outstanding_amount(self) -> Decimal:
        return self.outstanding_principal + self.outstanding_interest + self.outstanding_fee

    @property
    def is_unpaid(self) -> bool:
        """Unsettled with something to pay (an installment of nothing never counts as unpaid)."""
        return self.settled_on is None and (
            self.outstanding_amount > 0 or self.outstanding_penalty > 0
        )


@dataclass(frozen=True, slots=True)
class PositionSummary:
    overdue_principal: Decimal
    overdue_interest: Decimal
    overdue_fee: Decimal
    outstanding_penalty: Decimal
    total_overdue: Decimal
    outstanding_principal: Decimal
    accrued_interest: Decimal
    payoff_amount: Decimal
    penalty_capped: bool
    days_past_due: int
    bucket: str
    classification: str
    next_due_date: date | None
    next_payment: Decimal | None


@dataclass(frozen=True, slots=True)
class Position:
    contract: LoanContract
    as_of: date
    installments: tuple[InstallmentPosition, ...]
    payments: tuple[AppliedPayment, ...]
    summary: PositionSummary


def _check(contract: LoanContract, payments: Sequence[Payment], as_of: date) -> None:
    if not contract.installments:
        raise InvalidTerms("schedule.installments", "at least one installment is needed")
    previous = contract.start_date
    for number, row in enumerate(contract.installments, start=1):
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
    for index, payment in enumerate(payments):
        if not contract.start_date <= payment.date <= as_of:
            raise InvalidTerms(f"payments.{index}.date", "must be from start_date to as_of")


def _installment_position(led: InstallmentLedger, as_of: date) -> InstallmentPosition:
    s = led.scheduled
    penalty = led.penalty_shown(as_of)
    unsettled = led.settled_on is None
    if not unsettled:
        assert led.settled_on is not None
        status = (
            InstallmentStatus.PAID if led.settled_on <= s.due_date else InstallmentStatus.PAID_LATE
        )
    elif as_of > s.due_date:
        status = InstallmentStatus.OVERDUE
    elif as_of == s.due_date:
        status = InstallmentStatus.DUE_TODAY
    else:
        status = InstallmentStatus.UPCOMING
    return InstallmentPosition(
        scheduled=s,
        paid_principal=led.paid[Component.PRINCIPAL],
        paid_interest=led.paid[Component.INTEREST],
        paid_fee=led.paid[Component.FEE],
        paid_penalty=led.paid[Component.PENALTY],
        outstanding_principal=led.outstanding(Component.PRINCIPAL, as_of),
        outstanding_interest=led.outstanding(Component.INTEREST, as_of),
        outstanding_fee=led.outstanding(Component.FEE, as_of),
        cancelled_interest=led.cancelled_interest,
        cancelled_fee=led.cancelled_fee,
        penalty_accrued=penalty,
        outstanding_penalty=penalty - led.paid[Component.PENALTY],
        days_past_due=(as_of - s.due_date).days if status is InstallmentStatus.OVERDUE else 0,
        status=status,
        settled_on=led.settled_on,
    )


def _summary(
    rows: Sequence[InstallmentPosition], accrued_interest: Decimal, capped: bool, as_of: date
) -> PositionSummary:
    overdue = [r for r in rows if r.status is InstallmentStatus.OVERDUE]
    overdue_principal = sum((r.outstanding_principal for r in overdue), ZERO)
    overdue_interest = sum((r.outstanding_interest for r in overdue), ZERO)
    overdue_fee = sum((r.outstanding_fee for r in overdue), ZERO)
    outstanding_penalty = sum((r.outstanding_penalty for r in rows), ZERO)
    total_overdue = overdue_principal + overdue_interest + overdue_fee + outstanding_penalty
    due_today = sum(
        (r.outstanding_amount for r in rows if r.status is InstallmentStatus.DUE_TODAY), ZERO
    )
    later_principal = sum(
        (r.outstanding_principal for r in rows if r.scheduled.due_date > as_of), ZERO
    )
    upcoming = [r for r in rows if r.is_unpaid and r.scheduled.due_date >= as_of]
    days = max((r.days_past_due for r in overdue), default=0)
    return PositionSummary(
        overdue_principal=overdue_principal,
        overdue_interest=overdue_interest,
        overdue_fee=overdue_fee,
        outstanding_penalty=outstanding_penalty,
        total_overdue=total_overdue,
        outstanding_principal=sum((r.outstanding_principal for r in rows), ZERO),
        accrued_interest=accrued_interest,
        payoff_amount=total_overdue + due_today + later_principal + accrued_interest,
        penalty_capped=capped,
        days_past_due=days,
        bucket=days_past_due_bucket(days),
        classification=classification(days),
        next_due_date=upcoming[0].scheduled.due_date if upcoming else None,
        next_payment=upcoming[0].outstanding_amount if upcoming else None,
    )


@exact
def position_as_of(
    contract: LoanContract,
    payments: Sequence[Payment],
    as_of: date,
    *,
    penalty: PenaltyRule | None = None,
    allocation: AllocationRule | None = None,
) -> Position:
    """Apply the payments in date order and report the loan as of `as_of` (SPEC §5)."""
    _check(contract, payments, as_of)
    rule = penalty or PenaltyRule()
    rate = penalty_rate(rule, contract.rate)
    ledgers = [
        InstallmentLedger(
            row,
            PenaltyAccrual(row.due_date, rule, rate.per_year),
            rule,
            contract.currency,
            contract.rounding,
        )
        for row in contract.installments
    ]
    basis = InterestAccrualBasis(
        contract.start_date,
        contract.rate,
        contract.accrues_interest,
        contract.currency,
        contract.rounding,
    )
    log = PrincipalLog()
    applied = []
    empty = [led for led in ledgers if not led.scheduled.payment]
    for payment in sorted(payments, key=lambda p: p.date):  # stable: request order within a day
        for led in empty:
            led.settle_if_nothing_to_pay(payment.date)
        applied.append(apply_payment(payment, ledgers, allocation or AllocationRule(), basis, log))
    for led in ledgers:
        led.settle_if_nothing_to_pay(as_of)
    rows = [_installment_position(led, as_of) for led in ledgers]
    settled = all(led.settled_on is not None for led in ledgers)
    accrued = ZERO if settled else settlement_interest(ledgers, as_of, basis, log)
    return Position(
        contract=contract,
        as_of=as_of,
        installments=tuple(rows),
        payments=tuple(applied),
        summary=_summary(rows, accrued, rate.capped, as_of),
    )
