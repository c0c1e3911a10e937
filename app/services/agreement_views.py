"""What the agreements service returns: plain frozen dataclasses with Decimal amounts.

The API serializes these; no ORM row leaves the service layer. An installment's `paid` and
`outstanding` count every payment recorded; `standing` counts those dated on or before `as_of`.
Installment status: `paid` (nothing outstanding), `overdue` (due before `as_of`) or `pending`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app.engine.money import Currency, currency_of
from app.engine.standing import Due, standing_as_of
from app.persistence.models import AgreementEventRow, AgreementRow
from app.persistence.types import from_minor


@dataclass(frozen=True, slots=True)
class InstallmentView:
    number: int
    due_date: date
    principal: Decimal
    interest: Decimal
    fee: Decimal
    payment: Decimal
    paid: Decimal
    outstanding: Decimal
    status: str


@dataclass(frozen=True, slots=True)
class StandingView:
    as_of: date
    paid_to_date: Decimal
    overdue_amount: Decimal
    days_past_due: int
    next_due_date: date | None
    next_amount: Decimal | None


@dataclass(frozen=True, slots=True)
class AgreementView:
    id: str
    loan_ref: str
    borrower_ref: str
    currency: Currency
    kind: str
    option_id: str
    terms: dict[str, Any]
    breach_after_days: int
    status: str
    version: int
    accepted_channel: str | None
    accepted_at: datetime | None
    created_at: datetime
    updated_at: datetime
    installments: tuple[InstallmentView, ...]
    standing: StandingView


@dataclass(frozen=True, slots=True)
class AgreementPage:
    items: tuple[AgreementView, ...]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class EventView:
    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    details: dict[str, Any]


def dues_of(row: AgreementRow) -> list[Due]:
    return [Due(i.number, i.due_date, i.amount_due) for i in row.installments]


def _installment_status(outstanding: int, due_date: date, as_of: date) -> str:
    if outstanding == 0:
        return "paid"
    return "overdue" if due_date < as_of else "pending"


def agreement_view(
    row: AgreementRow, payments: Sequence[tuple[date, int]], as_of: date
) -> AgreementView:
    currency = currency_of(row.currency)

    def money(units: int) -> Decimal:
        return from_minor(units, currency)

    installments = []
    for i in row.installments:
        due = i.amount_due
        installments.append(
            InstallmentView(
                number=i.number,
                due_date=i.due_date,
                principal=money(i.principal),
                interest=money(i.interest),
                fee=money(i.fee),
                payment=money(due),
                paid=money(i.paid),
                outstanding=money(due - i.paid),
                status=_installment_status(due - i.paid, i.due_date, as_of),
            )
        )
    units = standing_as_of(as_of, dues_of(row), payments)
    standing = StandingView(
        as_of=as_of,
        paid_to_date=money(units.paid_to_date),
        overdue_amount=money(units.overdue_amount),
        days_past_due=units.days_past_due,
        next_due_date=units.next_due_date,
        next_amount=None if units.next_amount is None else money(units.next_amount),
    )
    return AgreementView(
        id=row.id,
        loan_ref=row.loan_ref,
        borrower_ref=row.borrower_ref,
        currency=currency,
        kind=row.kind,
        option_id=row.option_id,
        terms=json.loads(row.terms),
        breach_after_days=row.breach_after_days,
        status=row.status,
        version=row.version,
        accepted_channel=row.accepted_channel,
        accepted_at=row.accepted_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        installments=tuple(installments),
        standing=standing,
    )


def event_view(row: AgreementEventRow) -> EventView:
    return EventView(
        at=row.at,
        actor=row.actor,
        action=row.action,
        from_status=row.from_status,
        to_status=row.to_status,
        details=json.loads(row.details),
    )
