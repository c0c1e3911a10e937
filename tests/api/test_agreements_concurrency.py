"""Idempotency-Key, concurrent clients and rollback (SPEC §7; issue 6 acceptance 2 and 4).

Concurrent requests go through httpx's ASGI transport: the sync routes run on the thread
pool, each with its own session and transaction, as under uvicorn. On PostgreSQL the
agreement row lock and the version column serialize writers; SQLite serializes transactions.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from app.persistence import repositories
from app.persistence.models import (
    AgreementEventRow,
    AgreementInstallmentRow,
    AgreementPaymentReversalRow,
    AgreementPaymentRow,
    AgreementRow,
    IdempotencyKeyRow,
)
from app.services.errors import IdempotencyKeyInProgress
from app.services.idempotency import IdempotencyKey, claim_idempotency_key
from tests.agreement_flow import activate, create_body, pay


async def _gather(app, requests):  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await asyncio.gather(*(client.request(**r) for r in requests))


def _agreements_of(database, loan_ref: str) -> int:
    with database.transaction() as session:
        query = select(func.count()).where(AgreementRow.loan_ref == loan_ref)
        return int(session.scalar(query) or 0)


def test_same_idempotency_key_twice_replays_and_creates_nothing(db_client, auth, database):
    headers = {**auth, "Idempotency-Key": "create-1"}
    body = create_body(loan_ref="IDEM-1")
    first = db_client.post("/v1/agreements", json=body, headers=headers)
    second = db_client.post("/v1/agreements", json=body, headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.content == first.content
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["etag"] == first.headers["etag"]
    assert _agreements_of(database, "IDEM-1") == 1


def test_same_idempotency_key_with_another_body_is_422(db_client, auth, database):
    headers = {**auth, "Idempotency-Key": "create-2"}
    assert (
        db_client.post(
            "/v1/agreements", json=create_body(loan_ref="IDEM-2"), headers=headers
        ).status_code
        == 201
    )
    other = db_client.post("/v1/agreements", json=create_body(loan_ref="IDEM-2b"), headers=headers)
    assert other.status_code == 422
    assert other.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    assert _agreements_of(database, "IDEM-2b") == 0


def test_a_failed_request_does_not_keep_its_idempotency_key(db_client, auth):
    headers = {**auth, "Idempotency-Key": "create-3"}
    failed = db_client.post("/v1/agreements", json=create_body(option_id="x"), headers=headers)
    assert failed.status_code == 422
    fixed = db_client.post("/v1/agreements", json=create_body(option_id="x"), headers=headers)
    assert fixed.status_code == 422  # re-run, not replayed: the key was never stored
    assert db_client.post("/v1/agreements", json=create_body(), headers=headers).status_code == 201


def test_an_idempotency_key_is_forgotten_after_24_hours(db_client, auth, database):
    headers = {**auth, "Idempotency-Key": "create-4"}
    first = db_client.post("/v1/agreements", json=create_body(loan_ref="IDEM-4"), headers=headers)
    with database.transaction() as session:
        session.execute(
            update(IdempotencyKeyRow)
            .where(IdempotencyKeyRow.key == "create-4")
            .values(created_at=datetime.now(UTC) - timedelta(hours=24, minutes=1))
        )
    again = db_client.post("/v1/agreements", json=create_body(loan_ref="IDEM-4"), headers=headers)
    assert again.status_code == 201
    assert again.json()["id"] != first.json()["id"]


def test_idempotency_key_header_is_validated(db_client, auth):
    for key in ("", "x" * 256, "tab\tkey"):
        response = db_client.post(
            "/v1/agreements", json=create_body(), headers={**auth, "Idempotency-Key": key}
        )
        assert response.status_code == 422, repr(key)


def test_twenty_concurrent_posts_with_one_key_make_one_agreement(db_app, auth, database):
    body = create_body(loan_ref="IDEM-20")
    headers = {**auth, "Idempotency-Key": "concurrent-20"}
    request = {"method": "POST", "url": "/v1/agreements", "json": body, "headers": headers}
    responses = asyncio.run(_gather(db_app, [request] * 20))
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert _agreements_of(database, "IDEM-20") == 1


def test_fifty_concurrent_payments_are_all_recorded_once(db_app, db_client, auth, database):
    """50 × 100.00 = 5000.00 of the 5284.86 owed: installments 1–5 paid (5 × 880.81 =
    4404.05), 595.95 on installment 6, 284.86 outstanding."""
    agreement = activate(db_client, auth)
    url = f"/v1/agreements/{agreement['id']}/payments"
    requests = [
        {
            "method": "POST",
            "url": url,
            "json": {"reference": f"c-{n:02d}", "date": "2026-07-20", "amount": "100.00"},
            "headers": auth,
        }
        for n in range(50)
    ]
    responses = asyncio.run(_gather(db_app, requests))
    assert [r.status_code for r in responses] == [200] * 50
    versions = sorted(r.json()["version"] for r in responses)
    assert versions == list(range(agreement["version"] + 1, agreement["version"] + 51))
    read = db_client.get(f"/v1/agreements/{agreement['id']}?as_of=2026-07-20", headers=auth)
    body = read.json()
    assert [i["paid"] for i in body["installments"]] == ["880.81"] * 5 + ["595.95"]
    assert body["standing"]["paid_to_date"] == "5000.00"
    with database.transaction() as session:
        pk = session.scalar(select(AgreementRow.pk).where(AgreementRow.id == agreement["id"]))
        payments = session.scalars(
            select(AgreementPaymentRow.reference).where(AgreementPaymentRow.agreement_pk == pk)
        ).all()
        paid = session.scalar(
            select(func.sum(AgreementInstallmentRow.paid)).where(
                AgreementInstallmentRow.agreement_pk == pk
            )
        )
        recorded = session.scalar(
            select(func.count()).where(
                AgreementEventRow.agreement_pk == pk,
                AgreementEventRow.action == "payment_recorded",
            )
        )
    assert sorted(payments) == [f"c-{n:02d}" for n in range(50)]
    assert paid == 500000
    assert recorded == 50


def test_fifty_concurrent_payments_and_reversals_none_lost_or_doubled(
    db_app, db_client, auth, database
):
    """25 payments of 100.00 recorded first (r-00 … r-24); then at once 25 new payments of
    30.00 (n-00 … n-24), the 25 reversals of the r- payments, and each of the 50 requests
    sent twice (a client retrying). Left: 25 × 30.00 = 750.00, all on installment 1
    (880.81 due): 750.00 paid, 130.81 outstanding; 50 payment rows, 25 reversal rows,
    75 payment events and 25 reversal events, whatever the order."""
    agreement = activate(db_client, auth)
    agreement_id = agreement["id"]
    for n in range(25):
        assert pay(db_client, auth, agreement_id, f"r-{n:02d}", "2026-07-20", "100.00").is_success
    url = f"/v1/agreements/{agreement_id}/payments"
    payments = [
        {
            "method": "POST",
            "url": url,
            "json": {"reference": f"n-{n:02d}", "date": "2026-07-21", "amount": "30.00"},
            "headers": auth,
        }
        for n in range(25)
    ]
    reversals = [
        {
            "method": "POST",
            "url": f"{url}/r-{n:02d}/reverse",
            "json": {"date": "2026-07-21", "reason": "bounced"},
            "headers": auth,
        }
        for n in range(25)
    ]
    mixed = [r for pair in zip(payments, reversals, strict=True) for r in pair]
    responses = asyncio.run(_gather(db_app, mixed + mixed))
    assert [r.status_code for r in responses] == [200] * 100
    read = db_client.get(f"/v1/agreements/{agreement_id}?as_of=2026-07-21", headers=auth).json()
    assert read["installments"][0]["paid"] == "750.00"
    assert read["installments"][0]["outstanding"] == "130.81"
    assert (read["standing"]["paid_to_date"], read["unapplied"]) == ("750.00", "0.00")
    with database.transaction() as session:
        pk = session.scalar(select(AgreementRow.pk).where(AgreementRow.id == agreement_id))

        def count(query):  # type: ignore[no-untyped-def]
            return session.scalar(select(func.count()).select_from(query.subquery()))

        assert (
            count(select(AgreementPaymentRow).where(AgreementPaymentRow.agreement_pk == pk)) == 50
        )
        reversal = AgreementPaymentReversalRow
        assert count(select(reversal).where(reversal.agreement_pk == pk)) == 25
        events = session.scalars(
            select(AgreementEventRow.action).where(AgreementEventRow.agreement_pk == pk)
        ).all()
        paid = session.scalar(
            select(func.sum(AgreementInstallmentRow.paid)).where(
                AgreementInstallmentRow.agreement_pk == pk
            )
        )
    assert (events.count("payment_recorded"), events.count("payment_reversed")) == (50, 25)
    assert paid == 75000


def test_two_concurrent_accepts_with_one_if_match_one_wins(db_app, db_client, auth):
    created = db_client.post("/v1/agreements", json=create_body(), headers=auth)
    url = f"{created.headers['location']}/accept"
    headers = {**auth, "If-Match": created.headers["etag"]}
    accept = {"channel": "app", "accepted_at": "2026-06-21T09:30:00Z"}
    request = {"method": "POST", "url": url, "json": accept, "headers": headers}
    responses = asyncio.run(_gather(db_app, [request, request]))
    assert sorted(r.status_code for r in responses) == [200, 412]
    events = db_client.get(f"{created.headers['location']}/events", headers=auth).json()
    assert [e["action"] for e in events["events"]] == ["created", "accepted"]


def test_a_request_that_dies_mid_transaction_rolls_back(db_app, auth, database, monkeypatch):
    """The event insert fails after the agreement and its installments were flushed."""
    client = TestClient(db_app, raise_server_exceptions=False)

    def fail(*_args, **_kwargs):
        raise RuntimeError("simulated crash after the agreement row was written")

    monkeypatch.setattr(repositories, "add_event", fail)
    response = client.post("/v1/agreements", json=create_body(loan_ref="ROLLBACK-1"), headers=auth)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    monkeypatch.undo()
    assert _agreements_of(database, "ROLLBACK-1") == 0
    with database.transaction() as session:
        orphans = session.scalar(
            select(func.count())
            .select_from(AgreementInstallmentRow)
            .outerjoin(AgreementRow, AgreementRow.pk == AgreementInstallmentRow.agreement_pk)
            .where(AgreementRow.pk.is_(None))
        )
    assert orphans == 0


def test_a_payment_that_dies_mid_transaction_leaves_the_agreement_as_it_was(
    db_app, db_client, auth, database, monkeypatch
):
    agreement = activate(db_client, auth)
    client = TestClient(db_app, raise_server_exceptions=False)
    original = repositories.add_event

    def fail_on_payment(session, row):  # type: ignore[no-untyped-def]
        if row.action == "payment_recorded":
            raise RuntimeError("simulated crash after the allocation was written")
        original(session, row)

    monkeypatch.setattr(repositories, "add_event", fail_on_payment)
    assert pay(client, auth, agreement["id"], "p-1", "2026-07-20", "880.81").status_code == 500
    monkeypatch.undo()
    read = db_client.get(f"/v1/agreements/{agreement['id']}", headers=auth).json()
    assert read["version"] == agreement["version"]
    assert {i["paid"] for i in read["installments"]} == {"0.00"}
    assert pay(db_client, auth, agreement["id"], "p-1", "2026-07-20", "880.81").status_code == 200


def test_a_key_whose_first_request_is_still_running_is_in_progress(database, auth):
    """An unfinished claim (no stored response) is 409; on PostgreSQL the wait times out."""
    tenant = "t-in-progress"
    now = datetime.now(UTC)
    with database.transaction() as session:
        session.add(
            IdempotencyKeyRow(tenant=tenant, key="k", request_sha256="a" * 64, created_at=now)
        )
    with pytest.raises(IdempotencyKeyInProgress), database.transaction() as session:
        claim_idempotency_key(
            session,
            tenant=tenant,
            idempotency=IdempotencyKey("k", wait_seconds=0.1),
            request_sha256="a" * 64,
            now=now,
        )


def test_on_postgresql_a_request_waits_for_the_first_then_gets_409(database, database_url):
    """The first request's transaction holds the key's index entry; the second waits, then 409."""
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serializes transactions: the second request waits for the first")
    now = datetime.now(UTC)
    with database.sessions() as first:
        first.add(IdempotencyKeyRow(tenant="t-pg-wait", key="k", request_sha256="a" * 64,
                                    created_at=now))  # fmt: skip
        first.flush()  # uncommitted: the first request is still running
        with pytest.raises(IdempotencyKeyInProgress), database.transaction() as second:
            claim_idempotency_key(
                second,
                tenant="t-pg-wait",
                idempotency=IdempotencyKey("k", wait_seconds=0.2),
                request_sha256="a" * 64,
                now=now,
            )
        first.rollback()
