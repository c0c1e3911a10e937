"""POST /v1/agreements/{id}/payments (SPEC §7): allocation, replay, completion, breach.

Reversals, unapplied credit and immutability are in test_agreements_ledger.py.

Plan: six installments of 880.81 due on the 20th, 2026-07-20 … 2026-12-20 (case study).
"""

from __future__ import annotations

from sqlalchemy import func, select

from app.persistence.models import AgreementEventRow, AgreementPaymentRow, AgreementRow
from tests.agreement_flow import PLAN_DUE_DATES, activate, create, pay


def _counts(database, agreement_id: str) -> tuple[int, int]:
    with database.transaction() as session:
        pk = session.scalar(select(AgreementRow.pk).where(AgreementRow.id == agreement_id))
        payments = session.scalar(
            select(func.count()).where(AgreementPaymentRow.agreement_pk == pk)
        )
        events = session.scalar(select(func.count()).where(AgreementEventRow.agreement_pk == pk))
    return int(payments or 0), int(events or 0)


def test_a_payment_is_allocated_oldest_installment_first(db_client, auth):
    agreement = activate(db_client, auth)
    # 1000.00 = 880.81 to installment 1 + 119.19 to installment 2
    response = pay(db_client, auth, agreement["id"], "p-1", "2026-07-20", "1000.00")
    assert response.status_code == 200
    assert response.headers["etag"] == f'"{agreement["version"] + 1}"'
    rows = response.json()["installments"]
    assert [(r["paid"], r["outstanding"]) for r in rows[:3]] == [
        ("880.81", "0.00"),
        ("119.19", "761.62"),
        ("0.00", "880.81"),
    ]
    # 761.62 + 10.00: the rest of installment 2, then installment 3
    rows = pay(db_client, auth, agreement["id"], "p-2", "2026-08-20", "771.62").json()[
        "installments"
    ]
    assert [r["paid"] for r in rows[:3]] == ["880.81", "880.81", "10.00"]
    events = db_client.get(f"/v1/agreements/{agreement['id']}/events", headers=auth).json()
    details = events["events"][-1]["details"]
    assert details == {
        "reference": "p-2",
        "date": "2026-08-20",
        "amount": "771.62",
        "allocations": [{"number": 2, "amount": "761.62"}, {"number": 3, "amount": "10.00"}],
        "unapplied": "0.00",
    }


def test_the_same_reference_and_content_is_a_no_op_replay(db_client, auth, database):
    agreement = activate(db_client, auth)
    first = pay(db_client, auth, agreement["id"], "p-1", "2026-07-20", "880.81")
    counts = _counts(database, agreement["id"])
    again = pay(db_client, auth, agreement["id"], "p-1", "2026-07-20", "880.81")
    assert again.status_code == 200
    assert again.headers["etag"] == first.headers["etag"]
    assert again.json() == first.json()
    assert _counts(database, agreement["id"]) == counts


def test_the_same_reference_with_other_content_is_409(db_client, auth, database):
    agreement = activate(db_client, auth)
    pay(db_client, auth, agreement["id"], "p-1", "2026-07-20", "880.81")
    counts = _counts(database, agreement["id"])
    for date, amount in (("2026-07-21", "880.81"), ("2026-07-20", "880.80")):
        response = pay(db_client, auth, agreement["id"], "p-1", date, amount)
        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"
    assert _counts(database, agreement["id"]) == counts


def test_a_payment_failing_validation_writes_no_row_and_no_event(db_client, auth, database):
    agreement = activate(db_client, auth)
    counts = _counts(database, agreement["id"])
    cases = [
        ("0.00", ["body", "amount"]),
        ("1.005", ["body", "amount"]),  # CNY has 2 minor digits
        ("1.000", ["body", "amount"]),  # as sent, as on the calculation endpoints
        ("1.0000", ["body", "amount"]),  # past any currency's digits: the same refusal
        ("880.81\n", ["body", "amount"]),  # the pattern must match the whole string
    ]
    for amount, loc in cases:
        response = pay(db_client, auth, agreement["id"], "p-x", "2026-07-20", amount)
        assert response.status_code == 422, amount
        assert response.json()["errors"][0]["loc"] == loc
        if amount.startswith("1.0"):  # the refusal names the agreement currency's digits
            assert "more than 2 decimal places for CNY" in response.json()["detail"], amount
    for body in (
        {"reference": "p-y", "date": "2026-07-20", "amount": 880.81},
        {"reference": "p-y", "date": "20-07-2026", "amount": "880.81"},
        {"reference": "", "date": "2026-07-20", "amount": "880.81"},
        {"reference": "p-y", "date": "2026-07-20", "amount": "880.81", "extra": 1},
    ):
        url = f"/v1/agreements/{agreement['id']}/payments"
        assert db_client.post(url, json=body, headers=auth).status_code == 422, body
    assert _counts(database, agreement["id"]) == counts
    read = db_client.get(f"/v1/agreements/{agreement['id']}", headers=auth).json()
    assert read["version"] == agreement["version"]


def test_payments_need_an_active_agreement(db_client, auth):
    agreement = create(db_client, auth)
    response = pay(db_client, auth, agreement["id"], "p-1", "2026-07-20", "880.81")
    assert response.status_code == 409


def test_paying_everything_completes_the_agreement(db_client, auth):
    agreement = activate(db_client, auth)
    for number, due in enumerate(PLAN_DUE_DATES, start=1):
        response = pay(db_client, auth, agreement["id"], f"p-{number}", due, "880.81")
        assert response.status_code == 200
    body = response.json()
    assert body["status"] == "completed"
    assert {i["status"] for i in body["installments"]} == {"paid"}
    standing = db_client.get(f"/v1/agreements/{agreement['id']}?as_of=2026-12-31", headers=auth)
    assert standing.json()["standing"] == {
        "as_of": "2026-12-31",
        "paid_to_date": "5284.86",
        "overdue_amount": "0.00",
        "days_past_due": 0,
        "next_due_date": None,
        "next_amount": None,
        "unapplied": "0.00",
        "status": "completed",
    }
    events = db_client.get(f"/v1/agreements/{agreement['id']}/events", headers=auth).json()
    assert [e["action"] for e in events["events"]][-2:] == ["payment_recorded", "completed"]
    assert events["events"][-1]["from_status"] == "active"
    assert events["events"][-1]["to_status"] == "completed"


def test_evaluate_breaches_after_breach_after_days_and_a_read_only_shows_it(db_client, auth):
    """Installment 1 is due 2026-07-20: 30 days unpaid on 08-19 is allowed, 31 on 08-20 not.

    A read naming the date shows the would-be status in standing.status and records nothing;
    POST /v1/agreements/evaluate records it.
    """
    agreement = activate(db_client, auth)
    url = f"/v1/agreements/{agreement['id']}"
    on_30th_day = db_client.get(f"{url}?as_of=2026-08-19", headers=auth).json()
    assert (on_30th_day["status"], on_30th_day["standing"]["status"]) == ("active", "active")
    assert on_30th_day["standing"]["days_past_due"] == 30
    shown = db_client.get(f"{url}?as_of=2026-08-20", headers=auth).json()
    assert (shown["status"], shown["standing"]["status"]) == ("active", "breached")
    assert shown["standing"]["days_past_due"] == 31
    assert db_client.post(
        "/v1/agreements/evaluate", json={"as_of": "2026-08-19"}, headers=auth
    ).json() == {"as_of": "2026-08-19", "evaluated": 1, "breached": 0, "completed": 0}
    evaluated = db_client.post(
        "/v1/agreements/evaluate", json={"as_of": "2026-08-20"}, headers=auth
    )
    assert evaluated.json() == {
        "as_of": "2026-08-20",
        "evaluated": 1,
        "breached": 1,
        "completed": 0,
    }
    assert db_client.get(url, headers=auth).json()["status"] == "breached"
    event = db_client.get(f"{url}/events", headers=auth).json()["events"][-1]
    assert (event["action"], event["from_status"], event["to_status"]) == (
        "breached",
        "active",
        "breached",
    )
    assert event["details"] == {
        "as_of": "2026-08-20",
        "installment": 1,
        "days_past_due": 31,
        "breach_after_days": 30,
    }
    # money received is still recorded; the agreement stays breached
    paid = pay(db_client, auth, agreement["id"], "p-1", "2026-08-21", "880.81")
    assert (paid.status_code, paid.json()["status"]) == (200, "breached")


def test_a_late_payment_records_no_breach_and_evaluate_judges_its_own_date(db_client, auth):
    """SPEC §7: a payment records only the completion it makes; breaches only evaluate records.

    Installment 1 is due 07-20; 08-29 is 11 + 29 = 40 days later (> 30). Paid in full then:
    `status` stays active, and on 08-29 nothing is unpaid more than 30 days (installment 2,
    due 08-20, is 9 days late), so `standing.status` is active and evaluate of 08-29 breaches
    nothing; on 08-28 (before the money) it was unpaid 39 days, so the read shows `breached`.
    """
    agreement = activate(db_client, auth)
    url = f"/v1/agreements/{agreement['id']}"
    paid = pay(db_client, auth, agreement["id"], "p-1", "2026-08-29", "880.81")
    assert paid.status_code == 200
    assert (paid.json()["status"], paid.json()["installments"][0]["outstanding"]) == (
        "active",
        "0.00",
    )
    events = db_client.get(f"{url}/events", headers=auth).json()["events"]
    assert [e["action"] for e in events] == ["created", "accepted", "activated", "payment_recorded"]
    on_the_day = db_client.get(f"{url}?as_of=2026-08-29", headers=auth).json()
    assert (on_the_day["status"], on_the_day["standing"]["status"]) == ("active", "active")
    assert on_the_day["standing"]["days_past_due"] == 9
    before = db_client.get(f"{url}?as_of=2026-08-28", headers=auth).json()
    assert (before["status"], before["standing"]["status"]) == ("active", "breached")
    assert before["standing"]["days_past_due"] == 39
    assert db_client.post(
        "/v1/agreements/evaluate", json={"as_of": "2026-08-29"}, headers=auth
    ).json() == {"as_of": "2026-08-29", "evaluated": 1, "breached": 0, "completed": 0}
    assert db_client.get(url, headers=auth).json()["status"] == "active"


def test_a_late_part_payment_leaves_the_breach_to_evaluate(db_client, auth):
    """500.00 on 08-29, 40 days after 07-20: installment 1 still owes 880.81 - 500.00 =
    380.81, unpaid 40 days (> 30). The payment leaves `status` active; the read shows
    `breached`; evaluate of 08-29 records it (installment 1, 40 days)."""
    agreement = activate(db_client, auth)
    url = f"/v1/agreements/{agreement['id']}"
    paid = pay(db_client, auth, agreement["id"], "p-1", "2026-08-29", "500.00").json()
    assert (paid["status"], paid["installments"][0]["outstanding"]) == ("active", "380.81")
    shown = db_client.get(f"{url}?as_of=2026-08-29", headers=auth).json()
    assert (shown["status"], shown["standing"]["status"]) == ("active", "breached")
    assert db_client.post(
        "/v1/agreements/evaluate", json={"as_of": "2026-08-29"}, headers=auth
    ).json() == {"as_of": "2026-08-29", "evaluated": 1, "breached": 1, "completed": 0}
    event = db_client.get(f"{url}/events", headers=auth).json()["events"][-1]
    assert (event["action"], event["to_status"]) == ("breached", "breached")
    assert event["details"] == {
        "as_of": "2026-08-29",
        "installment": 1,
        "days_past_due": 40,
        "breach_after_days": 30,
    }


def test_a_late_payment_that_pays_everything_completes_the_plan(db_client, auth):
    """6 x 880.81 = 5284.86 on 08-29, 40 days after installment 1: the payment completes the
    plan (SPEC §7) and records no breach on the way."""
    agreement = activate(db_client, auth)
    paid = pay(db_client, auth, agreement["id"], "all", "2026-08-29", "5284.86").json()
    assert paid["status"] == "completed"
    events = db_client.get(f"/v1/agreements/{agreement['id']}/events", headers=auth).json()
    assert [e["action"] for e in events["events"]][-2:] == ["payment_recorded", "completed"]
    assert "breached" not in [e["action"] for e in events["events"]]


def test_a_payment_within_breach_after_days_keeps_the_agreement_active(db_client, auth):
    agreement = activate(db_client, auth, breach_after_days=10)
    response = pay(db_client, auth, agreement["id"], "p-1", "2026-07-30", "880.81")
    assert response.json()["status"] == "active"


def test_standing_counts_only_payments_dated_on_or_before_as_of(db_client, auth):
    agreement = activate(db_client, auth)
    for number, due in enumerate(PLAN_DUE_DATES[:2], start=1):
        pay(db_client, auth, agreement["id"], f"p-{number}", due, "880.81")
    url = f"/v1/agreements/{agreement['id']}"
    standing = db_client.get(f"{url}?as_of=2026-08-01", headers=auth).json()["standing"]
    assert standing["paid_to_date"] == "880.81"
    assert standing["next_due_date"] == "2026-08-20"
