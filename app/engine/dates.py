"""Calendar rules (SPEC §1): month stepping with end-of-month clamp, 算头不算尾 day counts."""

from __future__ import annotations

import calendar
from datetime import date
from enum import IntEnum


class DayCount(IntEnum):
    """Days in the year that turn an annual rate into a daily one (360: Chinese bank practice)."""

    D360 = 360
    D365 = 365


def add_months(anchor: date, months: int, day: int | None = None) -> date:
    """`anchor` moved by `months`, on `day` (default the anchor's), clamped to the month's end.

    The day always comes from the anchor, never from a previously clamped date, so
    Jan 31 → Feb 28 → Mar 31 (SPEC §1).
    """
    total = anchor.year * 12 + (anchor.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    wanted = anchor.day if day is None else day
    if wanted > 28:  # only the month's end can clamp
        wanted = min(wanted, calendar.monthrange(year, month)[1])
    return date(year, month, wanted)


def days_between(start: date, end: date) -> int:
    """Days in [start, end): the first day counts, the last does not (算头不算尾)."""
    return (end - start).days


def due_dates(start_date: date, count: int, first_due_date: date | None = None) -> list[date]:
    """The due dates of `count` monthly installments (SPEC §1).

    Installment k falls k-1 months after `first_due_date` with its day, or, without one,
    k months after `start_date` with the start's day.
    """
    if first_due_date is not None:
        return [add_months(first_due_date, k) for k in range(count)]
    return [add_months(start_date, k) for k in range(1, count + 1)]
