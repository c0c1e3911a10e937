"""The Decimal penalty (罚息, SPEC §5) as it was before the integer core: a reference for tests.


Rate: contract daily rate × `rate_multiplier` (PBoC 2003, 银发〔2003〕251号: +30–50 % over the
contract rate; 借呗 default ×1.5) or an absolute `daily_rate` (花呗 0.05 %/day), limited to
`cap_annual_rate / day_count` when a cap is set. Base: unpaid principal (`overdue_principal`,
plus unpaid contract interest when `compound`) or unpaid principal + interest + fee
(`overdue_amount`). Each day d from the due date accrues on the base still unpaid after the
events dated on or before d (算头不算尾); accrual is kept exact and rounded only when shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from app.engine.contract_rate import ContractRate
from app.engine.money import ZERO
from app.engine.penalty import PenaltyBase, PenaltyRule


def penalty_base(rule: PenaltyRule, principal: Decimal, interest: Decimal, fee: Decimal) -> Decimal:
    """What bears the penalty rate, from an installment's outstanding components (SPEC §5):
    its principal (借呗); with `compound`, its unpaid contract interest too (复利); or, on the
    overdue amount (花呗 / credit cards), principal, interest and fee."""
    if rule.base is PenaltyBase.OVERDUE_AMOUNT:
        return principal + interest + fee
    if rule.compound:
        return principal + interest
    return principal


@dataclass(frozen=True, slots=True)
class PenaltyRate:
    """The penalty rate after any cap, held a year at a time like a contract rate, so a day's
    penalty divides by the day count last (10.00 × 1.5 × 0.12 / 360 = 0.005 exactly)."""

    per_year: ContractRate
    capped: bool


def penalty_rate(rule: PenaltyRule, contract: ContractRate) -> PenaltyRate:
    """The penalty rate after any cap, and whether the cap bit, compared a year at a time
    (exact: 0.24 × 1.5 against a 0.36 cap is equal, so the cap does not bite)."""
    if rule.daily_rate is not None:
        annual = rule.daily_rate * contract.day_count
    else:
        multiplier = rule.rate_multiplier if rule.rate_multiplier is not None else ZERO
        annual = contract.annual_rate * multiplier
    if rule.cap_annual_rate is not None and annual > rule.cap_annual_rate:
        return PenaltyRate(ContractRate.from_annual(rule.cap_annual_rate, contract.day_count), True)
    return PenaltyRate(ContractRate.from_annual(annual, contract.day_count), False)


class PenaltyAccrual:
    """One installment's exact penalty, accrued lazily over the intervals between its events."""

    __slots__ = ("accrued_to", "balance_days", "due_date", "grace_end", "rate")

    def __init__(self, due_date: date, rule: PenaltyRule, rate: ContractRate) -> None:
        self.due_date = due_date
        self.grace_end = due_date + timedelta(days=rule.grace_days)
        self.rate = rate
        self.balance_days = ZERO  # Σ base × days: the division by day_count comes once, last
        self.accrued_to = due_date  # accrual covers the days in [due_date, accrued_to)

    @property
    def accrued(self) -> Decimal:
        """The exact penalty accrued so far (unrounded)."""
        return self.rate.for_days(self.balance_days)

    def accrue_to(self, day: date, base: Decimal) -> None:
        """Accrue on `base` for each day before `day` not yet counted (call before a change)."""
        if day > self.accrued_to:
            if base > 0:
                self.balance_days += (day - self.accrued_to).days * base
            self.accrued_to = day

    def in_grace(self, day: date, fully_paid_on: date | None) -> bool:
        """No penalty is payable inside the window, nor ever when paid in full within it."""
        if fully_paid_on is not None and fully_paid_on <= self.grace_end:
            return True
        return day <= self.grace_end
