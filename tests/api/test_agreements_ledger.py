"""Money is never refused or rewritten (SPEC §7): unapplied credit, reversals, insert-only rows,
and amounts the store cannot hold.

Plan: six installments of 880.81 due on the 20th, 2026-07-20 … 2026-12-20 (case study), so
6 × 880.81 = 5284.86 is owed in all.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from app.persistence.models import (
    AgreementEventRow,
    AgreementPaymentReversalRow,
    AgreementPaymentRow,
    AgreementRow,
    IdempotencyKeyRow,
)
from tests.agreement_flow import activate, create, pay


def _reverse(client, auth, agreement_id: str, reference: str, date: str, reason: str):  # type: ignore[no-untyped-def]
    url = f"/v1/agreements/{agreement_id}/payments/{reference}/reverse"
    return client.post(url, json={"date": date, "reason": reason}, headers=auth)


def _events(client, auth, agreement_id: str) -> list[dict]:
    return client.get(f"/v1/agreements/{agreement_id}/events", headers=auth).json()["events"]


def test_an_overpayment_is_recorded_with_the_excess_unapplied(db_client, auth):
    """6000.00 - 5284.86 = 715.14 beyond everything owed: recorded, shown as unapplied."""
    agreement = activate(db_client, auth)
    response = pay(db_client, auth, agreement["id"], "big", "2026-07-20", "6000.00")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "completed"
    assert body["unapplied"] == "715.14"
    assert [i["paid"] for i in body["installments"]] == ["880.81"] * 6
    url = f"/v1/agreements/{agreement['id']}"
    standing = db_client.get(f"{url}?as_of=2026-07-20", headers=auth).json()["standing"]
    assert (standing["paid_to_date"], standing["unapplied"]) == ("6000.00", "715.14")
    before = db_client.get(f"{url}?as_of=2026-07-19", headers=auth).json()["standing"]
    assert (before["paid_to_date"], before["unapplied"]) == ("0.00", "0.00")
    recorded = _events(db_client, auth, agreement["id"])[-2]
    assert recorded["action"] == "payment_recorded"
    assert recorded["details"]["unapplied"] == "715.14"


def test_a_payment_on_a_completed_agreement_is_recorded_as_credit(db_client, auth):
    """Completed by 5284.86; 100.00 more is all unapplied (715.14 would be with 6000)."""
    agreement = activate(db_client, auth)
    assert pay(db_client, auth, agreement["id"], "all", "2026-07-20", "5284.86").status_code == 200
    late = pay(db_client, auth, agreement["id"], "late", "2026-12-21", "100.00")
    assert late.status_code == 200, late.text
    assert (late.json()["status"], late.json()["unapplied"]) == ("completed", "100.00")
    details = _events(db_client, auth, agreement["id"])[-1]["details"]
    assert (details["allocations"], details["unapplied"]) == ([], "100.00")


def test_a_payment_before_activation_or_after_cancellation_is_still_409(db_client, auth):
    proposed = create(db_client, auth)
    assert pay(db_client, auth, proposed["id"], "p", "2026-07-20", "1.00").status_code == 409
    cancelled = create(db_client, auth)
    url = f"/v1/agreements/{cancelled['id']}"
    assert db_client.post(f"{url}/cancel", headers=auth).status_code == 200
    assert pay(db_client, auth, cancelled["id"], "p", "2026-07-20", "1.00").status_code == 409


def test_a_reversal_reallocates_what_remains_and_both_appear_in_the_events(db_client, auth):
    """p-1 880.81 (07-20) pays installment 1; p-2 1000.00 (08-20) pays installment 2 (880.81)
    and 119.19 of installment 3. Reversing p-1 on 08-25 leaves 1000.00, re-allocated oldest
    first: 880.81 to installment 1, 119.19 to 2, nothing to 3; so installment 2 loses
    880.81 - 119.19 = 761.62 and installment 3 loses 119.19. On 08-25, 1761.62 was due
    before that day and 1000.00 paid: 761.62 overdue since 08-20, 5 days."""
    agreement = activate(db_client, auth)
    agreement_id = agreement["id"]
    pay(db_client, auth, agreement_id, "p-1", "2026-07-20", "880.81")
    pay(db_client, auth, agreement_id, "p-2", "2026-08-20", "1000.00")
    reversed_ = _reverse(db_client, auth, agreement_id, "p-1", "2026-08-25", "returned by bank")
    assert reversed_.status_code == 200, reversed_.text
    body = reversed_.json()
    assert [i["paid"] for i in body["installments"][:3]] == ["880.81", "119.19", "0.00"]
    assert body["status"] == "active"
    url = f"/v1/agreements/{agreement_id}"
    on_reversal = db_client.get(f"{url}?as_of=2026-08-25", headers=auth).json()["standing"]
    assert on_reversal["paid_to_date"] == "1000.00"
    assert (on_reversal["overdue_amount"], on_reversal["days_past_due"]) == ("761.62", 5)
    day_before = db_client.get(f"{url}?as_of=2026-08-24", headers=auth).json()["standing"]
    assert day_before["paid_to_date"] == "1880.81"
    events = _events(db_client, auth, agreement_id)
    assert [e["action"] for e in events][-3:] == [
        "payment_recorded",
        "payment_recorded",
        "payment_reversed",
    ]
    assert events[-1]["details"] == {
        "reference": "p-1",
        "date": "2026-08-25",
        "payment_date": "2026-07-20",
        "amount": "880.81",
        "reason": "returned by bank",
        "allocations": [{"number": 2, "amount": "-761.62"}, {"number": 3, "amount": "-119.19"}],
    }
    # the same reversal again is a replay; another reason a 409; no such payment a 404
    again = _reverse(db_client, auth, agreement_id, "p-1", "2026-08-25", "returned by bank")
    assert (again.status_code, again.headers["etag"]) == (200, reversed_.headers["etag"])
    assert _reverse(db_client, auth, agreement_id, "p-1", "2026-08-25", "other").status_code == 409
    assert _reverse(db_client, auth, agreement_id, "nope", "2026-08-25", "x").status_code == 404
    early = _reverse(db_client, auth, agreement_id, "p-2", "2026-08-19", "before it was paid")
    assert early.status_code == 422
    assert len(_events(db_client, auth, agreement_id)) == len(events)


def test_reversing_the_payment_that_completed_the_plan_reopens_it(db_client, auth):
    agreement = activate(db_client, auth)
    assert (
        pay(db_client, auth, agreement["id"], "all", "2026-07-20", "5284.86").json()["status"]
        == "completed"
    )
    reopened = _reverse(db_client, auth, agreement["id"], "all", "2026-07-22", "bounced")
    assert reopened.json()["status"] == "active"
    assert reopened.json()["installments"][0]["paid"] == "0.00"
    event = _events(db_client, auth, agreement["id"])[-1]
    assert (event["action"], event["from_status"], event["to_status"]) == (
        "payment_reversed",
        "completed",
        "active",
    )


@pytest.mark.parametrize("table", ["agreement_payment", "agreement_payment_reversal"])
def test_the_database_refuses_to_update_or_delete_payments(db_client, auth, database, table):
    agreement = activate(db_client, auth)
    pay(db_client, auth, agreement["id"], "p-1", "2026-07-20", "880.81")
    _reverse(db_client, auth, agreement["id"], "p-1", "2026-07-21", "bounced")
    with database.transaction() as session:
        pk = session.scalar(select(AgreementRow.pk).where(AgreementRow.id == agreement["id"]))
    for statement in (
        f"UPDATE {table} SET recorded_by = 'someone' WHERE agreement_pk = :pk",
        f"DELETE FROM {table} WHERE agreement_pk = :pk",
    ):
        with pytest.raises(DBAPIError, match="insert-only"):
            with database.transaction() as session:
                session.execute(text(statement), {"pk": pk})
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(AgreementPaymentRow).where(
            AgreementPaymentRow.agreement_pk == pk)) == 1  # fmt: skip
        assert session.scalar(select(func.count()).select_from(AgreementPaymentReversalRow).where(
            AgreementPaymentReversalRow.agreement_pk == pk)) == 1  # fmt: skip


# KWD has 3 minor digits. A 1000 % loan of 10^12 from 1900, 600 months, seen on 2200-12-31
# (SPEC §8's limits): re-installing it over 24 months asks 10,020,004,820,294,536.925 KWD in all
# (the options endpoint answers it), which is 1.002 × 10^19 fils, past 2^63 - 1 ≈ 9.223 × 10^18.
KWD_AT_THE_LIMITS = {
    "loan": {
        "principal": "1000000000000.000",
        "term_months": 600,
        "method": "equal_installment",
        "start_date": "1900-01-15",
        "annual_rate": "10",
        "currency": "KWD",
    },
    "as_of": "2200-12-31",
    "capacity": "1000000000000.000",
}


def test_an_amount_the_store_cannot_hold_is_422_with_nothing_written(db_client, auth, database):
    options = db_client.post("/v1/restructuring/options", json=KWD_AT_THE_LIMITS).json()
    total = next(o for o in options["options"] if o["id"] == "reinstallment-24")["total_payable"]
    assert int(total.replace(".", "")) > 2**63 - 1
    body = {
        "loan_ref": "KWD-1",
        "borrower_ref": "b-kwd",
        "options_request": KWD_AT_THE_LIMITS,
        "option_id": "reinstallment-24",
    }

    def counts() -> tuple[int, int, int]:
        with database.transaction() as session:
            return (
                session.scalar(select(func.count()).select_from(AgreementRow)) or 0,
                session.scalar(select(func.count()).select_from(AgreementEventRow)) or 0,
                session.scalar(select(func.count()).select_from(IdempotencyKeyRow)) or 0,
            )

    before = counts()
    headers = {**auth, "Idempotency-Key": "kwd-1"}
    response = db_client.post("/v1/agreements", json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["loc"] == ["body", "option_id"]
    assert "2^63 - 1" in response.json()["detail"]
    # a payment of 92233720368547758.08 CNY is 2^63 fen: one more than a BIGINT holds
    agreement = activate(db_client, auth)
    huge = pay(db_client, auth, agreement["id"], "huge", "2026-07-20", "92233720368547758.08")
    assert huge.status_code == 422, huge.text
    after = counts()
    assert after[0] == before[0] + 1  # only the agreement activate() made
    assert after[2] == before[2]  # the failed request kept no idempotency key
