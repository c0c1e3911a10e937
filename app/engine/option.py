"""One restructuring option (SPEC §6); restructuring.py offers them and recommends one."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from app.engine.ledger import ScheduledInstallment
from app.engine.loan_contract import scheduled_installments
from app.engine.money import ZERO, Currency
from app.engine.rounding import from_units
from app.engine.schedule import Schedule


class OptionKind(StrEnum):
    PAY_OVERDUE_NOW = "pay_overdue_now"  # 还清逾期
    SETTLE_NOW = "settle_now"  # 一次性结清
    DEFERRAL = "deferral"  # 延期还款
    REINSTALLMENT = "reinstallment"  # 协商分期 / 个性化分期
    INTEREST_FREEZE = "interest_freeze"  # 停息挂账
    CAPACITY_PLAN = "capacity_plan"


KIND_ORDER = tuple(OptionKind)


class Payments(NamedTuple):
    """An option's first and largest payment and their total."""

    first: Decimal
    largest: Decimal
    total: Decimal


def lump_payments(rows: Sequence[ScheduledInstallment]) -> Payments:
    payments = [row.payment for row in rows]
    return Payments(payments[0], max(payments), sum(payments, ZERO))


def plan_payments(schedule: Schedule) -> Payments:
    """From the rows in minor units: a plan's Decimal rows are built only if someone asks."""
    payments = [r[4] + r[5] + r[6] for r in schedule.rows]
    currency = schedule.terms.currency
    return Payments(
        from_units(payments[0], currency),
        from_units(max(payments), currency),
        from_units(sum(payments), currency),
    )


class Option(NamedTuple):
    """An option's figures. A named tuple rather than a frozen dataclass: as immutable, and a
    third of the cost to build (an options response builds ~18)."""

    id: str  # e.g. "reinstallment-6"
    kind: OptionKind
    term_months: int
    currency: Currency
    schedule: Schedule | None  # None for pay_overdue_now and settle_now
    # the named lump sums of an option without a schedule (for pay_overdue_now the total
    # overdue on as_of, its penalty in `fee`, then the remaining original installments'
    # outstanding amounts on their due dates); empty for a plan
    lump_sums: tuple[ScheduledInstallment, ...]
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

    @property
    def installments(self) -> tuple[ScheduledInstallment, ...]:
        """What the option asks for: the lump sums, or a plan's schedule rows. A plan's are
        built on demand: a response lists ~17 options and prints their schedules straight
        from minor units; only accepting one of them needs the Decimal rows."""
        if self.schedule is None:
            return self.lump_sums
        return scheduled_installments(self.schedule)
