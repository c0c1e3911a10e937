"""The case study over real HTTP against uvicorn, then a real restart (issue 6, acceptance 1).

The server is a separate process on this worker's database (DATABASE_URL); after it stops, a
new process (new engine, new pool) must read back byte-identical agreements and events.
"""

from __future__ import annotations

import httpx

from tests.agreement_flow import PLAN_DUE_DATES, create_body
from tests.live_server import live_server


def test_case_study_over_http_survives_a_restart(database, make_tenant):
    auth = make_tenant()
    with live_server() as base_url, httpx.Client(base_url=base_url, headers=auth) as client:
        created = client.post("/v1/agreements", json=create_body(),
                              headers={"Idempotency-Key": "live-1"})  # fmt: skip
        assert created.status_code == 201, created.text
        url = created.headers["location"]
        accept = {"channel": "phone", "accepted_at": "2026-06-21T10:00:00+08:00"}
        assert client.post(f"{url}/accept", json=accept).status_code == 200
        assert client.post(f"{url}/activate", json={"reason": "signed"}).status_code == 200
        for number, due in enumerate(PLAN_DUE_DATES[:3], start=1):
            body = {"reference": f"live-{number}", "date": due, "amount": "880.81"}
            assert client.post(f"{url}/payments", json=body).status_code == 200
        before = client.get(f"{url}?as_of=2026-09-20")
        events_before = client.get(f"{url}/events")
        listed_before = client.get("/v1/agreements")
    assert before.json()["standing"]["paid_to_date"] == "2642.43"
    assert before.json()["standing"]["next_due_date"] == "2026-10-20"

    with live_server() as base_url, httpx.Client(base_url=base_url, headers=auth) as client:
        after = client.get(f"{url}?as_of=2026-09-20")
        assert after.content == before.content
        assert after.headers["etag"] == before.headers["etag"]
        assert client.get(f"{url}/events").content == events_before.content
        assert client.get("/v1/agreements").json()["items"] == listed_before.json()["items"]
        replay = client.post("/v1/agreements", json=create_body(),
                             headers={"Idempotency-Key": "live-1"})  # fmt: skip
        assert replay.status_code == 201
        assert replay.content == created.content
        assert client.get("/readyz").status_code == 200
