"""The Decimal payment allocation before the integer core (SPEC §5), a test reference.

A payment reaches only what is due on its date first (penalty included), by `strategy` and
`order`. What is left then settles the loan early (提前结清) when it covers the not-yet-due
principal plus the settlement interest, or else prepays (提前还本) the not-yet-due
installments in due order, each principal first, then interest, then fee.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.engine.allocation import AllocationRule, Payment, Strategy
from app.engine.contract_rate import ContractRate
from app.engine.ledger import Component
from app.engine.money import ZERO, Currency, Rounding, quantize
from tests.decimal_position.ledger import InstallmentLedger

PREPAYMENT_ORDER = (Component.PRINCIPAL, Component.INTEREST, Component.FEE)


@dataclass(frozen=True, slots=True)
class Allocation:
    number: int
    component: Component
    amount: Decimal


@dataclass(frozen=True, slots=True)
class AppliedPayment:
    payment: Payment
    allocations: tuple[Allocation, ...]
    unapplied: Decimal


@dataclass(frozen=True, slots=True)
class InterestAccrualBasis:
    """What settlement interest needs: the contract's rate and its principal history."""

    start_date: date
    rate: ContractRate
    accrues_interest: bool  # False for flat_fee: its price is the fee
    currency: Currency
    rounding: Rounding


class PrincipalLog:
    """Principal paid per installment by date: the history settlement interest accrues on."""

    def __init__(self) -> None:
        self.entries: list[tuple[date, int, Decimal]] = []

    def record(self, day: date, number: int, amount: Decimal) -> None:
        self.entries.append((day, number, amount))


def settlement_interest(
    ledgers: Sequence[InstallmentLedger], day: date, basis: InterestAccrualBasis, log: PrincipalLog
) -> Decimal:
    """Interest accrued on the not-yet-due principal up to `day`, less interest already paid.

    Summed over each day d from the last due date on or before `day` (or the start date) to
    the day before `day`, on the principal of installments due after `day` still unpaid after
    the events dated on or before d, rounded once; then less the interest already paid on
    those installments, kept between 0 and their unpaid scheduled interest (SPEC §5).
    """
    later = [led for led in ledgers if led.due_date > day]
    if not later or not basis.accrues_interest:
        return ZERO
    window_start = max(
        (led.due_date for led in ledgers if led.due_date <= day), default=basis.start_date
    )
    numbers = {led.number for led in later}
    balance = sum((led.scheduled.principal for led in later), ZERO)
    changes: dict[date, Decimal] = {}
    for paid_on, number, amount in log.entries:
        if number not in numbers or paid_on >= day:
            continue
        if paid_on <= window_start:
            balance -= amount
        else:
            changes[paid_on] = changes.get(paid_on, ZERO) + amount
    balance_days = ZERO
    cursor = window_start
    for change_day in sorted(changes):
        balance_days += (change_day - cursor).days * balance
        balance -= changes[change_day]
        cursor = change_day
    balance_days += (day - cursor).days * balance
    accrued = quantize(basis.rate.for_days(balance_days), basis.currency, basis.rounding)
    already_paid = sum((led.paid[Component.INTEREST] for led in later), ZERO)
    unpaid = sum((led.outstanding(Component.INTEREST, day) for led in later), ZERO)
    return min(max(accrued - already_paid, ZERO), unpaid)


class _Purse:
    """The money of one payment as it is handed out."""

    def __init__(self, payment: Payment, log: PrincipalLog) -> None:
        self.payment = payment
        self.left = payment.amount
        self.allocations: list[Allocation] = []
        self.log = log

    def pay_in_turn(self, claims: Iterable[tuple[InstallmentLedger, Component]]) -> None:
        """Pay each (installment, component) in turn until the money runs out."""
        for led, component in claims:
            if self.left <= 0:
                return
            self.pay(led, component)

    def pay(
        self, led: InstallmentLedger, component: Component, limit: Decimal | None = None
    ) -> None:
        owed = led.outstanding(component, self.payment.date)
        amount = min(self.left, owed if limit is None else min(owed, limit))
        if amount <= 0:
            return
        led.pay(component, amount, self.payment.date)
        self.left -= amount
        self.allocations.append(Allocation(led.number, component, amount))
        if component is Component.PRINCIPAL:
            self.log.record(self.payment.date, led.number, amount)


def apply_payment(
    payment: Payment,
    ledgers: Sequence[InstallmentLedger],
    rule: AllocationRule,
    basis: InterestAccrualBasis,
    log: PrincipalLog,
) -> AppliedPayment:
    """Allocate one payment to the loan's installments (mutates the ledgers)."""
    day = payment.date
    purse = _Purse(payment, log)
    unsettled = [led for led in ledgers if led.settled_on is None]
    due = [led for led in unsettled if led.due_date <= day]
    later = [led for led in unsettled if led.due_date > day]
    if rule.strategy is Strategy.INSTALLMENT_FIRST:
        purse.pay_in_turn((led, c) for led in due for c in rule.order)
    else:
        purse.pay_in_turn((led, c) for c in rule.order for led in due)
    if purse.left > 0 and later:
        principal = sum((led.outstanding(Component.PRINCIPAL, day) for led in later), ZERO)
        # settlement interest is never negative: less than the principal can only prepay
        interest = (
            settlement_interest(ledgers, day, basis, log) if purse.left >= principal else None
        )
        if interest is not None and purse.left >= principal + interest:
            _settle_early(purse, later, interest)
        else:
            purse.pay_in_turn((led, c) for led in later for c in PREPAYMENT_ORDER)
    return AppliedPayment(payment, tuple(purse.allocations), purse.left)


def _settle_early(purse: _Purse, later: Sequence[InstallmentLedger], interest: Decimal) -> None:
    """提前结清: the settlement interest as interest in due order, then every principal."""
    for led in later:
        before = purse.left
        purse.pay(led, Component.INTEREST, limit=interest)
        interest -= before - purse.left
    for led in later:
        purse.pay(led, Component.PRINCIPAL)
    for led in later:
        led.cancel_rest(purse.payment.date)
