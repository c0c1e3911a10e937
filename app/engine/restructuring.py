"""Restructuring options side by side (协商还款方案, SPEC §6).

The computation lands with the restructuring-options issue; these are its result types, which
the agreements service consumes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from app.engine.money import Currency
from app.engine.schedule import Schedule


class OptionKind(StrEnum):
    PAY_OVERDUE_NOW = "pay_overdue_now"  # 还清逾期
    SETTLE_NOW = "settle_now"  # 一次性结清
    DEFERRAL = "deferral"  # 延期还款
    REINSTALLMENT = "reinstallment"  # 协商分期 / 个性化分期
    INTEREST_FREEZE = "interest_freeze"  # 停息挂账
    CAPACITY_PLAN = "capacity_plan"


@dataclass(frozen=True, slots=True)
class PlanInstallment:
    """One payment an option asks for: a plan's schedule row, or a named lump sum.

    For pay_overdue_now the first row is the total overdue on as_of (its penalty is in `fee`),
    then the remaining original installments' outstanding amounts on their due dates.
    """

    number: int
    due_date: date
    principal: Decimal
    interest: Decimal
    fee: Decimal

    @property
    def payment(self) -> Decimal:
        return self.principal + self.interest + self.fee


@dataclass(frozen=True, slots=True)
class Option:
    id: str  # e.g. "reinstallment-6"
    kind: OptionKind
    term_months: int
    currency: Currency
    schedule: Schedule | None  # None for pay_overdue_now and settle_now
    installments: tuple[PlanInstallment, ...]
    first_payment: Decimal
    max_payment: Decimal
    total_payable: Decimal
    total_cost: Decimal
    waived_penalty: Decimal
    waived_interest: Decimal
    apr: Decimal | None
    affordable: bool | None
    compliant: bool
    notes: tuple[str, ...]
