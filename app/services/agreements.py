"""Negotiated agreements (协商还款协议, SPEC §7): create, read, list, actions, audit trail.

    proposed ──accept──▶ accepted ──activate──▶ active ──▶ completed (all paid)
        │                   │                     └─────▶ breached (unpaid > breach_after_days)
        └──────cancel───────┴──▶ cancelled

Module functions with keyword-only arguments; they flush but never commit (the caller's
transaction does), and every change writes its audit event in that same transaction. Reads
change nothing: `completed` is recorded by the payment that completes the plan, and breaches
(and completions) by `evaluation.evaluate_agreements` (docs/decisions.md, Agreements).

`create_agreement` and `read_agreement` are the entry points for other callers (the UI, the
document renderer); the API's idempotent commands wrap them (agreement_commands.py).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy.orm import Session

from app.agreement_states import (
    TRANSITIONS,
    AcceptanceChannel,
    AgreementAction,
    AgreementStatus,
    EventAction,
)
from app.engine.errors import CalculationError
from app.engine.money import format_amount
from app.engine.option import Option
from app.engine.restructuring import RestructuringRequest, restructuring_options
from app.persistence import repositories
from app.persistence.models import AgreementInstallmentRow, AgreementRow
from app.persistence.types import storable, to_minor
from app.services import cursors
from app.services.agreement_views import (
    AgreementPage,
    AgreementView,
    EventPage,
    agreement_view,
    event_view,
)
from app.services.api_keys import Principal
from app.services.errors import (
    AmountBeyondStorage,
    IllegalTransition,
    InvalidCursor,
    InvalidRequest,
    OptionNotOffered,
)
from app.services.lifecycle import (
    add_event,
    agreement_view_of,
    change_status,
    check_version,
    find_agreement,
    lock_agreement,
)
from app.services.payments import record_payment, reverse_payment

__all__ = [
    "AgreementDraft",
    "Consent",
    "act_on_agreement",
    "create_agreement",
    "list_agreement_events",
    "list_agreements",
    "read_agreement",
    "record_payment",
    "reverse_payment",
]


class OptionsRequest(Protocol):
    """The options request as parsed by the API (schemas.restructuring.OptionsRequest)."""

    def to_engine(self) -> RestructuringRequest: ...


@dataclass(frozen=True, slots=True)
class AgreementDraft:
    """What a new agreement is made from (the body of POST /v1/agreements, parsed).

    `terms` is the options request as sent (stored and shown); `request` the whole body with
    its defaults filled in, as JSON values (what an Idempotency-Key's body is compared by).
    """

    loan_ref: str
    borrower_ref: str
    options_request: OptionsRequest
    option_id: str
    breach_after_days: int
    terms: Mapping[str, Any]
    request: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Consent:
    """The borrower's consent (协议确认) that `accept` records."""

    channel: AcceptanceChannel
    accepted_at: datetime


def chosen_option(draft: AgreementDraft) -> Option:
    """Recompute the options (never trust a client's schedule) and take `option_id`."""
    try:
        result = restructuring_options(draft.options_request.to_engine())
    except CalculationError as exc:
        raise type(exc)(f"options_request.{exc.field}", exc.reason) from None
    for option in result.options:
        if option.id == draft.option_id:
            return option
    raise OptionNotOffered(draft.option_id, [option.id for option in result.options])


def _installment_rows(option: Option) -> list[AgreementInstallmentRow]:
    """The plan in minor units, refused (422) before anything is written when an amount, an
    installment's total (which the database checks in BIGINT) or the plan's total is beyond
    what the store holds: e.g. a KWD plan at SPEC's limits (10^12 at 1000 % over 600 months)."""
    currency = option.currency
    rows = [
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
    amounts = [n for r in rows for n in (r.principal, r.interest, r.fee, r.amount_due)]
    if not all(storable(n) for n in [*amounts, sum(r.amount_due for r in rows)]):
        raise AmountBeyondStorage(("body", "option_id"), f"{option.id}'s plan in {currency.code}")
    return rows


def create_agreement(
    session: Session, *, principal: Principal, draft: AgreementDraft, now: datetime
) -> AgreementView:
    """Store the chosen option as a `proposed` agreement; its installments are the option's.

    The standing is as of `now`'s date. Raises InvalidRequest (422) subclasses and
    CalculationError (422 under `options_request`) before anything is written.
    """
    option = chosen_option(draft)
    if not option.installments:
        raise InvalidRequest(("body", "option_id"), f"{option.id} has nothing to pay")
    currency = option.currency
    row = AgreementRow(
        id=str(uuid.uuid4()),
        tenant=principal.tenant,
        loan_ref=draft.loan_ref,
        borrower_ref=draft.borrower_ref,
        currency=currency.code,
        kind=str(option.kind),
        option_id=option.id,
        terms=json.dumps(draft.terms, sort_keys=True),
        breach_after_days=draft.breach_after_days,
        status=str(AgreementStatus.PROPOSED),
        created_by=principal.key_id,
        created_at=now,
        updated_at=now,
    )
    row.installments = _installment_rows(option)
    repositories.add_agreement(session, row)
    total = sum((i.payment for i in option.installments), Decimal(0))
    details = {
        "option_id": option.id,
        "kind": str(option.kind),
        "installments": len(option.installments),
        "total_payable": format_amount(total, currency),
    }
    add_event(
        session, row, actor=principal.key_id, action=EventAction.CREATED, from_status=None,
        to_status=row.status, details=details, now=now,
    )  # fmt: skip
    return agreement_view(row, [], now.date())


def read_agreement(
    session: Session, *, principal: Principal, agreement_id: str, as_of: date
) -> AgreementView:
    """The agreement with its standing as of `as_of`; changes nothing (a safe read).

    `standing.status` is the status it would have on `as_of`; `status` the stored one.
    """
    row = find_agreement(session, principal, agreement_id)
    return agreement_view_of(session, row, as_of)


def list_agreements(
    session: Session,
    *,
    principal: Principal,
    loan_ref: str | None = None,
    borrower_ref: str | None = None,
    status: AgreementStatus | None = None,
    limit: int = 20,
    cursor: str | None = None,
    as_of: date,
) -> AgreementPage:
    """The tenant's agreements, newest first; `next_cursor` continues after the last item."""
    before_pk = None
    if cursor is not None:
        before_pk = repositories.agreement_pk(
            session, principal.tenant, cursors.agreement_after(cursor)
        )
        if before_pk is None:  # not an agreement of this tenant
            raise InvalidCursor()
    rows = repositories.list_agreements(
        session,
        principal.tenant,
        loan_ref=loan_ref,
        borrower_ref=borrower_ref,
        status=None if status is None else str(status),
        before_pk=before_pk,
        limit=limit + 1,
    )
    page, more = rows[:limit], len(rows) > limit
    ledgers = repositories.ledger_by_agreement(session, [row.pk for row in page])
    breached = [row.pk for row in page if row.status == AgreementStatus.BREACHED]
    breach_dates = repositories.breach_dates(session, breached)
    items = tuple(
        agreement_view(row, ledgers[row.pk], as_of, breach_dates.get(row.pk)) for row in page
    )
    return AgreementPage(items, cursors.list_cursor(page[-1].id) if more else None)


def act_on_agreement(
    session: Session,
    *,
    principal: Principal,
    agreement_id: str,
    action: AgreementAction,
    consent: Consent | None = None,
    reason: str | None = None,
    expected_versions: Collection[int] | None,
    now: datetime,
) -> AgreementView:
    """accept (with the borrower's `consent`), activate (the plan replaces the loan's schedule
    from now on) or cancel, with an optional `reason` in the audit trail; 409 from a status
    the action does not start from. The standing is as of `now`'s date."""
    row = lock_agreement(session, principal, agreement_id)
    check_version(row, expected_versions)
    allowed_from, to_status, event_action = TRANSITIONS[action]
    if row.status not in allowed_from:
        raise IllegalTransition(str(action), row.status)
    details: dict[str, Any] = {} if reason is None else {"reason": reason}
    if action is AgreementAction.ACCEPT:
        assert consent is not None, "accept needs the borrower's consent"
        accepted_at = consent.accepted_at.astimezone(UTC)  # kept in UTC
        row.accepted_channel, row.accepted_at = str(consent.channel), accepted_at
        details = {"channel": str(consent.channel), "accepted_at": accepted_at.isoformat()}
    change_status(
        session, row, to_status, actor=principal.key_id, action=event_action, details=details,
        now=now,
    )  # fmt: skip
    return agreement_view_of(session, row, now.date())


def list_agreement_events(
    session: Session,
    *,
    principal: Principal,
    agreement_id: str,
    limit: int = 100,
    cursor: str | None = None,
) -> EventPage:
    """The audit trail, oldest first, `limit` at a time; `next_cursor` continues it."""
    row = find_agreement(session, principal, agreement_id)
    shown = 0 if cursor is None else cursors.events_shown(cursor)
    events = repositories.events_of(session, row.pk, skip=shown, limit=limit + 1)
    page, more = events[:limit], len(events) > limit
    next_cursor = cursors.events_cursor(shown + limit) if more else None
    return EventPage(tuple(event_view(event) for event in page), next_cursor)
