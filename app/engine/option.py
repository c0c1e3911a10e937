"""One restructuring option (SPEC §6); restructuring.py offers them and recommends one."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from app.engine.ledger import ScheduledInstallment
from app.engine.money import Currency
from app.engine.schedule import Schedule


class OptionKind(StrEnum):
    PAY_OVERDUE_NOW = "pay_overdue_now"  # 还清逾期
    SETTLE_NOW = "settle_now"  # 一次性结清
    DEFERRAL = "deferral"  # 延期还款
    REINSTALLMENT = "reinstallment"  # 协商分期 / 个性化分期
    INTEREST_FREEZE = "interest_freeze"  # 停息挂账
    CAPACITY_PLAN = "capacity_plan"


KIND_ORDER = tuple(OptionKind)


@dataclass(frozen=True, slots=True)
class Option:
    id: str  # e.g. "reinstallment-6"
    kind: OptionKind
    term_months: int
    currency: Currency
    schedule: Schedule | None  # None for pay_overdue_now and settle_now
    # what the option asks for: a plan's schedule rows, or the named lump sums (for
    # pay_overdue_now the total overdue on as_of, its penalty in `fee`, then the remaining
    # original installments' outstanding amounts on their due dates)
    installments: tuple[ScheduledInstallment, ...]
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
