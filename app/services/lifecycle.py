"""An agreement's row: found, locked, versioned and audited; and the automatic breach.

Shared by the agreement actions (agreements.py) and payments (payments.py). Every change to an
agreement goes through `lock_agreement` (row lock on PostgreSQL) and leaves an event.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.engine.standing import standing_as_of
from app.persistence import repositories
from app.persistence.models import AgreementEventRow, AgreementRow
from app.services.agreement_views import AgreementView, agreement_view, dues_of
from app.services.api_keys import Principal
from app.services.errors import AgreementNotFound, VersionMismatch


def add_event(
    session: Session,
    row: AgreementRow,
    *,
    actor: str,
    action: str,
    from_status: str | None,
    to_status: str | None,
    details: Mapping[str, Any],
    now: datetime,
) -> None:
    event = AgreementEventRow(
        agreement_pk=row.pk,
        at=now,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        details=json.dumps(details, sort_keys=True),
    )
    repositories.add_event(session, event)


def agreement_view_of(session: Session, row: AgreementRow, as_of: date) -> AgreementView:
    payments = repositories.payments_by_agreement(session, [row.pk])[row.pk]
    return agreement_view(row, payments, as_of)


def is_agreement_id(value: str) -> bool:
    """Ids are lowercase UUIDs; anything else names no agreement (and never reaches SQL)."""
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def find_agreement(
    session: Session, principal: Principal, agreement_id: str, *, lock: bool = False
) -> AgreementRow:
    """The tenant's agreement (row-locked for a write when `lock`), or AgreementNotFound."""
    row = None
    if is_agreement_id(agreement_id):
        read = repositories.lock_agreement if lock else repositories.find_agreement
        row = read(session, principal.tenant, agreement_id)
    if row is None:
        raise AgreementNotFound(agreement_id)
    return row


def lock_agreement(session: Session, principal: Principal, agreement_id: str) -> AgreementRow:
    return find_agreement(session, principal, agreement_id, lock=True)


def check_version(row: AgreementRow, expected_versions: Collection[int] | None) -> None:
    """If-Match: None when the client sent none; otherwise the versions it would accept."""
    if expected_versions is not None and row.version not in expected_versions:
        raise VersionMismatch(row.version)


def record_breach_if_due(
    session: Session,
    row: AgreementRow,
    payments: list[tuple[date, int]],
    as_of: date,
    actor: str,
    now: datetime,
) -> None:
    breach = breach_as_of(row, payments, as_of) if row.status == "active" else None
    if breach is None:
        return
    row.status, row.updated_at = "breached", now
    add_event(
        session, row, actor=actor, action="breached", from_status="active",
        to_status="breached", details=breach, now=now,
    )  # fmt: skip


def breach_as_of(
    row: AgreementRow, payments: list[tuple[date, int]], as_of: date
) -> dict[str, Any] | None:
    """The breach's audit details when an installment is unpaid > breach_after_days on as_of."""
    units = standing_as_of(as_of, dues_of(row), payments)
    if units.days_past_due <= row.breach_after_days:
        return None
    return {
        "as_of": as_of.isoformat(),
        "installment": units.oldest_overdue_number,
        "days_past_due": units.days_past_due,
        "breach_after_days": row.breach_after_days,
    }
