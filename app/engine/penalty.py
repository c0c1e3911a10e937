"""Penalty interest (罚息, SPEC §5).

Rate: contract daily rate × `rate_multiplier` (PBoC 2003, 银发〔2003〕251号: +30–50 % over the
contract rate; 借呗 default ×1.5) or an absolute `daily_rate` (花呗 0.05 %/day), limited to
`cap_annual_rate / day_count` when a cap is set. Base: unpaid principal (`overdue_principal`,
plus unpaid contract interest when `compound`) or unpaid principal + interest + fee
(`overdue_amount`). Each day d from the due date accrues on the base still unpaid after the
events dated on or before d (算头不算尾); accrual is kept exact (Σ base × days in minor units)
and rounded only when shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from app.engine.contract_rate import ContractRate
from app.engine.rounding import round_ratio


class PenaltyBase(StrEnum):
    OVERDUE_PRINCIPAL = "overdue_principal"  # 借呗
    OVERDUE_AMOUNT = "overdue_amount"  # 花呗 / credit cards


@dataclass(frozen=True, slots=True)
class PenaltyRule:
    rate_multiplier: Decimal | None = Decimal("1.5")
    daily_rate: Decimal | None = None  # absolute; wins over the multiplier when given
    base: PenaltyBase = PenaltyBase.OVERDUE_PRINCIPAL
    compound: bool = False  # unpaid contract interest bears the penalty rate too (复利)
    grace_days: int = 0  # 宽限期
    cap_annual_rate: Decimal | None = None


def penalty_base(rule: PenaltyRule, principal: int, interest: int, fee: int) -> int:
    """What bears the penalty rate, from an installment's outstanding components (SPEC §5):
    its principal (借呗); with `compound`, its unpaid contract interest too (复利); or, on the
    overdue amount (花呗 / credit cards), principal, interest and fee."""
    if rule.base is PenaltyBase.OVERDUE_AMOUNT:
        return principal + interest + fee
    if rule.compound:
        return principal + interest
    return principal


class PenaltyRate(NamedTuple):
    """The penalty rate after any cap as an exact fraction of a day: a day's penalty on a base
    of b minor units is b × numerator / denominator, with denominator = the annual rate's
    denominator × day_count, so the division by the day count comes last
    (10.00 × 1.5 × 0.12 / 360 = 0.005 exactly)."""

    numerator: int
    denominator: int
    capped: bool


def penalty_rate(rule: PenaltyRule, contract: ContractRate) -> PenaltyRate:
    """The penalty rate after any cap, and whether the cap bit, compared a year at a time
    (exact: 0.24 × 1.5 against a 0.36 cap is equal, so the cap does not bite)."""
    if rule.daily_rate is not None:
        d_num, d_den = rule.daily_rate.as_integer_ratio()
        numerator, denominator = d_num * contract.day_count, d_den
    else:
        m_num, m_den = (rule.rate_multiplier or Decimal(0)).as_integer_ratio()
        a_num, a_den = contract.annual_rate.as_integer_ratio()
        numerator, denominator = a_num * m_num, a_den * m_den
    capped = False
    if rule.cap_annual_rate is not None:
        c_num, c_den = rule.cap_annual_rate.as_integer_ratio()
        if numerator * c_den > c_num * denominator:
            numerator, denominator, capped = c_num, c_den, True
    return PenaltyRate(numerator, denominator * contract.day_count, capped)


class PenaltyAccrual:
    """One installment's exact penalty, accrued lazily over the intervals between its events."""

    __slots__ = ("accrued_to", "balance_days", "due_date", "grace_end", "rate")

    def __init__(self, due_date: date, grace_days: int, rate: PenaltyRate) -> None:
        self.due_date = due_date
        self.grace_end = due_date + timedelta(days=grace_days) if grace_days else due_date
        self.rate = rate
        self.balance_days = 0  # Σ base × days in minor units: the rate multiplies once, last
        self.accrued_to = due_date  # accrual covers the days in [due_date, accrued_to)

    def shown(self, half_even: bool) -> int:
        """The penalty accrued so far, rounded to minor units."""
        rate = self.rate
        return round_ratio(self.balance_days * rate.numerator, rate.denominator, half_even)

    def accrue_to(self, day: date, base: int) -> None:
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
