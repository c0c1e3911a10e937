"""Operations (SPEC §8–9): liveness, metrics, request ids, access log, body limit."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.api.json_logging import JsonFormatter
from app.main import create_app
from app.settings import Settings
from tests.live_server import live_server

MIB = 1024 * 1024
OVERSIZED = b'{"principal": "' + b"1" * (MIB + MIB // 10) + b'"}'  # 1.1 MiB of valid JSON
LOAN = {
    "principal": "12000.00",
    "term_months": 5,
    "start_date": "2026-01-15",
    "daily_rate": "0.0005",
}


@pytest.fixture
def fresh_client() -> TestClient:
    return TestClient(create_app())


@pytest.mark.parametrize("path", ["/livez", "/healthz"])
def test_liveness_answers_ok(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_operational_routes_stay_out_of_the_openapi(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert not {"/livez", "/healthz", "/metrics"} & set(paths)


def test_the_production_app_has_no_benchmark_routes(client):
    """issue 13: the reference for `make bench` is ../shared/bench/bare_app.py, not a route."""
    assert client.post("/echo", content=b'{"a": 1}').status_code == 404


def test_a_valid_request_id_is_echoed(client):
    response = client.get("/livez", headers={"X-Request-ID": "abc-123.XYZ_9"})
    assert response.headers["x-request-id"] == "abc-123.XYZ_9"


@pytest.mark.parametrize("sent", [None, "", "has space", "x" * 129, "semi;colon", "ü"])
def test_a_missing_or_invalid_request_id_is_replaced_by_a_uuid(client, sent):
    headers = {} if sent is None else {"X-Request-ID": sent.encode()}
    response = client.get("/livez", headers=headers)
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_error_responses_carry_a_request_id_too(client):
    headers = {"X-Request-ID": "r-1", "Content-Type": "application/json"}
    response = client.post("/v1/schedules", content=b"{", headers=headers)
    assert response.status_code == 400
    assert response.headers["x-request-id"] == "r-1"
    assert client.get("/nowhere").headers["x-request-id"]


def test_malformed_json_is_400_problem(client):
    response = client.post(
        "/v1/schedules", content=b'{"principal": "1', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 400


def test_body_over_one_mib_with_content_length_is_413_problem(client):
    response = client.post(
        "/v1/schedules", content=OVERSIZED, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 413
    assert problem["title"] == "Content Too Large"


def test_a_refused_body_is_counted_before_routing(fresh_client):
    fresh_client.post("/v1/schedules", content=OVERSIZED)
    metrics = fresh_client.get("/metrics").text
    assert 'http_requests_total{method="POST",route="unmatched",status="413"} 1.0' in metrics


def test_body_of_exactly_one_mib_is_parsed(client):
    body = b'{"principal": "' + b"1" * (MIB - 17) + b'"}'
    assert len(body) == MIB
    response = client.post(
        "/v1/schedules", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422


async def _call_chunked(app, chunks: list[bytes]) -> tuple[int, bytes, bool]:
    """Drive the ASGI app with a chunked body and no Content-Length; note if it read it all."""
    pending = list(chunks)
    sent: list[dict] = []

    async def receive():
        body = pending.pop(0)
        return {"type": "http.request", "body": body, "more_body": bool(pending)}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/schedules",
        "raw_path": b"",
        "root_path": "",
        "query_string": b"",
        "server": ("test", 80),
        "headers": [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")],
    }
    await app(scope, receive, send)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body, not pending


@pytest.mark.anyio
async def test_chunked_body_under_the_limit_reaches_the_route():
    loan = json.dumps(LOAN).encode()
    status, body, _ = await _call_chunked(create_app(), [loan[:10], loan[10:]])
    assert status == 200
    assert json.loads(body)["installments"]


def test_live_server_refuses_oversized_bodies_with_and_without_content_length():
    def chunks():
        for _ in range(18):
            yield b"1" * (64 * 1024)

    with live_server() as base_url, httpx.Client(base_url=base_url, timeout=10) as http:
        sized = http.post("/v1/schedules", content=OVERSIZED)
        streamed = http.post("/v1/schedules", content=chunks())
        fine = http.post("/v1/schedules", json=LOAN)
    assert sized.status_code == 413
    assert streamed.status_code == 413
    assert streamed.headers["content-type"] == "application/problem+json"
    assert fine.status_code == 200


def test_metrics_are_labelled_by_route_template(fresh_client):
    fresh_client.post("/v1/schedules", json=LOAN)
    fresh_client.get("/v1/nothing/here?principal=12000")
    response = fresh_client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'http_requests_total{method="POST",route="/v1/schedules",status="200"} 1.0' in text
    assert (
        'http_request_duration_seconds_bucket{le="0.001",method="POST",route="/v1/schedules"'
        in text
    )
    assert 'route="unmatched"' in text
    assert "/v1/nothing" not in text
    assert "12000" not in text


def test_metrics_use_the_template_not_the_raw_path(fresh_client):
    app = fresh_client.app
    router = APIRouter()

    @router.get("/v1/things/{thing_id}")
    def read_thing(thing_id: int) -> dict[str, int]:
        return {"id": thing_id}

    app.include_router(router)
    fresh_client.get("/v1/things/42")
    text = fresh_client.get("/metrics").text
    assert 'route="/v1/things/{thing_id}"' in text
    assert "/v1/things/42" not in text


def test_each_app_has_its_own_metrics():
    first, second = TestClient(create_app()), TestClient(create_app())
    first.get("/livez")
    assert 'route="/livez"' in first.get("/metrics").text
    assert 'route="/livez"' not in second.get("/metrics").text


def test_one_json_log_line_per_request_without_body_or_query(fresh_client):
    stream = io.StringIO()
    fresh_client.app.state.access_log.stream = stream
    fresh_client.post(
        "/v1/schedules?borrower=Zhang%20San", json=LOAN, headers={"X-Request-ID": "log-test-1"}
    )
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert line["request_id"] == "log-test-1"
    assert line["logger"] == "app.access"
    assert line["route"] == "/v1/schedules"
    assert line["method"] == "POST"
    assert line["status"] == 200
    assert line["level"] == "INFO"
    assert line["duration_ms"] >= 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])
    assert "Zhang" not in lines[0]
    assert "12000" not in lines[0]


def test_the_access_line_follows_the_log_level(fresh_client):
    stream = io.StringIO()
    fresh_client.app.state.access_log.stream = stream
    logger = logging.getLogger("app.access")
    logger.setLevel(logging.WARNING)
    try:
        fresh_client.get("/livez")
    finally:
        logger.setLevel(logging.NOTSET)
    assert stream.getvalue() == ""


def test_log_level_is_case_insensitive(monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "warning")
    assert Settings().log_level == "WARNING"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LOG_LEVEL", "verbose"),
        ("MAX_BODY_BYTES", "0"),
        ("HEADER_TIMEOUT_SECONDS", "0"),
        ("BODY_TIMEOUT_SECONDS", "-1"),
        ("MAX_CONNECTIONS", "0"),
    ],
)
def test_unsafe_settings_stop_the_service_at_start_up(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()


def test_an_unexpected_error_is_a_500_problem_with_the_request_id():
    app = create_app()
    router = APIRouter()

    @router.get("/v1/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    app.include_router(router)
    client = TestClient(app, raise_server_exceptions=False)
    response = client.get("/v1/boom", headers={"X-Request-ID": "boom-1"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == "boom-1"
    assert "a bug" not in response.text
    metrics = client.get("/metrics").text
    assert 'http_requests_total{method="GET",route="/v1/boom",status="500"} 1.0' in metrics


def test_server_logs_and_tracebacks_are_single_json_lines():
    create_app()
    (handler,) = logging.getLogger("uvicorn").handlers
    assert isinstance(handler.formatter, JsonFormatter)
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        record = logging.getLogger("uvicorn.error").makeRecord(
            "uvicorn.error",
            logging.ERROR,
            __file__,
            1,
            "Exception in ASGI application",
            (),
            sys.exc_info(),
        )
    line = handler.formatter.format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["level"] == "ERROR"
    assert "RuntimeError: a bug" in parsed["exception"]


def test_the_access_line_reaches_the_process_stderr():
    """In a server the line goes to file descriptor 2 in one write, past the text layer."""
    import subprocess

    code = (
        "from app.api.json_logging import AccessLog; "
        "AccessLog().write('r-1', '/livez', 'GET', 200, 0.0012)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    (line,) = completed.stderr.splitlines()
    assert json.loads(line) | {"time": None} == {
        "time": None,
        "level": "INFO",
        "logger": "app.access",
        "message": "request",
        "request_id": "r-1",
        "route": "/livez",
        "method": "GET",
        "status": 200,
        "duration_ms": 1.2,
    }
