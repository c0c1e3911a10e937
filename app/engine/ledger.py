"""The running state of a loan's installments while its payments are applied (SPEC §5).

Amounts are integers of the currency's minor unit (SPEC §11); the Decimal types of the
contract (ScheduledInstallment) are converted once, at the edge, by position.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from app.engine.penalty import PenaltyAccrual, PenaltyRule, penalty_base


class Component(StrEnum):
    PENALTY = "penalty"
    FEE = "fee"
    INTEREST = "interest"
    PRINCIPAL = "principal"


# a component's slot in InstallmentLedger.paid (the allocation loop indexes, never hashes)
PENALTY, FEE, INTEREST, PRINCIPAL = range(4)
SLOT = {Component.PENALTY: PENALTY, Component.FEE: FEE, Component.INTEREST: INTEREST}
SLOT[Component.PRINCIPAL] = PRINCIPAL
COMPONENTS = (Component.PENALTY, Component.FEE, Component.INTEREST, Component.PRINCIPAL)


@dataclass(frozen=True, slots=True)
class ScheduledInstallment:
    """What the contract asks for on one due date (a schedule row, or an explicit one)."""

    number: int
    due_date: date
    principal: Decimal
    interest: Decimal
    fee: Decimal

    @property
    def payment(self) -> Decimal:
        return self.principal + self.interest + self.fee


class ScheduledUnits(NamedTuple):
    """A ScheduledInstallment in integers of minor units: what the position engine reads."""

    number: int
    due_date: date
    principal: int
    interest: int
    fee: int


class InstallmentLedger:
    """Paid, cancelled and penalty state of one installment; mutated only by allocation.

    `paid` is indexed by PENALTY, FEE, INTEREST, PRINCIPAL."""

    __slots__ = (
        "cancelled_fee",
        "cancelled_interest",
        "due_date",
        "fee",
        "fully_paid_on",
        "half_even",
        "interest",
        "number",
        "paid",
        "penalty",
        "principal",
        "rule",
        "scheduled",
        "settled_on",
    )

    def __init__(
        self, scheduled: ScheduledUnits, penalty: PenaltyAccrual, rule: PenaltyRule, half_even: bool
    ) -> None:
        self.scheduled = scheduled
        self.number, self.due_date, self.principal, self.interest, self.fee = scheduled
        self.penalty = penalty
        self.rule = rule
        self.half_even = half_even
        self.paid = [0, 0, 0, 0]
        self.cancelled_interest = 0
        self.cancelled_fee = 0
        self.fully_paid_on: date | None = None  # principal, interest and fee paid or cancelled
        self.settled_on: date | None = None

    def outstanding(self, slot: int, day: date) -> int:
        """What is still owed of a component on `day` (penalty as accrued before that day)."""
        if slot == PRINCIPAL:
            return self.principal - self.paid[PRINCIPAL]
        if slot == INTEREST:
            return self.interest - self.paid[INTEREST] - self.cancelled_interest
        if slot == FEE:
            return self.fee - self.paid[FEE] - self.cancelled_fee
        return self.penalty_shown(day) - self.paid[PENALTY]

    def penalty_base(self) -> int:
        """penalty.penalty_base of this installment's outstanding components."""
        paid = self.paid
        return penalty_base(
            self.rule,
            self.principal - paid[PRINCIPAL],
            self.interest - paid[INTEREST] - self.cancelled_interest,
            self.fee - paid[FEE] - self.cancelled_fee,
        )

    def accrue_penalty(self, day: date) -> None:
        if day > self.penalty.accrued_to:
            self.penalty.accrue_to(day, self.penalty_base())

    def penalty_shown(self, day: date) -> int:
        """The rounded exact accrual over [due_date, day), or 0 inside the grace window."""
        if day <= self.due_date or self.penalty.in_grace(day, self.fully_paid_on):
            return 0
        self.accrue_penalty(day)
        return self.penalty.shown(self.half_even)

    def pay(self, slot: int, amount: int, day: date) -> None:
        if slot != PENALTY:
            self.accrue_penalty(day)  # days before `day` accrue on the old base
        self.paid[slot] += amount
        self._update_status(day)

    def cancel_rest(self, day: date) -> None:
        """Early settlement (提前结清): the rest of the scheduled interest and fee is forgiven."""
        self.cancelled_interest += self.outstanding(INTEREST, day)
        self.cancelled_fee += self.outstanding(FEE, day)
        self._update_status(day)

    def _update_status(self, day: date) -> None:
        if (
            self.fully_paid_on is None
            and self.principal == self.paid[PRINCIPAL]
            and self.interest == self.paid[INTEREST] + self.cancelled_interest
            and self.fee == self.paid[FEE] + self.cancelled_fee
        ):
            self.fully_paid_on = day
        if (
            self.settled_on is None
            and self.fully_paid_on is not None
            and self.penalty_shown(day) == self.paid[PENALTY]
        ):
            self.settled_on = day

    def settle_if_nothing_to_pay(self, day: date) -> None:
        """Installments with nothing scheduled are settled on their due date (SPEC §5)."""
        nothing = not (self.principal or self.interest or self.fee)
        if nothing and self.settled_on is None and self.due_date <= day:
            self.fully_paid_on = self.settled_on = self.due_date
