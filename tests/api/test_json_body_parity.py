"""JsonBodyRoute answers exactly as FastAPI's standard body handling does.

Two apps: the real one (calculation routes validate raw JSON in one pass) and one built with
that switched off (JsonBodyRoute finds no sole body model). Each calculation route's OpenAPI
example is sent to both, mutated field by field (removed, every JSON type, numbers for
strings, unknown fields, nested rows) and as whole-body oddities (arrays, invalid JSON, NaN,
deep nesting, lone surrogates, other content types). Status, content type and body must match
byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api.json_body import JsonBodyRoute
from app.api.routes import accruals, apr, positions, restructuring, schedules
from app.main import create_app

ROUTES = ("/v1/schedules", "/v1/apr", "/v1/accruals", "/v1/positions", "/v1/restructuring/options")
ODD_VALUES: list[Any] = [
    None,
    0,
    -1,
    1.5,
    12.0,
    1e2,
    10**30,
    True,
    "",
    "x",
    "12",
    "1e5",
    "NaN",
    "-0",
    "０.５",
    "2026-02-30",
    [],
    {},
    [{}],
]
ODD_BODIES: list[bytes] = [
    b"[]",
    b"null",
    b'"text"',
    b"12",
    b"{}",
    b"{",
    b'{"principal": NaN}',
    b'{"principal": Infinity}',
    b"[" * 300 + b"]" * 300,
    b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    b'{"principal": "\\ud800"}',
    b'{"principal": "1", "principal": "2"}',
    b"\xef\xbb\xbf{}",
    b"{} trailing",
    b"   ",
    b"\xff\xfe",
]
CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    "application/merge-patch+json",
    "text/plain",
    None,
]


@pytest.fixture(scope="module")
def clients() -> Iterator[tuple[TestClient, TestClient]]:
    fast = TestClient(create_app())
    with pytest.MonkeyPatch.context() as patch:
        # the same app with every calculation route on FastAPI's standard path: create_app adds
        # the routers' own route objects, whose handlers are built once, so the standard app
        # includes the routers instead (FastAPI builds an included route's handler anew,
        # here on its first request, when JsonBodyRoute finds no sole body model)
        patch.setattr(JsonBodyRoute, "_sole_body_model", lambda self: None)
        app = create_app()
        calculation = {path for path in ROUTES}
        app.router.routes[:] = [
            r for r in app.router.routes if getattr(r, "path", None) not in calculation
        ]
        for module in (schedules, positions, restructuring, apr, accruals):
            app.include_router(module.router)
        standard = TestClient(app)
        for path in ROUTES:
            standard.post(path, json=_example(fast, path))
        yield fast, standard


def _example(client: TestClient, path: str) -> dict[str, Any]:
    schema = client.app.openapi()["paths"][path]["post"]["requestBody"]["content"]
    ref = schema["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    return client.app.openapi()["components"]["schemas"][ref]["examples"][0]


def _mutations(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The body with each field removed or replaced by each odd value, one level down too."""
    yield body
    yield {**body, "unknown_field": "1"}
    for name, value in body.items():
        yield {k: v for k, v in body.items() if k != name}
        for odd in ODD_VALUES:
            yield {**body, name: odd}
        if isinstance(value, dict):
            for inner in _mutations(value):
                yield {**body, name: inner}
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for inner in _mutations(value[0]):
                yield {**body, name: [inner, *value[1:]]}


def _answer(client: TestClient, path: str, body: bytes, content_type: str | None) -> tuple:
    headers = {"content-type": content_type} if content_type else {}
    response = client.post(path, content=body, headers=headers)
    assert response.status_code < 500, (path, body[:200], response.text)
    return response.status_code, response.headers.get("content-type"), response.content


@pytest.mark.parametrize("path", ROUTES)
def test_mutated_bodies_get_the_same_answer(clients: tuple, path: str) -> None:
    fast, standard = clients
    bodies = [json.dumps(m).encode() for m in _mutations(_example(fast, path))]
    assert len(bodies) > 40
    statuses = set()
    for body in bodies:
        answer = _answer(fast, path, body, "application/json")
        assert answer == _answer(standard, path, body, "application/json"), body
        statuses.add(answer[0])
    assert {200, 422} <= statuses  # the mutations reach both outcomes


@pytest.mark.parametrize("path", ROUTES)
def test_odd_bodies_and_content_types_get_the_same_answer(clients: tuple, path: str) -> None:
    fast, standard = clients
    example = json.dumps(_example(fast, path)).encode()
    cases = [(body, "application/json") for body in ODD_BODIES]
    cases += [(example, content_type) for content_type in CONTENT_TYPES]
    cases += [(b"", "application/json")]
    for body, content_type in cases:
        answer = _answer(fast, path, body, content_type)
        assert answer == _answer(standard, path, body, content_type), (body[:60], content_type)


def test_the_fast_path_validates_the_raw_body_once(
    clients: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Guards the comparison above: the real app does take the one-pass path."""
    from app.api.schemas.schedules import ScheduleRequest

    fast, standard = clients
    calls: list[bytes] = []
    one_pass = ScheduleRequest.model_validate_json

    def counted(data: bytes, **kwargs: Any) -> ScheduleRequest:
        calls.append(data)
        return one_pass(data, **kwargs)

    monkeypatch.setattr(ScheduleRequest, "model_validate_json", counted)
    body = json.dumps(_example(fast, "/v1/schedules")).encode()
    headers = {"content-type": "application/json"}
    assert fast.post("/v1/schedules", content=body, headers=headers).status_code == 200
    assert calls == [body]
    assert standard.post("/v1/schedules", content=body, headers=headers).status_code == 200
    assert calls == [body]  # the standard path parses with json.loads and validates the dict
