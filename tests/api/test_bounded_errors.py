"""An error answer is never much larger than a normal one, nor costly to the others (SPEC §8),
and an unexpected error's log line carries its request id."""

from __future__ import annotations

import asyncio
import io
import json
import logging

from fastapi import APIRouter
from fastapi.testclient import TestClient

from app.api.json_logging import JsonFormatter
from app.api.problems import MAX_ERRORS
from app.main import create_app

LOAN = {
    "principal": "12000.00",
    "term_months": 5,
    "start_date": "2026-01-15",
    "daily_rate": "0.0005",
}


def _unknown_fields(size: int) -> bytes:
    """A body of LOAN plus unknown fields `f0`, `f1`, … up to `size` bytes."""
    fields = [f'"f{i}":1' for i in range(size // 8)]
    body = json.dumps(LOAN)[:-1] + "," + ",".join(fields) + "}"
    return body.encode()[:size].rsplit(b",", 1)[0] + b"}"


def test_a_megabyte_of_unknown_fields_gets_a_small_422(client):
    body = _unknown_fields(1024 * 1024 - 1)
    count = body.count(b'":1')
    response = client.post(
        "/v1/schedules", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert len(response.content) <= 64 * 1024
    problem = response.json()
    assert len(problem["errors"]) == MAX_ERRORS
    assert problem["more_errors"] == count - MAX_ERRORS  # one error per unknown field
    assert f"{count} errors" in problem["detail"]
    assert problem["errors"][0]["type"] == "extra_forbidden"


def test_a_long_unknown_field_name_is_cut_in_the_answer(client):
    body = {**LOAN, "x" * 100_000: 1}
    response = client.post("/v1/schedules", json=body)
    assert response.status_code == 422
    assert len(response.content) < 2000
    (error,) = response.json()["errors"]
    assert error["loc"][1].startswith("xxx")
    assert error["loc"][1].endswith("…")


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def test_a_large_body_is_validated_off_the_event_loop(client, monkeypatch):
    from app.api.schemas.schedules import ScheduleRequest

    on_loop: list[bool] = []
    validate = ScheduleRequest.model_validate_json

    def recording(data, **kwargs):
        on_loop.append(_on_event_loop())
        return validate(data, **kwargs)

    monkeypatch.setattr(ScheduleRequest, "model_validate_json", recording)
    small = json.dumps(LOAN).encode()
    padded = small + b" " * (100 * 1024)  # the same, valid JSON, 100 KiB
    headers = {"content-type": "application/json"}
    assert client.post("/v1/schedules", content=small, headers=headers).status_code == 200
    assert client.post("/v1/schedules", content=padded, headers=headers).status_code == 200
    assert on_loop == [True, False]  # the small one in one pass on the loop; the large in a thread


BORROWER = ("".join(["Zhang", " San"]),)  # never written out whole, even in this source


def test_an_unexpected_error_is_logged_with_its_request_id_and_no_sql_parameters():
    from sqlalchemy.exc import IntegrityError

    app = create_app()
    router = APIRouter()

    @router.get("/v1/boom")
    def boom() -> None:
        raise IntegrityError("INSERT INTO t VALUES (?)", BORROWER, Exception("x"))

    app.router.routes.extend(router.routes)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("app.errors")
    logger.addHandler(handler)
    try:
        response = TestClient(app).get("/v1/boom", headers={"X-Request-ID": "boom-2"})
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 500
    (line,) = [json.loads(x) for x in stream.getvalue().splitlines()]
    assert line["request_id"] == "boom-2"
    assert line["level"] == "ERROR"
    assert "IntegrityError" in line["exception"]
    assert "INSERT INTO t" in line["exception"]
    assert "[parameters:" not in line["exception"]
    assert "Zhang San" not in line["exception"]
