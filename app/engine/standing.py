"""An agreement's standing as of a date, and payment allocation (SPEC §7), in minor units.

Payments go to the installments oldest first, so what each installment has received depends
only on the total paid: the "waterfall" of that total over the amounts due. The standing as of
a date counts the payments dated on or before it; an amount due on a date is overdue from the
next day (SPEC §1). Everything here is pure: integers of minor units in, integers out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Due:
    """One installment: its number, due date and amount due (principal + interest + fee)."""

    number: int
    due_date: date
    amount: int


@dataclass(frozen=True, slots=True)
class StandingUnits:
    as_of: date
    paid_to_date: int
    overdue_amount: int
    days_past_due: int
    next_due_date: date | None
    next_amount: int | None
    oldest_overdue_number: int | None  # the installment days_past_due is counted from


def _pour(amount: int, room: Sequence[int]) -> list[int]:
    """`amount` spread over the rooms in order, each filled before the next gets anything."""
    poured = []
    for space in room:
        applied = min(amount, space)
        poured.append(applied)
        amount -= applied
    return poured


def waterfall(total_paid: int, dues: Sequence[Due]) -> list[int]:
    """What each installment (in number order) has received from `total_paid`, oldest first."""
    return _pour(total_paid, [due.amount for due in dues])


def allocate(amount: int, dues: Sequence[Due], paid: Sequence[int]) -> list[tuple[int, int]]:
    """Allocate one payment over the installments' remaining amounts, oldest first.

    Returns (installment number, amount applied) for each installment that receives something;
    the caller has checked that `amount` does not exceed what is outstanding.
    """
    remaining = [due.amount - already for due, already in zip(dues, paid, strict=True)]
    applied = _pour(amount, remaining)
    return [(due.number, part) for due, part in zip(dues, applied, strict=True) if part > 0]


def standing_as_of(
    as_of: date, dues: Sequence[Due], payments: Sequence[tuple[date, int]]
) -> StandingUnits:
    """The standing on `as_of`, counting only payments dated on or before it."""
    paid_to_date = sum(amount for paid_on, amount in payments if paid_on <= as_of)
    received = waterfall(paid_to_date, dues)
    overdue_amount = 0
    oldest_overdue: Due | None = None
    next_due: Due | None = None
    next_amount: int | None = None
    for due, got in zip(dues, received, strict=True):
        outstanding = due.amount - got
        if outstanding <= 0:
            continue
        if due.due_date < as_of:
            overdue_amount += outstanding
            oldest_overdue = oldest_overdue or due
        elif next_due is None:
            next_due, next_amount = due, outstanding
    return StandingUnits(
        as_of=as_of,
        paid_to_date=paid_to_date,
        overdue_amount=overdue_amount,
        days_past_due=(as_of - oldest_overdue.due_date).days if oldest_overdue else 0,
        next_due_date=next_due.due_date if next_due else None,
        next_amount=next_amount,
        oldest_overdue_number=oldest_overdue.number if oldest_overdue else None,
    )
