"""Idempotency-Key for the agreement commands (SPEC §7), per tenant, kept at least 24 hours.

Creation, accept, activate, cancel and evaluate honour it: `run_once` replays the first
response to a request with the same key and the same operation and body.

The key is claimed by inserting its row in the same transaction that creates the agreement
and stores the response, so a crash leaves no half-claimed key. A concurrent request with the
same key waits on that row (PostgreSQL: the unique index entry; SQLite: the write lock) and then
replays the stored response; only a first request still running after the wait gets a 409.
Only successful responses are stored: a request that fails rolls its claim back with it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from app.persistence import repositories
from app.services.errors import IdempotencyKeyInProgress, IdempotencyKeyReused

RETENTION = timedelta(hours=24)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    headers: dict[str, str]
    body: str


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    """A request's `Idempotency-Key` and how long to wait for a concurrent first request."""

    key: str
    wait_seconds: float


def fingerprint(request: Mapping[str, Any]) -> str:
    """SHA-256 of the request's canonical JSON (keys sorted): whitespace and key order in the
    body never make "another body"."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_once(
    session: Session,
    *,
    tenant: str,
    idempotency: IdempotencyKey | None,
    request: Mapping[str, Any],
    now: datetime,
    action: Callable[[], T],
    render: Callable[[T], StoredResponse],
) -> StoredResponse:
    """`render(action())`, or the stored response of the first request with this key.

    `request` names the operation and everything it was asked with (the agreement id, the
    body), so the same key sent to another operation or with another body is a 422. The claim,
    the action and the stored response share the caller's transaction.
    """
    if idempotency is None:
        return render(action())
    stored = claim_idempotency_key(
        session,
        tenant=tenant,
        idempotency=idempotency,
        request_sha256=fingerprint(request),
        now=now,
    )
    if stored is not None:
        return stored
    response = render(action())
    store_idempotent_response(session, tenant=tenant, key=idempotency.key, response=response)
    return response


def claim_idempotency_key(
    session: Session,
    *,
    tenant: str,
    idempotency: IdempotencyKey,
    request_sha256: str,
    now: datetime,
) -> StoredResponse | None:
    """None when this request now owns the key; the first response when it is a replay.

    Raises IdempotencyKeyReused for another body, IdempotencyKeyInProgress after the wait.
    A key older than the retention period is forgotten and claimed afresh.
    """
    key = idempotency.key
    for _ in range(3):
        try:
            claimed = repositories.insert_idempotency_key(
                session,
                tenant=tenant,
                key=key,
                request_sha256=request_sha256,
                now=now,
                wait_seconds=idempotency.wait_seconds,
            )
        except repositories.LockTimeout:
            raise IdempotencyKeyInProgress() from None
        if claimed:
            return None
        row = repositories.find_idempotency_key(session, tenant, key)
        if row is None:  # deleted (expired) between our INSERT and SELECT: try again
            continue
        if row.created_at < now - RETENTION:
            repositories.delete_idempotency_key(session, row.pk)
            continue
        if row.request_sha256 != request_sha256:
            raise IdempotencyKeyReused()
        if row.response_status is None or row.response_body is None:
            raise IdempotencyKeyInProgress()
        return StoredResponse(
            status=row.response_status,
            headers=json.loads(row.response_headers or "{}"),
            body=row.response_body,
        )
    raise IdempotencyKeyInProgress()


def store_idempotent_response(
    session: Session, *, tenant: str, key: str, response: StoredResponse
) -> None:
    """Record the response of the request that claimed the key (same transaction)."""
    row = repositories.find_idempotency_key(session, tenant, key)
    assert row is not None, "store_idempotent_response without claim_idempotency_key"
    row.response_status = response.status
    row.response_headers = json.dumps(response.headers, sort_keys=True)
    row.response_body = response.body
    session.flush()


def purge_idempotency_keys(session: Session, *, now: datetime) -> int:
    """Delete keys older than the retention period; returns how many went."""
    return repositories.purge_idempotency_keys(session, now - RETENTION)
