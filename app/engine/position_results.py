"""What a position reports (SPEC §5): each installment, each payment (allocation.py) and the
summary. Amounts are kept as `amounts` tuples of minor units, in the response's order; each is
also readable by its name as a Decimal (`row.paid_principal`) for callers that want one.
Results are named tuples, not frozen dataclasses: as immutable, at a third of the cost to build.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple, Protocol

from app.engine.allocation import AppliedPayment
from app.engine.ledger import ScheduledInstallment, ScheduledUnits
from app.engine.loan_contract import LoanContract
from app.engine.rounding import units_to_decimal

INSTALLMENT_AMOUNTS = (
    "paid_principal",
    "paid_interest",
    "paid_fee",
    "paid_penalty",
    "outstanding_principal",
    "outstanding_interest",
    "outstanding_fee",
    "cancelled_interest",
    "cancelled_fee",
    "penalty_accrued",
    "outstanding_penalty",
)
SUMMARY_AMOUNTS = (
    "overdue_principal",
    "overdue_interest",
    "overdue_fee",
    "outstanding_penalty",
    "total_overdue",
    "outstanding_principal",
    "accrued_interest",
    "payoff_amount",
)


class InstallmentStatus(StrEnum):
    PAID = "paid"
    PAID_LATE = "paid_late"
    OVERDUE = "overdue"
    DUE_TODAY = "due_today"
    UPCOMING = "upcoming"


class _InUnits(Protocol):
    @property
    def amounts(self) -> tuple[int, ...]: ...

    @property
    def digits(self) -> int: ...


class _Amount:
    """One of a result's `amounts` (minor units) read by its name, as a Decimal."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index

    def __get__(self, result: _InUnits, owner: object = None) -> Decimal:
        return units_to_decimal(result.amounts[self.index], result.digits)


class _InstallmentPositionFields(NamedTuple):
    row: ScheduledUnits
    amounts: tuple[int, ...]  # INSTALLMENT_AMOUNTS, in minor units
    digits: int
    days_past_due: int
    status: InstallmentStatus
    settled_on: date | None


class InstallmentPosition(_InstallmentPositionFields):
    """One installment as of the date. (Results are named tuples, not frozen dataclasses: as
    immutable at a third of the cost to build.)"""

    __slots__ = ()
    paid_principal = _Amount(0)
    paid_interest = _Amount(1)
    paid_fee = _Amount(2)
    paid_penalty = _Amount(3)
    outstanding_principal = _Amount(4)
    outstanding_interest = _Amount(5)
    outstanding_fee = _Amount(6)
    cancelled_interest = _Amount(7)
    cancelled_fee = _Amount(8)
    penalty_accrued = _Amount(9)
    outstanding_penalty = _Amount(10)

    @property
    def scheduled(self) -> ScheduledInstallment:
        number, due, principal, interest, fee = self.row
        digits = self.digits
        return ScheduledInstallment(
            number,
            due,
            units_to_decimal(principal, digits),
            units_to_decimal(interest, digits),
            units_to_decimal(fee, digits),
        )

    @property
    def outstanding_units(self) -> int:
        """Outstanding principal + interest + fee, in minor units."""
        amounts = self.amounts
        return amounts[4] + amounts[5] + amounts[6]

    @property
    def outstanding_amount(self) -> Decimal:
        return units_to_decimal(self.outstanding_units, self.digits)

    @property
    def is_unpaid(self) -> bool:
        """Unsettled with something to pay (an installment of nothing never counts as unpaid)."""
        return self.settled_on is None and (self.outstanding_units > 0 or self.amounts[10] > 0)


class _PositionSummaryFields(NamedTuple):
    amounts: tuple[int, ...]  # SUMMARY_AMOUNTS, in minor units
    digits: int
    penalty_capped: bool
    days_past_due: int
    bucket: str
    classification: str
    next_due_date: date | None
    next_payment_units: int | None


class PositionSummary(_PositionSummaryFields):
    __slots__ = ()
    overdue_principal = _Amount(0)
    overdue_interest = _Amount(1)
    overdue_fee = _Amount(2)
    outstanding_penalty = _Amount(3)
    total_overdue = _Amount(4)
    outstanding_principal = _Amount(5)
    accrued_interest = _Amount(6)
    payoff_amount = _Amount(7)

    @property
    def next_payment(self) -> Decimal | None:
        if self.next_payment_units is None:
            return None
        return units_to_decimal(self.next_payment_units, self.digits)


@dataclass(frozen=True, slots=True)
class Position:
    contract: LoanContract
    as_of: date
    installments: tuple[InstallmentPosition, ...]
    payments: tuple[AppliedPayment, ...]
    summary: PositionSummary
