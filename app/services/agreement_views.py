"""What the agreements service returns: plain frozen dataclasses with Decimal amounts.

The API serializes these; no ORM row leaves the service layer. An installment's `paid` and
`outstanding`, and the agreement's `unapplied`, count every payment and reversal recorded;
`standing` counts those dated on or before `as_of`, and its `status` is the one the agreement
would have on that date (`status` itself is the stored one: reads change nothing).
Installment status: `paid` (nothing outstanding), `overdue` (due before `as_of`) or `pending`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app.agreement_states import AgreementStatus, EventAction, InstallmentStanding
from app.engine.money import Currency, currency_of
from app.engine.standing import standing_as_of
from app.persistence.models import AgreementEventRow, AgreementRow
from app.persistence.types import from_minor
from app.services.ledger import Ledger
from app.services.status_rules import status_on


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
    status: InstallmentStanding


@dataclass(frozen=True, slots=True)
class StandingView:
    as_of: date
    paid_to_date: Decimal
    overdue_amount: Decimal
    days_past_due: int
    next_due_date: date | None
    next_amount: Decimal | None
    unapplied: Decimal
    status: AgreementStatus


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
    status: AgreementStatus
    version: int
    unapplied: Decimal
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
    action: EventAction
    from_status: AgreementStatus | None
    to_status: AgreementStatus | None
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class EventPage:
    events: tuple[EventView, ...]
    next_cursor: str | None


def _installment_status(outstanding: int, due_date: date, as_of: date) -> InstallmentStanding:
    if outstanding == 0:
        return InstallmentStanding.PAID
    return InstallmentStanding.OVERDUE if due_date < as_of else InstallmentStanding.PENDING


def agreement_view(
    row: AgreementRow,
    entries: Sequence[tuple[date, int]],
    as_of: date,
    breached_on: date | None = None,
) -> AgreementView:
    """`entries` are the ledger's (date, minor units): payments, and reversals negated;
    `breached_on` the date a breached agreement was found in breach (status_rules.status_on)."""
    currency = currency_of(row.currency)

    def money(units: int) -> Decimal:
        return from_minor(units, currency)

    ledger = Ledger.of(row, entries)
    installments = []
    for i, paid in zip(row.installments, ledger.applied(), strict=True):
        due = i.amount_due
        installments.append(
            InstallmentView(
                number=i.number,
                due_date=i.due_date,
                principal=money(i.principal),
                interest=money(i.interest),
                fee=money(i.fee),
                payment=money(due),
                paid=money(paid),
                outstanding=money(due - paid),
                status=_installment_status(due - paid, i.due_date, as_of),
            )
        )
    units = standing_as_of(as_of, ledger.dues, ledger.entries)
    standing = StandingView(
        as_of=as_of,
        paid_to_date=money(units.paid_to_date),
        overdue_amount=money(units.overdue_amount),
        days_past_due=units.days_past_due,
        next_due_date=units.next_due_date,
        next_amount=None if units.next_amount is None else money(units.next_amount),
        unapplied=money(ledger.unapplied(as_of)),
        status=status_on(row, ledger, as_of, breached_on),
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
        status=AgreementStatus(row.status),
        version=row.version,
        unapplied=money(ledger.unapplied()),
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
        action=EventAction(row.action),
        from_status=None if row.from_status is None else AgreementStatus(row.from_status),
        to_status=None if row.to_status is None else AgreementStatus(row.to_status),
        details=json.loads(row.details),
    )
