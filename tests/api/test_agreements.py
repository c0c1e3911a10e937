"""POST/GET /v1/agreements end to end over HTTP (SPEC §7): the case study, transitions, lists.

Case-study figures: the restructured balance goes into `reinstallment-6`, six payments of
880.81 due on the 20th from 2026-07-20 to 2026-12-20 (SPEC §10, README). After the three plan
payments of Jul, Aug and Sep: paid 3 × 880.81 = 2642.43, nothing overdue, next 880.81 on Oct 20.
"""

from __future__ import annotations

import base64

from fastapi.testclient import TestClient

from tests.agreement_flow import PLAN_DUE_DATES, activate, create, create_body, pay
from tests.database import make_app

ACCEPT = {"channel": "app", "accepted_at": "2026-06-21T09:30:00+08:00"}


def test_case_study_end_to_end_and_reads_back_identical_after_restart(db_client, auth, database):
    created = db_client.post("/v1/agreements", json=create_body(), headers=auth)
    assert created.status_code == 201
    assert created.headers["content-type"] == "application/json"
    agreement = created.json()
    url = f"/v1/agreements/{agreement['id']}"
    assert created.headers["location"] == url
    assert created.headers["etag"] == '"1"'
    assert agreement["status"] == "proposed"
    assert agreement["kind"] == "reinstallment"
    assert agreement["currency"] == "CNY"
    assert [i["due_date"] for i in agreement["installments"]] == PLAN_DUE_DATES
    assert {i["payment"] for i in agreement["installments"]} == {"880.81"}
    assert agreement["terms"]["capacity"] == "900.00"

    accepted = db_client.post(
        f"{url}/accept", json=ACCEPT, headers={**auth, "If-Match": created.headers["etag"]}
    )
    assert accepted.status_code == 200
    assert accepted.json()["acceptance"] == {
        "channel": "app",
        "accepted_at": "2026-06-21T01:30:00Z",
    }
    assert db_client.post(f"{url}/activate", headers=auth).json()["status"] == "active"
    for number, due in enumerate(PLAN_DUE_DATES[:3], start=1):
        paid = pay(db_client, auth, agreement["id"], f"plan-{number}", due, "880.81")
        assert paid.status_code == 200
        assert paid.json()["status"] == "active"

    read = db_client.get(f"{url}?as_of=2026-09-21", headers=auth)
    assert read.status_code == 200
    body = read.json()
    assert body["standing"] == {
        "as_of": "2026-09-21",
        "paid_to_date": "2642.43",
        "overdue_amount": "0.00",
        "days_past_due": 0,
        "next_due_date": "2026-10-20",
        "next_amount": "880.81",
        "unapplied": "0.00",
        "status": "active",
    }
    assert [i["status"] for i in body["installments"]] == ["paid"] * 3 + ["pending"] * 3
    assert [i["outstanding"] for i in body["installments"]] == ["0.00"] * 3 + ["880.81"] * 3
    events = db_client.get(f"{url}/events", headers=auth).json()["events"]
    assert [e["action"] for e in events] == [
        "created",
        "accepted",
        "activated",
        "payment_recorded",
        "payment_recorded",
        "payment_recorded",
    ]
    assert [(e["from_status"], e["to_status"]) for e in events[:3]] == [
        (None, "proposed"),
        ("proposed", "accepted"),
        ("accepted", "active"),
    ]
    key_id = auth["Authorization"].removeprefix("Bearer ").split(".")[0]
    assert {e["actor"] for e in events} == {key_id}
    assert events[3]["details"]["allocations"] == [{"number": 1, "amount": "880.81"}]

    restarted = TestClient(make_app(type(database)(database.url)))
    again = restarted.get(f"{url}?as_of=2026-09-21", headers=auth)
    assert again.content == read.content
    assert again.headers["etag"] == read.headers["etag"]
    assert restarted.get(f"{url}/events", headers=auth).json()["events"] == events
    restarted.app.state.database.dispose()


def test_unknown_option_id_is_422_naming_the_field(db_client, auth):
    response = db_client.post(
        "/v1/agreements", json=create_body(option_id="reinstallment-7"), headers=auth
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["loc"] == ["body", "option_id"]


def test_client_sent_installments_are_refused(db_client, auth):
    body = create_body(installments=[{"number": 1, "due_date": "2026-07-20", "payment": "1.00"}])
    response = db_client.post("/v1/agreements", json=body, headers=auth)
    assert response.status_code == 422


def test_an_options_request_the_engine_refuses_is_422_under_options_request(db_client, auth):
    body = create_body()
    body["options_request"]["as_of"] = "2025-01-01"  # before the loan starts
    response = db_client.post("/v1/agreements", json=body, headers=auth)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][:2] == ["body", "options_request"]


def test_borrower_ref_may_not_be_an_id_card_number(db_client, auth):
    body = create_body(borrower_ref="11010519491231002X")
    response = db_client.post("/v1/agreements", json=body, headers=auth)
    assert response.status_code == 422
    assert "11010519491231002X" not in response.text


def test_breach_after_days_is_bounded(db_client, auth):
    for value in (0, 3651, "30"):
        body = create_body(breach_after_days=value)
        assert db_client.post("/v1/agreements", json=body, headers=auth).status_code == 422


def test_get_returns_etag_and_the_created_representation(db_client, auth):
    created = db_client.post("/v1/agreements", json=create_body(), headers=auth)
    read = db_client.get(created.headers["location"], headers=auth)
    assert read.status_code == 200
    assert read.headers["etag"] == created.headers["etag"]
    assert read.json() == created.json()


def test_illegal_transitions_are_409(db_client, auth):
    agreement = create(db_client, auth)
    url = f"/v1/agreements/{agreement['id']}"
    assert db_client.post(f"{url}/activate", headers=auth).status_code == 409
    assert (
        db_client.post(f"{url}/cancel", json={"reason": "changed mind"}, headers=auth).json()[
            "status"
        ]
        == "cancelled"
    )
    for action, body in (("accept", ACCEPT), ("activate", None), ("cancel", None)):
        response = db_client.post(f"{url}/{action}", json=body, headers=auth)
        assert response.status_code == 409, action
        assert response.headers["content-type"] == "application/problem+json"
    events = db_client.get(f"{url}/events", headers=auth).json()["events"]
    assert events[-1]["details"] == {"reason": "changed mind"}
    assert [e["action"] for e in events] == ["created", "cancelled"]


def test_active_agreement_cannot_be_cancelled(db_client, auth):
    agreement = activate(db_client, auth)
    response = db_client.post(f"/v1/agreements/{agreement['id']}/cancel", headers=auth)
    assert response.status_code == 409


def test_if_match_mismatch_is_412_and_changes_nothing(db_client, auth):
    agreement = create(db_client, auth)
    url = f"/v1/agreements/{agreement['id']}"
    for stale in ('"2"', '"abc"', 'W/"1"'):
        response = db_client.post(f"{url}/accept", json=ACCEPT, headers={**auth, "If-Match": stale})
        assert response.status_code == 412, stale
    assert db_client.get(url, headers=auth).json()["status"] == "proposed"
    ok = db_client.post(f"{url}/accept", json=ACCEPT, headers={**auth, "If-Match": '"7", "1"'})
    assert ok.status_code == 200
    assert ok.headers["etag"] == '"2"'
    star = db_client.post(f"{url}/activate", headers={**auth, "If-Match": "*"})
    assert star.status_code == 200


def test_accept_needs_a_known_channel_and_an_offset_date_time(db_client, auth):
    agreement = create(db_client, auth)
    url = f"/v1/agreements/{agreement['id']}/accept"
    bad_bodies = [
        {"channel": "fax", "accepted_at": "2026-06-21T09:30:00Z"},
        {"channel": "app", "accepted_at": "2026-06-21T09:30:00"},
        {"channel": "app", "accepted_at": 1782000000},
        # RFC 3339 only: no epoch seconds in a string, no missing seconds, no "+0800"
        {"channel": "app", "accepted_at": "1781000000"},
        {"channel": "app", "accepted_at": "2026-06-21T09:30Z"},
        {"channel": "app", "accepted_at": "2026-06-21T09:30:00+0800"},
        # outside SPEC §8's 1900–2200 (these once overflowed the UTC conversion: a 500)
        {"channel": "app", "accepted_at": "0001-01-01T00:00:00+01:00"},
        {"channel": "app", "accepted_at": "9999-12-31T23:59:59-01:00"},
        {"channel": "app"},
        {},
    ]
    for body in bad_bodies:
        response = db_client.post(url, json=body, headers=auth)
        assert response.status_code == 422, body
    assert db_client.post(url, headers=auth).status_code == 422


def test_list_is_newest_first_with_filters_and_cursor(db_client, make_tenant):
    auth = make_tenant()
    ids = [create(db_client, auth, loan_ref=f"L-{n % 2}")["id"] for n in range(5)]
    first = db_client.get("/v1/agreements?limit=2", headers=auth).json()
    assert [a["id"] for a in first["items"]] == ids[::-1][:2]
    second = db_client.get(f"/v1/agreements?limit=2&cursor={first['next_cursor']}", headers=auth)
    third = db_client.get(
        f"/v1/agreements?limit=2&cursor={second.json()['next_cursor']}", headers=auth
    ).json()
    assert [a["id"] for a in second.json()["items"]] == ids[::-1][2:4]
    assert [a["id"] for a in third["items"]] == ids[:1]
    assert third["next_cursor"] is None
    by_loan = db_client.get("/v1/agreements?loan_ref=L-0", headers=auth).json()
    assert [a["id"] for a in by_loan["items"]] == [ids[4], ids[2], ids[0]]
    assert by_loan["next_cursor"] is None
    db_client.post(f"/v1/agreements/{ids[1]}/cancel", headers=auth)
    cancelled = db_client.get("/v1/agreements?status=cancelled", headers=auth).json()
    assert [a["id"] for a in cancelled["items"]] == [ids[1]]
    by_borrower = db_client.get("/v1/agreements?borrower_ref=nobody", headers=auth).json()
    assert by_borrower == {"items": [], "next_cursor": None}
    default = db_client.get("/v1/agreements", headers=auth).json()
    assert len(default["items"]) == 5


def test_list_rejects_bad_limits_statuses_and_cursors(db_client, auth):
    # base64 of "a1:9223372036854775808" (2^63): past any primary key, once a 500 on SQLite
    past_int64 = base64.urlsafe_b64encode(b"a1:9223372036854775808").decode().rstrip("=")
    queries = ("limit=0", "limit=101", "status=open", "cursor=bm9wZQ", "cursor=%25%25")
    for query in (*queries, f"cursor={past_int64}"):
        response = db_client.get(f"/v1/agreements?{query}", headers=auth)
        assert response.status_code == 422, query
        assert response.headers["content-type"] == "application/problem+json"
    assert db_client.get("/v1/agreements?limit=100", headers=auth).status_code == 200


def test_standing_defaults_to_today_and_as_of_is_validated(db_client, auth):
    agreement = create(db_client, auth)
    url = f"/v1/agreements/{agreement['id']}"
    assert db_client.get(f"{url}?as_of=2026-13-01", headers=auth).status_code == 422
    assert db_client.get(f"{url}?as_of=1800-01-01", headers=auth).status_code == 422
    # an ISO date only (SPEC §1): not epoch seconds, not a date-time (these once read as dates)
    for not_a_date in ("0", "86400", "2026-08-20T00:00:00", "2026-07-20T00:00:00Z"):
        response = db_client.get(f"{url}?as_of={not_a_date}", headers=auth)
        assert response.status_code == 422, not_a_date
    before = db_client.get(f"{url}?as_of=2026-07-01", headers=auth).json()["standing"]
    assert before == {
        "as_of": "2026-07-01",
        "paid_to_date": "0.00",
        "overdue_amount": "0.00",
        "days_past_due": 0,
        "next_due_date": "2026-07-20",
        "next_amount": "880.81",
        "unapplied": "0.00",
        "status": "proposed",
    }
    due_day = db_client.get(f"{url}?as_of=2026-07-20", headers=auth).json()["standing"]
    assert due_day["overdue_amount"] == "0.00"  # due today is not overdue (SPEC §1)
    day_after = db_client.get(f"{url}?as_of=2026-07-21", headers=auth).json()["standing"]
    assert (day_after["overdue_amount"], day_after["days_past_due"]) == ("880.81", 1)
    assert day_after["next_due_date"] == "2026-08-20"
