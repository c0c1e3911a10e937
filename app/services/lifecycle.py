"""An agreement's row: found, locked, versioned and audited; its ledger; recorded transitions.

Shared by the agreement actions (agreements.py), payments (payments.py) and the nightly
evaluation (evaluation.py). Every change to an agreement goes through `lock_agreement` (row
lock on PostgreSQL) and leaves an event.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.agreement_states import AgreementStatus, EventAction
from app.persistence import repositories
from app.persistence.models import AgreementEventRow, AgreementRow
from app.services.agreement_views import AgreementView, agreement_view
from app.services.api_keys import Principal
from app.services.errors import AgreementNotFound, VersionMismatch
from app.services.ledger import Ledger
from app.services.status_rules import breach_as_of


def add_event(
    session: Session,
    row: AgreementRow,
    *,
    actor: str,
    action: EventAction,
    from_status: str | None,
    to_status: str | None,
    details: Mapping[str, Any],
    now: datetime,
) -> None:
    event = AgreementEventRow(
        agreement_pk=row.pk,
        at=now,
        actor=actor,
        action=str(action),
        from_status=from_status,
        to_status=to_status,
        details=json.dumps(details, sort_keys=True),
    )
    repositories.add_event(session, event)


def change_status(
    session: Session,
    row: AgreementRow,
    to_status: AgreementStatus,
    *,
    actor: str,
    action: EventAction,
    details: Mapping[str, Any],
    now: datetime,
) -> None:
    """Move the agreement to `to_status` and write the event that says so."""
    from_status = row.status
    row.status, row.updated_at = str(to_status), now
    add_event(
        session, row, actor=actor, action=action, from_status=from_status,
        to_status=row.status, details=details, now=now,
    )  # fmt: skip


def ledger_of(session: Session, row: AgreementRow) -> Ledger:
    return Ledger.of(row, repositories.ledger_by_agreement(session, [row.pk])[row.pk])


def breached_on(session: Session, row: AgreementRow) -> date | None:
    """The date a breached agreement was found in breach (None for any other status)."""
    if row.status != AgreementStatus.BREACHED:
        return None
    return repositories.breach_dates(session, [row.pk]).get(row.pk)


def agreement_view_of(session: Session, row: AgreementRow, as_of: date) -> AgreementView:
    return agreement_view(row, ledger_of(session, row).entries, as_of, breached_on(session, row))


def keep_paid_in_step(row: AgreementRow, ledger: Ledger) -> None:
    """Store what each installment has received (the database checks it against what is due)."""
    for installment, paid in zip(row.installments, ledger.applied(), strict=True):
        if installment.paid != paid:
            installment.paid = paid


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
    session: Session, row: AgreementRow, ledger: Ledger, as_of: date, actor: str, now: datetime
) -> bool:
    """An active agreement in breach on `as_of` becomes `breached`; True when it did."""
    breach = breach_as_of(row, ledger, as_of) if row.status == AgreementStatus.ACTIVE else None
    if breach is None:
        return False
    change_status(
        session, row, AgreementStatus.BREACHED, actor=actor, action=EventAction.BREACHED,
        details=breach, now=now,
    )  # fmt: skip
    return True


def record_completion_if_paid(
    session: Session, row: AgreementRow, ledger: Ledger, as_of: date, actor: str, now: datetime
) -> bool:
    """An active agreement with nothing outstanding on `as_of` becomes `completed`."""
    if row.status != AgreementStatus.ACTIVE or ledger.outstanding(as_of) != 0:
        return False
    change_status(
        session, row, AgreementStatus.COMPLETED, actor=actor, action=EventAction.COMPLETED,
        details={"date": as_of.isoformat()}, now=now,
    )  # fmt: skip
    return True
