"""The case study as agreement requests (SPEC §10), shared by the agreement tests.

Plan figures (reinstallment-6, computed by the engine, checked independently in
tests/api/test_agreements.py): six payments of 880.81 due 2026-07-20 … 2026-12-20.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient

CASE_STUDY_OPTIONS_REQUEST: dict[str, Any] = {
    "loan": {
        "principal": "12000.00",
        "term_months": 5,
        "method": "equal_installment",
        "start_date": "2026-01-15",
        "daily_rate": "0.0005",
    },
    "payments": [
        {"date": "2026-02-15", "amount": "2509.07", "reference": "cs-1"},
        {"date": "2026-03-15", "amount": "2509.07", "reference": "cs-2"},
        {"date": "2026-04-15", "amount": "2509.07", "reference": "cs-3"},
    ],
    "as_of": "2026-06-20",
    "capacity": "900.00",
}
PLAN_DUE_DATES = [f"2026-{month:02d}-20" for month in range(7, 13)]


def create_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "loan_ref": "JB-2026-0001",
        "borrower_ref": "b-7f3a9c",
        "options_request": copy.deepcopy(CASE_STUDY_OPTIONS_REQUEST),
        "option_id": "reinstallment-6",
    }
    body.update(overrides)
    return body


def create(client: TestClient, auth: dict[str, str], **overrides: Any) -> dict[str, Any]:
    response = client.post("/v1/agreements", json=create_body(**overrides), headers=auth)
    assert response.status_code == 201, response.text
    return response.json()


def activate(client: TestClient, auth: dict[str, str], **overrides: Any) -> dict[str, Any]:
    """A case-study agreement taken to `active`."""
    agreement = create(client, auth, **overrides)
    url = f"/v1/agreements/{agreement['id']}"
    accept = {"channel": "app", "accepted_at": "2026-06-21T09:30:00+08:00"}
    assert client.post(f"{url}/accept", json=accept, headers=auth).status_code == 200
    response = client.post(f"{url}/activate", headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


def pay(
    client: TestClient, auth: dict[str, str], agreement_id: str, reference: str, date: str,
    amount: str,
) -> Any:  # fmt: skip
    body = {"reference": reference, "date": date, "amount": amount}
    return client.post(f"/v1/agreements/{agreement_id}/payments", json=body, headers=auth)
