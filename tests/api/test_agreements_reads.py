"""Safe reads, evaluate, paged events, opaque cursors, idempotent actions (SPEC §7).

Plan: six installments of 880.81 due on the 20th, 2026-07-20 … 2026-12-20 (case study).
"""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.persistence import repositories
from app.persistence.models import AgreementPaymentRow, AgreementRow
from tests.agreement_flow import PLAN_DUE_DATES, activate, create, pay


def _decoded(cursor: str) -> str:
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()


def _snapshot(client, auth, agreement_id: str) -> tuple[str, str, int, list]:  # type: ignore[no-untyped-def]
    read = client.get(f"/v1/agreements/{agreement_id}", headers=auth)
    events = client.get(f"/v1/agreements/{agreement_id}/events", headers=auth).json()["events"]
    return read.json()["status"], read.headers["etag"], read.json()["version"], events


@pytest.mark.parametrize("as_of", ["2199-12-31", "2026-08-20", "2026-07-21", "1900-01-01"])
def test_a_get_with_any_as_of_changes_nothing(db_client, auth, as_of):
    """Installment 1 (due 07-20) is unpaid more than 30 days from 08-20 on: breached there."""
    agreement = activate(db_client, auth)
    before = _snapshot(db_client, auth, agreement["id"])
    url = f"/v1/agreements/{agreement['id']}"
    read = db_client.get(f"{url}?as_of={as_of}", headers=auth).json()
    expected = "breached" if as_of >= "2026-08-20" else "active"
    assert (read["status"], read["standing"]["status"]) == ("active", expected)
    listed = db_client.get(f"/v1/agreements?as_of={as_of}", headers=auth).json()["items"][0]
    assert listed["standing"]["status"] == expected
    assert _snapshot(db_client, auth, agreement["id"]) == before


def test_evaluate_records_once_and_a_retry_replays(db_client, make_tenant):
    """Two active agreements: one paid up to 08-20, one not. On 08-20 the unpaid one is 31
    days past its 07-20 installment (> 30): breached; the other owes nothing yet."""
    auth = make_tenant()
    unpaid = activate(db_client, auth)
    paid = activate(db_client, auth)
    pay(db_client, auth, paid["id"], "p-1", "2026-07-20", "880.81")
    pay(db_client, auth, paid["id"], "p-2", "2026-08-20", "880.81")
    other_tenant = make_tenant()
    bystander = activate(db_client, other_tenant)
    headers = {**auth, "Idempotency-Key": "night-2026-08-20"}
    body = {"as_of": "2026-08-20"}
    first = db_client.post("/v1/agreements/evaluate", json=body, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json() == {"as_of": "2026-08-20", "evaluated": 2, "breached": 1, "completed": 0}
    replay = db_client.post("/v1/agreements/evaluate", json=body, headers=headers)
    assert (replay.status_code, replay.content) == (200, first.content)
    again = db_client.post("/v1/agreements/evaluate", json=body, headers=auth)
    assert again.json() == {"as_of": "2026-08-20", "evaluated": 1, "breached": 0, "completed": 0}
    statuses = {
        a["id"]: a["status"] for a in db_client.get("/v1/agreements", headers=auth).json()["items"]
    }
    assert statuses == {unpaid["id"]: "breached", paid["id"]: "active"}
    actions = [
        e["action"]
        for e in db_client.get(f"/v1/agreements/{unpaid['id']}/events", headers=auth).json()[
            "events"
        ]
    ]
    assert actions.count("breached") == 1
    other = db_client.get(f"/v1/agreements/{bystander['id']}", headers=other_tenant).json()
    assert other["status"] == "active"  # another tenant's agreements are not evaluated
    other_key = db_client.post(
        "/v1/agreements/evaluate", json={"as_of": "2026-08-21"}, headers=headers
    )
    assert other_key.status_code == 422  # the same key with another request


def test_evaluate_records_the_completion_of_an_active_agreement_that_owes_nothing(
    db_client, auth, database
):
    """A payment records the completion it makes, so this arises only from rows written
    otherwise (data from before that rule): 5284.86, all that is owed, paid on 2026-07-20
    without the service. Evaluate on 07-19 sees nothing paid yet (installment 1 is not due
    until 07-20): still active; on 07-20, completed."""
    agreement = activate(db_client, auth)
    with database.transaction() as session:
        pk = session.scalar(select(AgreementRow.pk).where(AgreementRow.id == agreement["id"]))
        repositories.add_payment(
            session,
            AgreementPaymentRow(
                agreement_pk=pk, reference="legacy", payment_date=date(2026, 7, 20),
                amount=528486, recorded_by="migration", recorded_at=datetime.now(UTC),
            ),
        )  # fmt: skip
    url = f"/v1/agreements/{agreement['id']}"
    read = db_client.get(f"{url}?as_of=2026-07-20", headers=auth).json()
    assert (read["status"], read["standing"]["status"]) == ("active", "completed")
    early = db_client.post("/v1/agreements/evaluate", json={"as_of": "2026-07-19"}, headers=auth)
    assert early.json() == {"as_of": "2026-07-19", "evaluated": 1, "breached": 0, "completed": 0}
    done = db_client.post("/v1/agreements/evaluate", json={"as_of": "2026-07-20"}, headers=auth)
    assert done.json() == {"as_of": "2026-07-20", "evaluated": 1, "breached": 0, "completed": 1}
    event = db_client.get(f"{url}/events", headers=auth).json()["events"][-1]
    assert (event["action"], event["to_status"], event["details"]) == (
        "completed",
        "completed",
        {"date": "2026-07-20"},
    )


def test_evaluate_defaults_to_today_and_validates_its_body(db_client, make_tenant):
    auth = make_tenant()
    today = db_client.post("/v1/agreements/evaluate", headers=auth).json()
    assert today["evaluated"] == 0
    assert len(today["as_of"]) == 10
    for body in ({"as_of": "2026-13-01"}, {"as_of": 20260820}, {"when": "2026-08-20"}):
        response = db_client.post("/v1/agreements/evaluate", json=body, headers=auth)
        assert response.status_code == 422, body
    assert db_client.post("/v1/agreements/evaluate").status_code == 401


def test_150_payments_page_through_the_events(db_client, auth):
    """created, accepted, activated and 150 payment_recorded: 153 events, 100 + 53."""
    agreement = activate(db_client, auth)
    for n in range(150):
        response = pay(db_client, auth, agreement["id"], f"p-{n:03d}", "2026-07-20", "1.00")
        assert response.status_code == 200
    url = f"/v1/agreements/{agreement['id']}/events"
    first = db_client.get(url, headers=auth).json()
    assert len(first["events"]) == 100
    assert first["next_cursor"]
    second = db_client.get(f"{url}?cursor={first['next_cursor']}", headers=auth).json()
    assert len(second["events"]) == 53
    assert second["next_cursor"] is None
    events = first["events"] + second["events"]
    assert [e["action"] for e in events[:3]] == ["created", "accepted", "activated"]
    references = [e["details"]["reference"] for e in events[3:]]
    assert references == [f"p-{n:03d}" for n in range(150)]
    small = [db_client.get(f"{url}?limit=40", headers=auth).json()]
    while small[-1]["next_cursor"]:
        cursor = small[-1]["next_cursor"]
        small.append(db_client.get(f"{url}?limit=40&cursor={cursor}", headers=auth).json())
    assert [len(page["events"]) for page in small] == [40, 40, 40, 33]
    assert [e for page in small for e in page["events"]] == events
    for query in ("limit=0", "limit=101", "cursor=bm9wZQ", "cursor=%25%25"):
        assert db_client.get(f"{url}?{query}", headers=auth).status_code == 422, query


def test_a_cursor_names_no_global_position(db_client, make_tenant):
    """Tenants A and B create agreements in turn; A's cursors name only A's own rows."""
    a, b = make_tenant(), make_tenant()
    for _ in range(3):
        create(db_client, a)
        create(db_client, b)
    page = db_client.get("/v1/agreements?limit=2", headers=a).json()
    cursor = page["next_cursor"]
    assert _decoded(cursor) == f"a2:{page['items'][-1]['id']}"  # A's own agreement, no key
    rest = db_client.get(f"/v1/agreements?limit=2&cursor={cursor}", headers=a).json()
    assert len(rest["items"]) == 1
    assert rest["next_cursor"] is None
    assert db_client.get(f"/v1/agreements?cursor={cursor}", headers=b).status_code == 422
    agreement_id = page["items"][0]["id"]
    accept = {"channel": "app", "accepted_at": "2026-06-21T09:30:00+08:00"}
    db_client.post(f"/v1/agreements/{agreement_id}/accept", json=accept, headers=a)
    events = db_client.get(f"/v1/agreements/{agreement_id}/events?limit=1", headers=a).json()
    assert _decoded(events["next_cursor"]) == "e1:1"  # a position in this agreement's trail


def test_a_retried_action_with_its_idempotency_key_replays_the_first_answer(db_client, auth):
    agreement = create(db_client, auth)
    url = f"/v1/agreements/{agreement['id']}"
    accept = {"channel": "app", "accepted_at": "2026-06-21T09:30:00+08:00"}
    key = {**auth, "Idempotency-Key": "accept-1"}
    first = db_client.post(f"{url}/accept", json=accept, headers=key)
    retry = db_client.post(f"{url}/accept", json=accept, headers=key)
    assert (first.status_code, retry.status_code) == (200, 200)
    assert (retry.content, retry.headers["etag"]) == (first.content, first.headers["etag"])
    assert db_client.post(f"{url}/accept", json=accept, headers=auth).status_code == 409
    for action in ("activate", "cancel"):
        agreement = create(db_client, auth)
        url = f"/v1/agreements/{agreement['id']}"
        db_client.post(f"{url}/accept", json=accept, headers=auth)
        key = {**auth, "Idempotency-Key": f"{action}-{agreement['id']}"}
        first = db_client.post(f"{url}/{action}", json={"reason": "asked"}, headers=key)
        retry = db_client.post(f"{url}/{action}", json={"reason": "asked"}, headers=key)
        assert (first.status_code, retry.status_code, retry.content) == (200, 200, first.content)
        other = db_client.post(f"{url}/{action}", json={"reason": "other"}, headers=key)
        assert other.status_code == 422  # the same key with another body
    events = db_client.get(f"{url}/events", headers=auth).json()["events"]
    assert [e["action"] for e in events] == ["created", "accepted", "cancelled"]


def test_a_read_before_a_recorded_completion_or_breach_shows_the_running_plan(
    db_client, make_tenant
):
    """SPEC §7: `standing.status` is the status the agreement would have on `as_of`.

    Completed: six on-time payments of 880.81 (07-20 … 12-20). On 12-19 five are paid and
    880.81 is still to come on 12-20, so it was `active` then; from 12-20 on, `completed`.
    Breached: nothing paid; evaluate on 08-20 finds 07-20 unpaid 31 days (> 30). On 08-19 it
    was 30 days (not more than 30): `active`; from 08-20 on `breached`, and it stays so after
    everything is paid on 09-01 (a breach is not undone by paying late).
    """
    auth = make_tenant()
    done = activate(db_client, auth)
    for number, due in enumerate(PLAN_DUE_DATES, 1):
        pay(db_client, auth, done["id"], f"m-{number}", due, "880.81")
    url = f"/v1/agreements/{done['id']}"
    expected = {"2026-06-20": "active", "2026-12-19": "active", "2026-12-20": "completed"}
    for as_of, status in expected.items():
        read = db_client.get(f"{url}?as_of={as_of}", headers=auth).json()
        assert (read["status"], read["standing"]["status"]) == ("completed", status), as_of

    late = activate(db_client, auth)
    evaluated = db_client.post(
        "/v1/agreements/evaluate", json={"as_of": "2026-08-20"}, headers=auth
    )
    assert evaluated.json()["breached"] == 1
    url = f"/v1/agreements/{late['id']}"
    pay(db_client, auth, late["id"], "all", "2026-09-01", "5284.86")
    expected = {"2026-07-01": "active", "2026-08-19": "active", "2026-08-20": "breached",
                "2027-01-01": "breached"}  # fmt: skip
    for as_of, status in expected.items():
        read = db_client.get(f"{url}?as_of={as_of}", headers=auth).json()
        assert (read["status"], read["standing"]["status"]) == ("breached", status), as_of
    listed = db_client.get("/v1/agreements?as_of=2026-08-19", headers=auth).json()["items"]
    assert {a["id"]: a["standing"]["status"] for a in listed} == {
        late["id"]: "active",
        done["id"]: "active",
    }
