"""Daily interest accrual (按日计息, SPEC §4) with balance events (算头不算尾).

Interest for day d is charged on the balance after every event dated on or before d.
The total is computed over the intervals between events (days × rate × balance), so a
long period costs the same as a short one; the per-day rows are built only on request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from app.engine.contract_rate import ContractRate
from app.engine.errors import InvalidTerms
from app.engine.money import ZERO, Currency, Rounding, exact, quantize

_ROW_INTEREST = Decimal("0.000001")


@dataclass(frozen=True, slots=True)
class BalanceEvent:
    date: date
    principal_change: Decimal  # signed: a disbursement adds, a repayment subtracts


@dataclass(frozen=True, slots=True)
class AccrualRow:
    date: date
    balance: Decimal
    interest: Decimal  # exact day's interest, 6 digits half-up
    cumulative: Decimal  # rounded running total


@dataclass(frozen=True, slots=True)
class Accrual:
    currency: Currency
    days: int
    interest: Decimal
    rows: tuple[AccrualRow, ...] | None


def _segments(
    principal: Decimal, from_date: date, to_date: date, events: list[BalanceEvent]
) -> list[tuple[date, date, Decimal]]:
    """[start, end) intervals of constant balance, events applied from their own day on."""
    changes: dict[date, Decimal] = {}
    for event in events:
        if not from_date <= event.date < to_date:
            raise InvalidTerms("events", "each event date must be within [from_date, to_date)")
        changes[event.date] = changes.get(event.date, ZERO) + event.principal_change
    balance = principal
    cursor = from_date
    segments: list[tuple[date, date, Decimal]] = []
    for day in sorted(changes):
        if day > cursor:
            segments.append((cursor, day, balance))
            cursor = day
        balance += changes[day]
        if balance < 0:
            raise InvalidTerms("events", f"the balance would fall below 0 on {day.isoformat()}")
    if to_date > cursor:
        segments.append((cursor, to_date, balance))
    return segments


@exact
def accrue(
    *,
    principal: Decimal,
    from_date: date,
    to_date: date,
    rate: ContractRate,
    currency: Currency,
    rounding: Rounding = Rounding.HALF_UP,
    events: list[BalanceEvent] | None = None,
    detail: bool = False,
) -> Accrual:
    """Interest on a balance over [from_date, to_date): the rounded total of exact daily amounts.

    Sums are kept as balance × days and divided by the day count last (`ContractRate.for_days`),
    so a total that is exactly a half unit (4.50 × 0.19 × 365 / 365 = 0.855) rounds as one.
    """
    if to_date < from_date:
        raise InvalidTerms("to_date", "must be on or after from_date")
    segments = _segments(principal, from_date, to_date, events or [])
    balance_days = sum(((end - start).days * balance for start, end, balance in segments), ZERO)
    rows: tuple[AccrualRow, ...] | None = None
    if detail:
        built: list[AccrualRow] = []
        balance_days_so_far = ZERO
        for start, end, balance in segments:
            day_interest = rate.for_days(balance).quantize(_ROW_INTEREST, rounding=ROUND_HALF_UP)
            for offset in range((end - start).days):
                balance_days_so_far += balance
                built.append(
                    AccrualRow(
                        date=start + timedelta(days=offset),
                        balance=balance,
                        interest=day_interest,
                        cumulative=quantize(rate.for_days(balance_days_so_far), currency, rounding),
                    )
                )
        rows = tuple(built)
    return Accrual(
        currency=currency,
        days=(to_date - from_date).days,
        interest=quantize(rate.for_days(balance_days), currency, rounding),
        rows=rows,
    )
