"""Loans and helpers shared by the position tests (SPEC §5); the expected figures live in the tests.

The case-study schedule is written out row by row here (SPEC §10: 12,000.00 at 0.0005 a day,
360-day year, so 1.5 % a month; spreadsheet PMT(1.5 %, 5, -12000) = 2509.0719 → 2509.07):

    n  due date     principal  interest  (interest = opening balance × 0.015, half-up)
    1  2026-02-15   2329.07    180.00    12000.00 × 0.015 = 180.00
    2  2026-03-15   2364.01    145.06     9670.93 × 0.015 = 145.06395
    3  2026-04-15   2399.47    109.60     7306.92 × 0.015 = 109.6038
    4  2026-05-15   2435.46     73.61     4907.45 × 0.015 =  73.61175
    5  2026-06-15   2471.99     37.08     2471.99 × 0.015 =  37.07985 (last row: all principal)

so the position tests do not depend on the schedule engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from app.engine.allocation import Payment
from app.engine.contract_rate import ContractRate
from app.engine.dates import DayCount
from app.engine.ledger import ScheduledInstallment
from app.engine.money import CNY, Rounding
from app.engine.position import InstallmentPosition, LoanContract, Position

CENT = Decimal("0.01")
CASE_STUDY_ROWS = (
    ("2026-02-15", "2329.07", "180.00"),
    ("2026-03-15", "2364.01", "145.06"),
    ("2026-04-15", "2399.47", "109.60"),
    ("2026-05-15", "2435.46", "73.61"),
    ("2026-06-15", "2471.99", "37.08"),
)


def d(text: str) -> date:
    return date.fromisoformat(text)


def contract(
    rows: Sequence[tuple[str, str, str] | tuple[str, str, str, str]],
    *,
    start_date: str,
    daily_rate: str,
    accrues_interest: bool = True,
    rounding: Rounding = Rounding.HALF_UP,
) -> LoanContract:
    """An explicit schedule: rows of (due_date, principal, interest[, fee]) in CNY, 360-day year."""
    installments = tuple(
        ScheduledInstallment(
            number,
            d(row[0]),
            Decimal(row[1]),
            Decimal(row[2]),
            Decimal(row[3]) if len(row) > 3 else Decimal("0.00"),
        )
        for number, row in enumerate(rows, start=1)
    )
    rate = ContractRate.from_daily(Decimal(daily_rate), DayCount.D360)
    return LoanContract.of_installments(
        CNY, rounding, d(start_date), rate, installments, accrues_interest
    )


def case_study() -> LoanContract:
    return contract(CASE_STUDY_ROWS, start_date="2026-01-15", daily_rate="0.0005")


def pay(on: str, amount: str, reference: str | None = None) -> Payment:
    return Payment(d(on), Decimal(amount), reference)


def on_time_payments() -> list[Payment]:
    """The case study's first three installments, 2,509.07 each on its due date."""
    return [
        pay("2026-02-15", "2509.07", "cs-1"),
        pay("2026-03-15", "2509.07", "cs-2"),
        pay("2026-04-15", "2509.07", "cs-3"),
    ]


def money(amount: Decimal | None) -> str | None:
    """A posted amount as its 2-digit string; fails if the engine left it unrounded."""
    if amount is None:
        return None
    assert amount == amount.quantize(CENT), f"{amount} is not rounded to the cent"
    return format(amount.quantize(CENT), "f")


def summary_of(position: Position) -> dict[str, object]:
    s = position.summary
    return {
        "overdue_principal": money(s.overdue_principal),
        "overdue_interest": money(s.overdue_interest),
        "overdue_fee": money(s.overdue_fee),
        "outstanding_penalty": money(s.outstanding_penalty),
        "total_overdue": money(s.total_overdue),
        "outstanding_principal": money(s.outstanding_principal),
        "accrued_interest": money(s.accrued_interest),
        "payoff_amount": money(s.payoff_amount),
        "penalty_capped": s.penalty_capped,
        "days_past_due": s.days_past_due,
        "bucket": s.bucket,
        "classification": s.classification,
        "next_due_date": s.next_due_date.isoformat() if s.next_due_date else None,
        "next_payment": money(s.next_payment),
    }


def row_of(row: InstallmentPosition) -> dict[str, object]:
    """One installment's position with the field names of the response (SPEC §5)."""
    return {
        "number": row.scheduled.number,
        "paid_principal": money(row.paid_principal),
        "paid_interest": money(row.paid_interest),
        "paid_fee": money(row.paid_fee),
        "paid_penalty": money(row.paid_penalty),
        "outstanding_principal": money(row.outstanding_principal),
        "outstanding_interest": money(row.outstanding_interest),
        "outstanding_fee": money(row.outstanding_fee),
        "cancelled_interest": money(row.cancelled_interest),
        "cancelled_fee": money(row.cancelled_fee),
        "penalty_accrued": money(row.penalty_accrued),
        "outstanding_penalty": money(row.outstanding_penalty),
        "days_past_due": row.days_past_due,
        "status": row.status.value,
        "settled_on": row.settled_on.isoformat() if row.settled_on else None,
    }


def untouched(number: int, principal: str, interest: str, fee: str = "0.00") -> dict[str, object]:
    """An upcoming installment nothing has been paid on."""
    return {
        "number": number,
        "paid_principal": "0.00",
        "paid_interest": "0.00",
        "paid_fee": "0.00",
        "paid_penalty": "0.00",
        "outstanding_principal": principal,
        "outstanding_interest": interest,
        "outstanding_fee": fee,
        "cancelled_interest": "0.00",
        "cancelled_fee": "0.00",
        "penalty_accrued": "0.00",
        "outstanding_penalty": "0.00",
        "days_past_due": 0,
        "status": "upcoming",
        "settled_on": None,
    }


def paid_on_time(number: int, principal: str, interest: str, on: str) -> dict[str, object]:
    """An installment paid in full on its due date, no penalty."""
    return {
        "number": number,
        "paid_principal": principal,
        "paid_interest": interest,
        "paid_fee": "0.00",
        "paid_penalty": "0.00",
        "outstanding_principal": "0.00",
        "outstanding_interest": "0.00",
        "outstanding_fee": "0.00",
        "cancelled_interest": "0.00",
        "cancelled_fee": "0.00",
        "penalty_accrued": "0.00",
        "outstanding_penalty": "0.00",
        "days_past_due": 0,
        "status": "paid",
        "settled_on": on,
    }


def allocations_of(position: Position, index: int) -> list[tuple[int, str, str | None]]:
    return [
        (a.number, a.component.value, money(a.amount)) for a in position.payments[index].allocations
    ]


# A settled loan's summary: nothing overdue, outstanding or accruing (SPEC §5).
NOTHING_OWED: dict[str, object] = {
    "overdue_principal": "0.00",
    "overdue_interest": "0.00",
    "overdue_fee": "0.00",
    "outstanding_penalty": "0.00",
    "total_overdue": "0.00",
    "outstanding_principal": "0.00",
    "accrued_interest": "0.00",
    "payoff_amount": "0.00",
    "penalty_capped": False,
    "days_past_due": 0,
    "bucket": "M0",
    "classification": "normal",
    "next_due_date": None,
    "next_payment": None,
}


def overdue_on_july_first(penalty: str, total: str, capped: bool) -> dict[str, object]:
    """The case study's summary on 2026-07-01: installment 4 is [05-15, 07-01) = 31 + 16 = 47
    days late, installment 5 [06-15, 07-01) = 16 days; principal 2435.46 + 2471.99 = 4907.45
    and interest 73.61 + 37.08 = 110.69 overdue; nothing is not yet due, so payoff equals
    total_overdue. Only the penalty (and so the total) depends on the penalty rule."""
    return {
        **NOTHING_OWED,
        "overdue_principal": "4907.45",
        "overdue_interest": "110.69",
        "outstanding_penalty": penalty,
        "total_overdue": total,
        "outstanding_principal": "4907.45",
        "payoff_amount": total,
        "penalty_capped": capped,
        "days_past_due": 47,
        "bucket": "M2",
        "classification": "special_mention",
    }
