"""Contract tests (SPEC §9, STYLE §6): openapi/openapi.json is current, and every request
schema's example works when POSTed to its path."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import pytest

from app.main import create_app
from app.openapi import openapi_text

OPENAPI_FILE = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


def test_openapi_json_is_current():
    """`make openapi` writes `python -m app.openapi` (print adds the final newline)."""
    expected = openapi_text() + "\n"
    stored = OPENAPI_FILE.read_text(encoding="utf-8")
    if stored != expected:
        diff = "".join(
            difflib.unified_diff(
                stored.splitlines(keepends=True),
                expected.splitlines(keepends=True),
                "openapi/openapi.json",
                "python -m app.openapi",
                n=1,
            )
        )
        pytest.fail(
            "openapi/openapi.json is stale: run `make openapi` and commit it.\n" + diff[:3000],
            pytrace=False,
        )


def _document() -> dict[str, Any]:
    return create_app().openapi()


def _request_examples() -> list[Any]:
    """(path, schema name, example) for each JSON request body with a named schema."""
    document = _document()
    schemas = document["components"]["schemas"]
    found = []
    for path, operations in document["paths"].items():
        operation = operations.get("post")
        if operation is None:
            continue
        content = operation.get("requestBody", {}).get("content", {})
        ref = content.get("application/json", {}).get("schema", {}).get("$ref")
        if ref is None:
            continue
        name = ref.rsplit("/", 1)[-1]
        stateless = "security" not in operation and "{" not in path
        for index, example in enumerate(schemas[name].get("examples", [None])):
            found.append(pytest.param(path, name, example, stateless, id=f"{name}-{index}"))
    return found


REQUEST_EXAMPLES = _request_examples()
# Agreements need an API key and a stored agreement: their own tests exercise those examples.
STATELESS_EXAMPLES = [p for p in REQUEST_EXAMPLES if p.values[3] and p.values[2] is not None]


def test_the_calculation_endpoints_publish_request_examples():
    names = {param.values[1] for param in REQUEST_EXAMPLES}
    assert {"ScheduleRequest", "AprRequest", "AccrualRequest"} <= names


@pytest.mark.parametrize(("path", "name", "example", "stateless"), REQUEST_EXAMPLES)
def test_every_request_schema_carries_an_example(path, name, example, stateless):
    assert example is not None, f"{name} (POST {path}) has no example in the OpenAPI document"


@pytest.mark.parametrize(("path", "name", "example", "stateless"), STATELESS_EXAMPLES)
def test_each_stateless_request_example_is_answered_200(client, path, name, example, stateless):
    """Every open, stateless endpoint answers the example its schema publishes with 200."""
    response = client.post(path, json=example)
    assert response.status_code == 200, f"POST {path} with the {name} example: {response.text}"
    assert response.headers["content-type"] == "application/json"
