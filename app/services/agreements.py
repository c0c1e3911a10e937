"""Negotiated agreements (协商还款协议, SPEC §7): create, read, list, transitions, audit trail.

    proposed ──accept──▶ accepted ──activate──▶ active ──▶ completed (all paid)
        │                   │                     └─────▶ breached (unpaid > breach_after_days)
        └──────cancel───────┴──▶ cancelled

Module functions with keyword-only arguments; they flush but never commit (the caller's
transaction does), and every change writes its audit event in that same transaction.
Payments live in payments.py (re-exported here); locking, versions, events and the breach
rule in lifecycle.py.
`completed` and `breached` are automatic: a payment evaluates both as of its date, and a read
with an explicit `as_of` evaluates the breach as of that date (docs/decisions.md, Agreements).
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Collection, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy.orm import Session

from app.engine.money import format_amount
from app.engine.option import Option
from app.persistence import repositories
from app.persistence.models import AgreementInstallmentRow, AgreementRow
from app.persistence.types import to_minor
from app.services.agreement_views import (
    AgreementPage,
    AgreementView,
    EventView,
    agreement_view,
    event_view,
)
from app.services.api_keys import Principal
from app.services.errors import IllegalTransition, InvalidCursor, InvalidRequest
from app.services.lifecycle import (
    add_event,
    agreement_view_of,
    breach_as_of,
    check_version,
    find_agreement,
    lock_agreement,
    record_breach_if_due,
)
from app.services.payments import record_payment

__all__ = [
    "accept_agreement",
    "change_status",
    "create_agreement",
    "get_agreement",
    "list_agreement_events",
    "list_agreements",
    "record_payment",
]

# action: (statuses it may start from, status it leads to, audit action)
_TRANSITIONS = {
    "accept": (("proposed",), "accepted", "accepted"),
    "activate": (("accepted",), "active", "activated"),
    "cancel": (("proposed", "accepted"), "cancelled", "cancelled"),
}


def create_agreement(
    session: Session,
    *,
    principal: Principal,
    loan_ref: str,
    borrower_ref: str,
    option: Option,
    terms: Mapping[str, Any],
    breach_after_days: int,
    now: datetime,
    as_of: date,
) -> AgreementView:
    """Store the chosen option as a `proposed` agreement; its installments are the option's."""
    if not option.installments:
        raise InvalidRequest(("body", "option_id"), f"{option.id} has nothing to pay")
    currency = option.currency
    row = AgreementRow(
        id=str(uuid.uuid4()),
        tenant=principal.tenant,
        loan_ref=loan_ref,
        borrower_ref=borrower_ref,
        currency=currency.code,
        kind=str(option.kind),
        option_id=option.id,
        terms=json.dumps(terms, sort_keys=True),
        breach_after_days=breach_after_days,
        status="proposed",
        created_by=principal.key_id,
        created_at=now,
        updated_at=now,
    )
    row.installments = [
        AgreementInstallmentRow(
            number=i.number,
            due_date=i.due_date,
            principal=to_minor(i.principal, currency),
            interest=to_minor(i.interest, currency),
            fee=to_minor(i.fee, currency),
            paid=0,
        )
        for i in option.installments
    ]
    repositories.add_agreement(session, row)
    total = sum((i.payment for i in option.installments), Decimal(0))
    details = {
        "option_id": option.id,
        "kind": str(option.kind),
        "installments": len(option.installments),
        "total_payable": format_amount(total, currency),
    }
    add_event(
        session, row, actor=principal.key_id, action="created", from_status=None,
        to_status="proposed", details=details, now=now,
    )  # fmt: skip
    return agreement_view(row, [], as_of)


def get_agreement(
    session: Session,
    *,
    principal: Principal,
    agreement_id: str,
    as_of: date,
    evaluate_breach: bool,
    now: datetime,
) -> AgreementView:
    """The agreement with its standing as of `as_of`.

    With `evaluate_breach` (a read that names its `as_of`), an active agreement with an
    installment unpaid more than `breach_after_days` on that date becomes `breached`.
    """
    row = find_agreement(session, principal, agreement_id)
    if evaluate_breach and row.status == "active":
        payments = repositories.payments_by_agreement(session, [row.pk])[row.pk]
        if breach_as_of(row, payments, as_of) is not None:
            row = lock_agreement(session, principal, agreement_id)
            payments = repositories.payments_by_agreement(session, [row.pk])[row.pk]
            record_breach_if_due(session, row, payments, as_of, principal.key_id, now)
    return agreement_view_of(session, row, as_of)


def list_agreements(
    session: Session,
    *,
    principal: Principal,
    loan_ref: str | None = None,
    borrower_ref: str | None = None,
    status: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
    as_of: date,
) -> AgreementPage:
    """The tenant's agreements, newest first; `next_cursor` continues after the last item."""
    rows = repositories.list_agreements(
        session,
        principal.tenant,
        loan_ref=loan_ref,
        borrower_ref=borrower_ref,
        status=status,
        before_pk=None if cursor is None else decode_cursor(cursor),
        limit=limit + 1,
    )
    page, more = rows[:limit], len(rows) > limit
    payments = repositories.payments_by_agreement(session, [row.pk for row in page])
    items = tuple(agreement_view(row, payments[row.pk], as_of) for row in page)
    return AgreementPage(items, encode_cursor(page[-1].pk) if more else None)


def encode_cursor(pk: int) -> str:
    """Opaque to clients: URL-safe base64 of "a1:<last pk>" (a1 = the format's version)."""
    return base64.urlsafe_b64encode(f"a1:{pk}".encode()).decode().rstrip("=")


# primary keys are 64-bit signed integers in both databases; a larger number is not one we issued
# (and SQLite's driver would overflow binding it)
_MAX_PK = 2**63 - 1


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        prefix, _, number = text.partition(":")
        if prefix != "a1" or not number.isdigit() or len(number) > 19 or int(number) > _MAX_PK:
            raise InvalidCursor()
        return int(number)
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidCursor() from None


def _transition(
    session: Session,
    *,
    principal: Principal,
    agreement_id: str,
    action: str,
    expected_versions: Collection[int] | None,
    details: Mapping[str, Any],
    now: datetime,
    as_of: date,
    changes: Mapping[str, Any] | None = None,
) -> AgreementView:
    row = lock_agreement(session, principal, agreement_id)
    check_version(row, expected_versions)
    allowed_from, to_status, audit_action = _TRANSITIONS[action]
    if row.status not in allowed_from:
        raise IllegalTransition(action, row.status)
    from_status = row.status
    for name, value in (changes or {}).items():
        setattr(row, name, value)
    row.status, row.updated_at = to_status, now
    add_event(
        session, row, actor=principal.key_id, action=audit_action, from_status=from_status,
        to_status=to_status, details=details, now=now,
    )  # fmt: skip
    return agreement_view_of(session, row, as_of)


def accept_agreement(
    session: Session,
    *,
    principal: Principal,
    agreement_id: str,
    channel: str,
    accepted_at: datetime,
    expected_versions: Collection[int] | None,
    now: datetime,
    as_of: date,
) -> AgreementView:
    """Record the borrower's consent: proposed → accepted (`accepted_at` kept in UTC)."""
    accepted_at = accepted_at.astimezone(UTC)
    return _transition(
        session,
        principal=principal,
        agreement_id=agreement_id,
        action="accept",
        expected_versions=expected_versions,
        details={"channel": channel, "accepted_at": accepted_at.isoformat()},
        now=now,
        as_of=as_of,
        changes={"accepted_channel": channel, "accepted_at": accepted_at},
    )


def change_status(
    session: Session,
    *,
    principal: Principal,
    agreement_id: str,
    action: Literal["activate", "cancel"],
    reason: str | None,
    expected_versions: Collection[int] | None,
    now: datetime,
    as_of: date,
) -> AgreementView:
    """activate (accepted → active: the plan replaces the loan's schedule from now on) or
    cancel (proposed or accepted → cancelled), with the reason in the audit trail."""
    return _transition(
        session,
        principal=principal,
        agreement_id=agreement_id,
        action=action,
        expected_versions=expected_versions,
        details={} if reason is None else {"reason": reason},
        now=now,
        as_of=as_of,
    )


def list_agreement_events(
    session: Session, *, principal: Principal, agreement_id: str
) -> list[EventView]:
    """The audit trail, oldest first."""
    row = find_agreement(session, principal, agreement_id)
    return [event_view(event) for event in repositories.events_of(session, row.pk)]
