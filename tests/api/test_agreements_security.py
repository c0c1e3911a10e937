"""SPEC §8 on every agreement route: bearer keys, 401s, tenant isolation, hashed keys."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, text

from app.services.api_keys import revoke_api_key
from tests.agreement_flow import activate, create_body
from tests.database import new_key

ACCEPT = {"channel": "app", "accepted_at": "2026-06-21T09:30:00Z"}
PAYMENT = {"reference": "p-1", "date": "2026-07-20", "amount": "880.81"}


def _routes(agreement_id: str) -> list[tuple[str, str, dict | None]]:
    url = f"/v1/agreements/{agreement_id}"
    return [
        ("GET", url, None),
        ("GET", f"{url}/events", None),
        ("POST", f"{url}/accept", ACCEPT),
        ("POST", f"{url}/activate", None),
        ("POST", f"{url}/cancel", None),
        ("POST", f"{url}/payments", PAYMENT),
    ]


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer k_0000000000000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "Bearer not-a-key",
    ],
)
def test_missing_or_unknown_keys_get_401_with_www_authenticate(db_client, auth, authorization):
    created = db_client.post("/v1/agreements", json=create_body(), headers=auth).json()
    headers = {} if authorization is None else {"Authorization": authorization}
    routes = [*_routes(created["id"]), ("GET", "/v1/agreements", None)]
    routes.append(("POST", "/v1/agreements", create_body()))
    for method, url, body in routes:
        response = db_client.request(method, url, json=body, headers=headers)
        assert response.status_code == 401, (method, url)
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 401


def test_a_body_that_is_not_json_is_401_without_a_key_and_400_with_one(db_client, auth):
    """FastAPI parses a body before any dependency runs; the key is still checked first, so a
    caller without a valid key learns that (SPEC §8), not what is wrong with its body."""
    created = db_client.post("/v1/agreements", json=create_body(), headers=auth).json()
    url = f"/v1/agreements/{created['id']}"
    json_type = {"content-type": "application/json"}
    for path in ("/v1/agreements", f"{url}/accept", f"{url}/payments"):
        for headers, status in (
            (json_type, 401),
            ({**json_type, "Authorization": "Bearer not-a-key"}, 401),
            ({**json_type, **auth}, 400),
        ):
            response = db_client.post(path, content=b"{bad", headers=headers)
            assert response.status_code == status, (path, headers)
            assert response.headers["content-type"] == "application/problem+json"
            if status == 401:
                assert response.headers["www-authenticate"] == "Bearer"


def test_a_revoked_key_gets_401_and_a_sibling_key_still_works(db_client, database):
    tenant = "t-revoke"
    key, sibling = new_key(database, tenant), new_key(database, tenant)
    headers = {"Authorization": f"Bearer {key}"}
    created = db_client.post("/v1/agreements", json=create_body(), headers=headers)
    assert created.status_code == 201
    with database.transaction() as session:
        revoke_api_key(session, key_id=key.split(".")[0], now=datetime.now(UTC))
    assert db_client.get(created.headers["location"], headers=headers).status_code == 401
    wrong_secret = {"Authorization": f"Bearer {key.split('.')[0]}.{sibling.split('.')[1]}"}
    assert db_client.get(created.headers["location"], headers=wrong_secret).status_code == 401
    ok = db_client.get(created.headers["location"], headers={"Authorization": f"Bearer {sibling}"})
    assert ok.status_code == 200


def test_another_tenant_gets_404_on_every_route_and_changes_nothing(db_client, make_tenant):
    owner, stranger = make_tenant(), make_tenant()
    agreement = activate(db_client, owner)
    for method, url, body in _routes(agreement["id"]):
        response = db_client.request(method, url, json=body, headers=stranger)
        assert response.status_code == 404, (method, url)
        assert response.headers["content-type"] == "application/problem+json"
    unknown_ids = ("00000000-0000-0000-0000-000000000000", agreement["id"].upper(), "x%00y", "1")
    for unknown in unknown_ids:
        for method, url, body in _routes(unknown):
            response = db_client.request(method, url, json=body, headers=owner)
            assert response.status_code == 404, (method, url)
    assert db_client.get("/v1/agreements", headers=stranger).json() == {
        "items": [],
        "next_cursor": None,
    }
    mine = db_client.get("/v1/agreements", headers=owner).json()["items"]
    assert [a["id"] for a in mine] == [agreement["id"]]
    after = db_client.get(f"/v1/agreements/{agreement['id']}", headers=owner).json()
    assert (after["status"], after["version"]) == ("active", agreement["version"])


def test_idempotency_keys_are_per_tenant(db_client, make_tenant):
    first, second = make_tenant(), make_tenant()
    headers = {"Idempotency-Key": "same-key"}
    a = db_client.post("/v1/agreements", json=create_body(), headers={**first, **headers})
    b = db_client.post("/v1/agreements", json=create_body(), headers={**second, **headers})
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["id"] != b.json()["id"]


def test_no_plaintext_key_or_secret_is_stored(db_client, database):
    key = new_key(database, "t-scan")
    key_id, secret = key.split(".")
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "scan"}
    assert db_client.post("/v1/agreements", json=create_body(), headers=headers).status_code == 201
    with database.transaction() as session:
        tables = inspect(session.get_bind()).get_table_names()
        text_of_every_row = " ".join(
            str(value)
            for table in tables
            for row in session.execute(text(f'SELECT * FROM "{table}"'))
            for value in row
        )
    assert key_id in text_of_every_row  # the public id is stored (and is the audit actor)
    assert secret not in text_of_every_row
    assert key not in text_of_every_row
    assert hashlib.sha256(secret.encode()).hexdigest() in text_of_every_row


def test_calculations_need_a_key_only_when_configured(database, auth, monkeypatch):
    from fastapi.testclient import TestClient

    from app.settings import get_settings
    from tests.database import make_app

    loan = {"principal": "12000.00", "term_months": 5, "start_date": "2026-01-15",
            "daily_rate": "0.0005"}  # fmt: skip
    open_client = TestClient(make_app(database))
    assert open_client.post("/v1/schedules", json=loan).status_code == 200
    monkeypatch.setenv("REQUIRE_API_KEY_FOR_CALCULATIONS", "true")
    get_settings.cache_clear()
    try:
        guarded = TestClient(make_app(database))
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    refused = guarded.post("/v1/schedules", json=loan)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    # every calculation route, whichever way it reads its body (app/api/json_body.py), and a
    # body that is not JSON too: the key comes first (SPEC §8)
    for path in ("/v1/positions", "/v1/restructuring/options", "/v1/apr", "/v1/accruals"):
        assert guarded.post(path, json={}).status_code == 401, path
    json_type = {"content-type": "application/json"}
    assert guarded.post("/v1/schedules", content=b"{", headers=json_type).status_code == 401
    assert open_client.post("/v1/schedules", content=b"{", headers=json_type).status_code == 400
    assert guarded.post("/v1/schedules", json=loan, headers=auth).status_code == 200
    assert guarded.get("/livez").status_code == 200


def test_a_request_checks_its_key_once(db_client, auth, monkeypatch):
    """The key is checked before the body (deps.key_first) and that principal is the route's:
    one lookup a request, not one for the check and one for the dependency."""
    from app.api import deps

    looked_up: list[str | None] = []
    authenticate = deps.authenticate

    def counted(session, *, token):
        looked_up.append(token)
        return authenticate(session, token=token)

    monkeypatch.setattr(deps, "authenticate", counted)
    assert db_client.get("/v1/agreements", headers=auth).status_code == 200
    assert db_client.post("/v1/agreements", json=create_body(), headers=auth).status_code == 201
    assert len(looked_up) == 2
