"""Property-based fuzzing of every operation in openapi/openapi.json (SPEC §8: never a 5xx).

schemathesis generates valid and invalid requests from the committed document; they go to the
ASGI app in process and must pass: no 5xx, only documented status codes, the documented content
type, and bodies matching the documented schemas. Examples are bounded and derandomized so the
run is short and a failure reproduces; FUZZ_EXAMPLES=600 FUZZ_RANDOM=1 searches deeper.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import DataGenerationMethod
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from app.persistence.db import Database
from tests.database import make_app, new_key

OPENAPI = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))
RANDOM = os.environ.get("FUZZ_RANDOM") == "1"  # a fresh seed each run instead of a fixed one
CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
)


@schemathesis.serializer("application/x-ndjson")
class NdjsonSerializer:
    """POST /v1/positions/batch takes NDJSON lines: a generated body is sent as its text."""

    def as_requests(self, context, value):  # type: ignore[no-untyped-def]
        return {"data": value if isinstance(value, bytes) else str(value).encode("utf-8")}

    def as_werkzeug(self, context, value):  # type: ignore[no-untyped-def]
        return self.as_requests(context, value)


# FastAPI writes OpenAPI 3.1; schemathesis 3.x reads it behind this flag
schemathesis.experimental.OPEN_API_3_1.enable()
schema = schemathesis.from_dict(
    json.loads(OPENAPI.read_text(encoding="utf-8")),
    data_generation_methods=[DataGenerationMethod.positive, DataGenerationMethod.negative],
)


@pytest.fixture(scope="module")
def app_client(database: Database) -> Iterator[TestClient]:
    """One client (and one lifespan) for every example, holding a valid API key: the fuzzer
    then reaches validation and the services instead of stopping at 401. (schemathesis' own
    ASGI transport would start the app once per example and leak its streams.)"""
    with TestClient(make_app(database)) as client:
        client.headers["Authorization"] = f"Bearer {new_key(database, 'fuzz')}"
        yield client


def send(client: TestClient, case: schemathesis.Case):  # type: ignore[no-untyped-def]
    kwargs = case.as_transport_kwargs(base_url=str(client.base_url))
    for name in ("Authorization", "authorization"):  # the client's valid key instead
        kwargs["headers"].pop(name, None)
    if "data" in kwargs:  # raw bytes, for media types without a JSON serializer
        kwargs["content"] = kwargs.pop("data")
    if not kwargs.get("cookies"):
        kwargs.pop("cookies", None)
    # generated header values are latin-1, as `requests` would send them; httpx wants bytes then
    kwargs["headers"] = {
        name: value.encode("latin-1") if isinstance(value, str) else value
        for name, value in (kwargs.get("headers") or {}).items()
    }
    return client.request(**kwargs)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_conforms_to_the_document(case, app_client):
    response = send(app_client, case)
    case.validate_response(response, checks=CHECKS)
