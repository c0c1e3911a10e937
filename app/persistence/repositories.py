"""Every database query of the service (STYLE §1); services call these and never commit.

Writes to an agreement lock its row first (`lock_agreement`: SELECT ... FOR UPDATE on
PostgreSQL; SQLite transactions are serialized by BEGIN IMMEDIATE), and the row's `version`
column makes every UPDATE conditional on the version read (SQLAlchemy `version_id_col`).
"""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import Select, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.agreement_states import EventAction
from app.persistence.models import (
    AgreementEventRow,
    AgreementPaymentReversalRow,
    AgreementPaymentRow,
    AgreementRow,
    ApiKeyRow,
    IdempotencyKeyRow,
)


class LockTimeout(Exception):
    """Another transaction held the row longer than the wait allowed."""


# --- API keys -------------------------------------------------------------------------------


def add_api_key(session: Session, row: ApiKeyRow) -> None:
    session.add(row)
    session.flush()


def find_api_key(session: Session, key_id: str) -> ApiKeyRow | None:
    return session.get(ApiKeyRow, key_id)


def list_api_keys(session: Session) -> list[ApiKeyRow]:
    return list(session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.tenant, ApiKeyRow.created_at)))


# --- agreements -----------------------------------------------------------------------------


def add_agreement(session: Session, row: AgreementRow) -> None:
    session.add(row)
    session.flush()


def _agreement(tenant: str, agreement_id: str) -> Select[tuple[AgreementRow]]:
    return select(AgreementRow).where(
        AgreementRow.tenant == tenant, AgreementRow.id == agreement_id
    )


def find_agreement(session: Session, tenant: str, agreement_id: str) -> AgreementRow | None:
    return session.scalars(_agreement(tenant, agreement_id)).one_or_none()


def lock_agreement(session: Session, tenant: str, agreement_id: str) -> AgreementRow | None:
    """The agreement, locked for the rest of the transaction, with fresh column values."""
    query = _agreement(tenant, agreement_id).with_for_update()
    return session.scalars(query.execution_options(populate_existing=True)).one_or_none()


def agreement_pk(session: Session, tenant: str, agreement_id: str) -> int | None:
    """The internal key of the tenant's agreement `agreement_id` (never shown to clients)."""
    query = select(AgreementRow.pk).where(
        AgreementRow.tenant == tenant, AgreementRow.id == agreement_id
    )
    return session.scalars(query).one_or_none()


def agreement_ids_with_status(session: Session, tenant: str, status: str) -> list[str]:
    query = select(AgreementRow.id).where(
        AgreementRow.tenant == tenant, AgreementRow.status == status
    )
    return list(session.scalars(query.order_by(AgreementRow.pk)))


def list_agreements(
    session: Session,
    tenant: str,
    *,
    loan_ref: str | None,
    borrower_ref: str | None,
    status: str | None,
    before_pk: int | None,
    limit: int,
) -> list[AgreementRow]:
    """Newest first (by the insertion key `pk`), at most `limit` rows older than `before_pk`."""
    query = select(AgreementRow).where(AgreementRow.tenant == tenant)
    if loan_ref is not None:
        query = query.where(AgreementRow.loan_ref == loan_ref)
    if borrower_ref is not None:
        query = query.where(AgreementRow.borrower_ref == borrower_ref)
    if status is not None:
        query = query.where(AgreementRow.status == status)
    if before_pk is not None:
        query = query.where(AgreementRow.pk < before_pk)
    return list(session.scalars(query.order_by(AgreementRow.pk.desc()).limit(limit)))


def ledger_by_agreement(
    session: Session, agreement_pks: list[int]
) -> dict[int, list[tuple[date, int]]]:
    """Each agreement's money entries, (date, minor units): every payment on its date, and
    every reversal as the payment's amount negated on the reversal's date."""
    found: dict[int, list[tuple[date, int]]] = {pk: [] for pk in agreement_pks}
    if not agreement_pks:
        return found
    payments = select(
        AgreementPaymentRow.agreement_pk,
        AgreementPaymentRow.payment_date,
        AgreementPaymentRow.amount,
    ).where(AgreementPaymentRow.agreement_pk.in_(agreement_pks))
    reversals = (
        select(
            AgreementPaymentReversalRow.agreement_pk,
            AgreementPaymentReversalRow.reversal_date,
            -AgreementPaymentRow.amount,
        )
        .join(AgreementPaymentRow, AgreementPaymentRow.pk == AgreementPaymentReversalRow.payment_pk)
        .where(AgreementPaymentReversalRow.agreement_pk.in_(agreement_pks))
    )
    for query in (payments, reversals):
        for pk, entry_date, amount in session.execute(query):
            found[pk].append((entry_date, amount))
    return found


def find_payment(session: Session, agreement_pk: int, reference: str) -> AgreementPaymentRow | None:
    query = select(AgreementPaymentRow).where(
        AgreementPaymentRow.agreement_pk == agreement_pk,
        AgreementPaymentRow.reference == reference,
    )
    return session.scalars(query).one_or_none()


def add_payment(session: Session, row: AgreementPaymentRow) -> None:
    session.add(row)
    session.flush()


def find_reversal(session: Session, payment_pk: int) -> AgreementPaymentReversalRow | None:
    query = select(AgreementPaymentReversalRow).where(
        AgreementPaymentReversalRow.payment_pk == payment_pk
    )
    return session.scalars(query).one_or_none()


def add_reversal(session: Session, row: AgreementPaymentReversalRow) -> None:
    session.add(row)
    session.flush()


def add_event(session: Session, row: AgreementEventRow) -> None:
    session.add(row)
    session.flush()


def events_of(
    session: Session, agreement_pk: int, *, skip: int = 0, limit: int | None = None
) -> list[AgreementEventRow]:
    """Oldest first, after the first `skip`: an agreement's events are written under its row
    lock, so their order never changes and a position in it names the same event for good."""
    query = select(AgreementEventRow).where(AgreementEventRow.agreement_pk == agreement_pk)
    query = query.order_by(AgreementEventRow.pk).offset(skip)
    return list(session.scalars(query if limit is None else query.limit(limit)))


def breach_dates(session: Session, agreement_pks: list[int]) -> dict[int, date]:
    """The date each breached agreement was found in breach (its `breached` event's `as_of`):
    a read as of an earlier date shows the status the rules give that day instead."""
    if not agreement_pks:
        return {}
    query = (
        select(AgreementEventRow.agreement_pk, AgreementEventRow.details)
        .where(AgreementEventRow.agreement_pk.in_(agreement_pks))
        .where(AgreementEventRow.action == str(EventAction.BREACHED))
        .order_by(AgreementEventRow.pk)
    )
    found: dict[int, date] = {}
    for pk, details in session.execute(query):
        as_of = json.loads(details).get("as_of")
        if isinstance(as_of, str):
            found[pk] = date.fromisoformat(as_of)
    return found


# --- idempotency keys ------------------------------------------------------------------------


def insert_idempotency_key(
    session: Session,
    *,
    tenant: str,
    key: str,
    request_sha256: str,
    now: datetime,
    wait_seconds: float,
) -> bool:
    """Insert the claim row; False when the key exists (after waiting for its first request).

    On PostgreSQL the INSERT waits for a concurrent transaction holding the same key to finish
    (its unique index entry), for at most `wait_seconds`; SQLite is already serialized.
    """
    values = {
        "tenant": tenant,
        "key": key,
        "request_sha256": request_sha256,
        "created_at": now,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(IdempotencyKeyRow).values(**values).on_conflict_do_nothing()
    if dialect != "postgresql":
        return session.execute(statement.returning(IdempotencyKeyRow.pk)).first() is not None
    session.execute(
        select(func.set_config("lock_timeout", f"{max(1, int(wait_seconds * 1000))}ms", True))
    )
    try:
        inserted = session.execute(statement.returning(IdempotencyKeyRow.pk)).first()
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == "55P03":  # lock_not_available
            raise LockTimeout() from exc
        raise
    session.execute(select(func.set_config("lock_timeout", "0", True)))
    return inserted is not None


def find_idempotency_key(session: Session, tenant: str, key: str) -> IdempotencyKeyRow | None:
    query = select(IdempotencyKeyRow).where(
        IdempotencyKeyRow.tenant == tenant, IdempotencyKeyRow.key == key
    )
    return session.scalars(query.execution_options(populate_existing=True)).one_or_none()


def delete_idempotency_key(session: Session, pk: int) -> None:
    session.execute(delete(IdempotencyKeyRow).where(IdempotencyKeyRow.pk == pk))


def purge_idempotency_keys(session: Session, created_before: datetime) -> int:
    result = session.execute(
        delete(IdempotencyKeyRow).where(IdempotencyKeyRow.created_at < created_before)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
