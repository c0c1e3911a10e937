"""In-process timings for `make bench`: the request path piece by piece, the calculation routes'
stages, and each route called straight through ASGI (no sockets, no HTTP parsing).

Each table is a dict of name -> zero-argument call; `in_process_tables` times them. The calls
are separate from the timing so that a test can run each once (tests/bench).
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

Calls = dict[str, Callable[[], Any]]
ROUTE_REPEAT = 20  # requests per timed call of a route (one event-loop entry for all of them)


class _DevNull:
    """Where the access lines go while timing: a real write system call, like a log file's,
    that keeps nothing (a raw descriptor: open for the life of the process, no warning)."""

    fd = os.open(os.devnull, os.O_WRONLY)

    def write(self, text: str) -> int:
        return os.write(self.fd, text.encode())


DEVNULL = _DevNull()


async def asgi_call(app: Any, method: str, path: str, body: bytes = b"") -> int:
    """One request straight into an ASGI app; its status."""
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    headers = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json")]
    if body:
        headers.append((b"content-length", str(len(body)).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 1),
    }
    await app(scope, receive, send)
    return status


def route_call(
    loop: asyncio.AbstractEventLoop, app: Any, method: str, path: str, body: bytes = b""
) -> Callable[[], list[int]]:
    """ROUTE_REPEAT requests in one go; their statuses."""

    async def repeat() -> list[int]:
        return [await asgi_call(app, method, path, body) for _ in range(ROUTE_REPEAT)]

    return lambda: loop.run_until_complete(repeat())


def bare_app(bodies: Path) -> Any:
    spec = importlib.util.spec_from_file_location("bare_app", bodies / "bare_app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.app


def request_path_calls(loop: asyncio.AbstractEventLoop, bodies: Path) -> Calls:
    """GET /livez through the app with and without its middleware, the bare app's /hello, and
    each part of RequestMiddleware alone."""
    from app.api.json_logging import AccessLog
    from app.api.middleware import HttpMetrics, RequestIds, RequestMiddleware
    from app.main import create_app

    devnull = DEVNULL
    app = create_app()
    app.state.access_log.stream = devnull
    without = create_app()
    without.user_middleware.clear()
    without.middleware_stack = None

    async def answer(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    wrapped = RequestMiddleware(answer, HttpMetrics(), AccessLog(devnull), 1024 * 1024)
    ids, metrics, access = RequestIds(), HttpMetrics(), AccessLog(devnull)

    def deadline() -> None:  # what app/server.py adds to a request that arrives in pieces
        loop.call_later(10, _nothing).cancel()

    return {
        "GET /livez, the whole app (per request)": route_call(loop, app, "GET", "/livez"),
        "GET /livez, the app without RequestMiddleware": route_call(loop, without, "GET", "/livez"),
        "GET /hello, the bare reference app": route_call(loop, bare_app(bodies), "GET", "/hello"),
        "RequestMiddleware around an app that only answers": route_call(loop, wrapped, "GET", "/"),
        "that app alone": route_call(loop, answer, "GET", "/"),
        "part: a fresh request id": ids.next,
        "part: metrics, one observation": lambda: metrics.observe("/livez", "GET", 200, 0.0004),
        "part: the access line (to /dev/null)": lambda: access.write(
            "0123456789abcdef0123456789abcdef", "/livez", "GET", 200, 0.0004
        ),
        "part: a slow-peer deadline set and cancelled (requests in pieces only)": deadline,
    }


def _nothing() -> None:
    pass


def stage_calls(bodies: Path) -> Calls:
    """The stages of each calculation route on the reference bodies: validate, compute, write."""
    from app.api.responses import json_document
    from app.api.schemas.positions import PositionRequest, position_document
    from app.api.schemas.restructuring import OptionsRequest, options_body
    from app.api.schemas.schedules import ScheduleRequest, schedule_body
    from app.engine.position import position_as_of
    from app.engine.restructuring import restructuring_options
    from app.engine.schedule import build_schedule

    calls: Calls = {}
    for label, name in (("12", "sched12.json"), ("360", "sched360.json")):
        raw = (bodies / name).read_bytes()
        schedule = build_schedule(ScheduleRequest.model_validate_json(raw).to_terms())
        calls |= {
            f"/v1/schedules ({label}): validate the body": (
                lambda raw=raw: ScheduleRequest.model_validate_json(raw)
            ),
            f"/v1/schedules ({label}): build_schedule": (
                lambda t=schedule.terms: build_schedule(t)
            ),
            f"/v1/schedules ({label}): write the response": (
                lambda s=schedule: json_document(schedule_body(s))
            ),
        }
    raw = (bodies / "pos.json").read_bytes()
    asked = PositionRequest.model_validate_json(raw)

    def position() -> Any:
        return position_as_of(
            asked.contract(),
            asked.engine_payments(),
            asked.as_of,
            penalty=asked.penalty.to_engine(),
            allocation=asked.allocation.to_engine(),
        )

    calls |= {
        "/v1/positions: validate the body": lambda: PositionRequest.model_validate_json(raw),
        "/v1/positions: position_as_of (with the loan's schedule)": position,
        "/v1/positions: write the response": (
            lambda p=position(): json_document(position_document(p))
        ),
    }
    raw_options = (bodies / "opt.json").read_bytes()
    options = OptionsRequest.model_validate_json(raw_options)
    result = restructuring_options(options.to_engine())
    calls |= {
        "/v1/restructuring/options: validate the body": (
            lambda: OptionsRequest.model_validate_json(raw_options)
        ),
        "/v1/restructuring/options: restructuring_options": (
            lambda: restructuring_options(options.to_engine())
        ),
        "/v1/restructuring/options: write the response": (
            lambda: json_document(options_body(result))
        ),
    }
    return calls


def route_calls(loop: asyncio.AbstractEventLoop, bodies: Path) -> Calls:
    """Each benchmarked route through the whole app."""
    from app.main import create_app

    app = create_app()
    app.state.access_log.stream = DEVNULL
    routes = (
        ("POST /v1/schedules (12)", "/v1/schedules", "sched12.json"),
        ("POST /v1/schedules (360)", "/v1/schedules", "sched360.json"),
        ("POST /v1/positions", "/v1/positions", "pos.json"),
        ("POST /v1/restructuring/options", "/v1/restructuring/options", "opt.json"),
    )
    return {
        label: route_call(loop, app, "POST", path, (bodies / name).read_bytes())
        for label, path, name in routes
    }


def in_process_tables(bodies: Path) -> dict[str, dict[str, float]]:
    """µs per call (per request for the routes), each table's calls timed in turns, round after
    round, the best round of each (compare.interleaved_us): a burst of load from anything else
    on the machine then hits the figures a table compares alike."""
    from bench.compare import interleaved_us

    os.environ["LOG_LEVEL"] = "INFO"  # the access line written, as in production (to /dev/null)
    import uvloop

    loop = uvloop.new_event_loop()
    try:
        tables = {
            "The request path in process (µs per request)": request_path_calls(loop, bodies),
            "Each route in process, the whole app (µs per request)": route_calls(loop, bodies),
            "Stages of the calculation routes (µs per call)": stage_calls(bodies),
        }
        return {
            title: {
                name: us / (ROUTE_REPEAT if _is_route(title, name) else 1)
                for name, us in interleaved_us(calls).items()
            }
            for title, calls in tables.items()
        }
    finally:
        loop.close()


def _is_route(title: str, name: str) -> bool:
    return "per request" in title and not name.startswith("part:")
