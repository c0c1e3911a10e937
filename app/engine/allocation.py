"""Payment allocation (还款冲抵顺序, SPEC §5): what is due first, then settlement or prepayment.

A payment reaches only what is due on its date first (penalty included), by `strategy` and
`order`. What is left then settles the loan early (提前结清) when it covers the not-yet-due
principal plus the settlement interest, or else prepays (提前还本) the not-yet-due
installments in due order, each principal first, then interest, then fee.

Amounts are integers of minor units (SPEC §11); Allocation and AppliedPayment show them as
Decimals on request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from app.engine.ledger import (
    COMPONENTS,
    FEE,
    INTEREST,
    PRINCIPAL,
    SLOT,
    Component,
    InstallmentLedger,
)
from app.engine.rounding import round_ratio, units_to_decimal

DEFAULT_ORDER = (Component.PENALTY, Component.FEE, Component.INTEREST, Component.PRINCIPAL)
PREPAYMENT_ORDER = (PRINCIPAL, INTEREST, FEE)


class Strategy(StrEnum):
    INSTALLMENT_FIRST = "installment_first"  # every component of the oldest, then the next
    COMPONENT_FIRST = "component_first"  # the first component across all, then the next


@dataclass(frozen=True, slots=True)
class AllocationRule:
    order: tuple[Component, ...] = DEFAULT_ORDER
    strategy: Strategy = Strategy.INSTALLMENT_FIRST


class _AllocationFields(NamedTuple):
    number: int
    slot: int  # ledger.PENALTY, FEE, INTEREST or PRINCIPAL
    units: int
    digits: int  # the currency's minor digits


class Allocation(_AllocationFields):
    """`units` of a payment went to `component` of installment `number`. (A named tuple, not a
    frozen dataclass: as immutable at a third of the cost to build.)"""

    __slots__ = ()

    @property
    def component(self) -> Component:
        return COMPONENTS[self.slot]

    @property
    def amount(self) -> Decimal:
        return units_to_decimal(self.units, self.digits)


@dataclass(frozen=True, slots=True)
class Payment:
    date: date
    amount: Decimal
    reference: str | None = None


class _AppliedPaymentFields(NamedTuple):
    payment: Payment
    units: int  # the payment's amount in minor units
    allocations: tuple[Allocation, ...]
    unapplied_units: int
    digits: int


class AppliedPayment(_AppliedPaymentFields):
    __slots__ = ()

    @property
    def unapplied(self) -> Decimal:
        return units_to_decimal(self.unapplied_units, self.digits)


class InterestAccrualBasis(NamedTuple):
    """What settlement interest needs: the contract's rate as a fraction of a day (the annual
    rate's numerator, and its denominator × day_count) and its principal history."""

    start_date: date
    numerator: int
    denominator: int
    accrues_interest: bool  # False for flat_fee: its price is the fee
    half_even: bool
    digits: int


class PrincipalLog:
    """Principal paid per installment by date: the history settlement interest accrues on."""

    def __init__(self) -> None:
        self.entries: list[tuple[date, int, int]] = []

    def record(self, day: date, number: int, amount: int) -> None:
        self.entries.append((day, number, amount))


def settlement_interest(
    ledgers: Sequence[InstallmentLedger], day: date, basis: InterestAccrualBasis, log: PrincipalLog
) -> int:
    """Interest accrued on the not-yet-due principal up to `day`, less interest already paid.

    Summed over each day d from the last due date on or before `day` (or the start date) to
    the day before `day`, on the principal of installments due after `day` still unpaid after
    the events dated on or before d, rounded once; then less the interest already paid on
    those installments, kept between 0 and their unpaid scheduled interest (SPEC §5).
    """
    later = [led for led in ledgers if led.due_date > day]
    if not later or not basis.accrues_interest:
        return 0
    window_start = max(
        (led.due_date for led in ledgers if led.due_date <= day), default=basis.start_date
    )
    numbers = {led.number for led in later}
    balance = sum(led.principal for led in later)
    changes: dict[date, int] = {}
    for paid_on, number, amount in log.entries:
        if number not in numbers or paid_on >= day:
            continue
        if paid_on <= window_start:
            balance -= amount
        else:
            changes[paid_on] = changes.get(paid_on, 0) + amount
    balance_days = 0
    cursor = window_start
    for change_day in sorted(changes):
        balance_days += (change_day - cursor).days * balance
        balance -= changes[change_day]
        cursor = change_day
    balance_days += (day - cursor).days * balance
    accrued = round_ratio(balance_days * basis.numerator, basis.denominator, basis.half_even)
    already_paid = sum(led.paid[INTEREST] for led in later)
    unpaid = sum(led.outstanding(INTEREST, day) for led in later)
    return min(max(accrued - already_paid, 0), unpaid)


class _Purse:
    """The money of one payment as it is handed out."""

    __slots__ = ("allocations", "day", "digits", "left", "log")

    def __init__(self, day: date, units: int, digits: int, log: PrincipalLog) -> None:
        self.day = day
        self.left = units
        self.digits = digits
        self.allocations: list[Allocation] = []
        self.log = log

    def pay_in_turn(self, claims: Sequence[tuple[InstallmentLedger, int]]) -> None:
        """Pay each (installment, component slot) in turn until the money runs out."""
        day = self.day
        for led, slot in claims:
            if self.left <= 0:
                return
            owed = led.outstanding(slot, day)
            if owed > 0:
                self.pay(led, slot, owed)

    def pay(self, led: InstallmentLedger, slot: int, owed: int) -> None:
        """Pay what is owed (or the component's share of it), as far as the money goes."""
        amount = owed if owed < self.left else self.left
        if amount <= 0:
            return
        day = self.day
        led.pay(slot, amount, day)
        self.left -= amount
        self.allocations.append(Allocation(led.number, slot, amount, self.digits))
        if slot == PRINCIPAL:
            self.log.record(day, led.number, amount)


def apply_payment(
    payment: Payment,
    units: int,
    ledgers: Sequence[InstallmentLedger],
    rule: AllocationRule,
    basis: InterestAccrualBasis,
    log: PrincipalLog,
) -> AppliedPayment:
    """Allocate one payment of `units` minor units to the loan's installments (mutates the
    ledgers)."""
    day = payment.date
    purse = _Purse(day, units, basis.digits, log)
    due: list[InstallmentLedger] = []
    later: list[InstallmentLedger] = []
    for led in ledgers:
        if led.settled_on is None:
            (due if led.due_date <= day else later).append(led)
    order = [SLOT[c] for c in rule.order]
    if rule.strategy is Strategy.INSTALLMENT_FIRST:
        purse.pay_in_turn([(led, c) for led in due for c in order])
    else:
        purse.pay_in_turn([(led, c) for c in order for led in due])
    if purse.left > 0 and later:
        principal = sum(led.principal - led.paid[PRINCIPAL] for led in later)
        # settlement interest is never negative: less than the principal can only prepay
        interest = (
            settlement_interest(ledgers, day, basis, log) if purse.left >= principal else None
        )
        if interest is not None and purse.left >= principal + interest:
            _settle_early(purse, later, interest)
        else:
            purse.pay_in_turn([(led, c) for led in later for c in PREPAYMENT_ORDER])
    return AppliedPayment(payment, units, tuple(purse.allocations), purse.left, basis.digits)


def _settle_early(purse: _Purse, later: Sequence[InstallmentLedger], interest: int) -> None:
    """提前结清: the settlement interest as interest in due order, then every principal."""
    day = purse.day
    for led in later:
        before = purse.left
        purse.pay(led, INTEREST, min(led.outstanding(INTEREST, day), interest))
        interest -= before - purse.left
    for led in later:
        purse.pay(led, PRINCIPAL, led.outstanding(PRINCIPAL, day))
    for led in later:
        led.cancel_rest(purse.day)
