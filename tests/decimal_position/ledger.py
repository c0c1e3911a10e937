"""The Decimal installment ledger before the integer core (SPEC §5), a test reference."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.engine.ledger import Component, ScheduledInstallment
from app.engine.money import ZERO, Currency, Rounding, quantize
from tests.decimal_position.penalty import PenaltyAccrual, PenaltyRule, penalty_base


@dataclass(slots=True)
class InstallmentLedger:
    """Paid, cancelled and penalty state of one installment; mutated only by allocation."""

    scheduled: ScheduledInstallment
    penalty: PenaltyAccrual
    rule: PenaltyRule
    currency: Currency
    rounding: Rounding
    paid: dict[Component, Decimal] = field(default_factory=lambda: dict.fromkeys(Component, ZERO))
    cancelled_interest: Decimal = ZERO
    cancelled_fee: Decimal = ZERO
    fully_paid_on: date | None = None  # principal, interest and fee all paid or cancelled
    settled_on: date | None = None

    @property
    def number(self) -> int:
        return self.scheduled.number

    @property
    def due_date(self) -> date:
        return self.scheduled.due_date

    def outstanding(self, component: Component, day: date) -> Decimal:
        """What is still owed of a component on `day` (penalty as accrued before that day)."""
        s = self.scheduled
        if component is Component.PRINCIPAL:
            return s.principal - self.paid[component]
        if component is Component.INTEREST:
            return s.interest - self.paid[component] - self.cancelled_interest
        if component is Component.FEE:
            return s.fee - self.paid[component] - self.cancelled_fee
        return self.penalty_shown(day) - self.paid[Component.PENALTY]

    def penalty_base(self) -> Decimal:
        """penalty.penalty_base of this installment's outstanding components."""
        due = self.due_date
        return penalty_base(
            self.rule,
            self.outstanding(Component.PRINCIPAL, due),
            self.outstanding(Component.INTEREST, due),
            self.outstanding(Component.FEE, due),
        )

    def accrue_penalty(self, day: date) -> None:
        self.penalty.accrue_to(day, self.penalty_base())

    def penalty_shown(self, day: date) -> Decimal:
        """The rounded exact accrual over [due_date, day), or 0 inside the grace window."""
        if day <= self.due_date or self.penalty.in_grace(day, self.fully_paid_on):
            return ZERO
        self.accrue_penalty(day)
        return quantize(self.penalty.accrued, self.currency, self.rounding)

    def pay(self, component: Component, amount: Decimal, day: date) -> None:
        if component is not Component.PENALTY:
            self.accrue_penalty(day)  # days before `day` accrue on the old base
        self.paid[component] += amount
        self._update_status(day)

    def cancel_rest(self, day: date) -> None:
        """Early settlement (提前结清): the rest of the scheduled interest and fee is forgiven."""
        self.cancelled_interest += self.outstanding(Component.INTEREST, day)
        self.cancelled_fee += self.outstanding(Component.FEE, day)
        self._update_status(day)

    def _update_status(self, day: date) -> None:
        if self.fully_paid_on is None and all(
            self.outstanding(c, day) == 0
            for c in (Component.PRINCIPAL, Component.INTEREST, Component.FEE)
        ):
            self.fully_paid_on = day
        if (
            self.settled_on is None
            and self.fully_paid_on is not None
            and self.outstanding(Component.PENALTY, day) == 0
        ):
            self.settled_on = day

    def settle_if_nothing_to_pay(self, day: date) -> None:
        """Installments with nothing scheduled are settled on their due date (SPEC §5)."""
        s = self.scheduled
        nothing = not (s.principal or s.interest or s.fee)
        if nothing and self.settled_on is None and self.due_date <= day:
            self.fully_paid_on = self.settled_on = self.due_date
