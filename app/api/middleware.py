"""The request path's one middleware (SPEC §8–9): request id, metrics, access log, body limit.

`RequestMiddleware` is a plain ASGI callable (no BaseHTTPMiddleware: no extra task, no
request object) and does everything in one layer with one pass over the headers, because every
layer and every per-request allocation shows on `/livez` (SPEC §11: at least 0.8× a bare app's
`/hello`). What each part costs in process is in bench/RESULTS.md ("request path").

- X-Request-ID: the caller's when it is short and harmless, else a fresh 32-hex id (a random
  per-process prefix and a counter: unique like a uuid4, without a urandom call a request);
- metrics: plain counters on the event loop, turned into Prometheus families when scraped;
- the access line: `json_logging.AccessLog`, orjson straight to the log stream;
- body limit: a declared Content-Length over MAX_BODY_BYTES is a 413 before any reading; a
  chunked body (no Content-Length) is read and counted first, then replayed. A declared length
  is binding (the HTTP parser reads no more than it), so those bodies pass through untouched.
  A refused body's rest is drained (bounded) before the close: the client reads the 413.
- an unexpected error: logged here with its request id (uvicorn would log it after the request
  id is gone) and answered with a problem+json 500, not re-raised.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import secrets
import time
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.json_logging import AccessLog, request_id_var
from app.api.problems import problem

REQUEST_ID_HEADER = b"x-request-id"
# an incoming id is echoed only when it is short and harmless in a log line or a header
_VALID_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._-]{1,128}$")
# the label of a request no route took (404, or 413 refused before routing): never the raw
# path, whose values are unbounded
UNMATCHED_ROUTE = "unmatched"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_errors = logging.getLogger("app.errors")


class HttpMetrics:
    """Request count and latency per route template, method and status.

    `observe` runs on the event loop only, so the series are plain lists (no prometheus_client
    child lookup and lock a request); `collect` renders them when /metrics is scraped. Each app
    has its own registry, so tests that build many apps never collide.
    """

    def __init__(self) -> None:
        # (route, method, status) -> [count, sum of seconds, count per bucket (last: +Inf)]
        self._series: dict[tuple[str, str, int], list[Any]] = {}
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(self)

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        series = self._series.get((route, method, status))
        if series is None:
            series = self._series[(route, method, status)] = [
                0,
                0.0,
                [0] * (len(LATENCY_BUCKETS) + 1),
            ]
        series[0] += 1
        series[1] += seconds
        series[2][bisect_left(LATENCY_BUCKETS, seconds)] += 1

    def collect(self) -> Iterator[Metric]:
        labels = ["route", "method", "status"]
        requests = CounterMetricFamily("http_requests", "HTTP requests handled", labels=labels)
        latency = HistogramMetricFamily(
            "http_request_duration_seconds",
            "Time from the request's arrival to the end of its response",
            labels=labels,
        )
        for (route, method, status), (count, total, buckets) in list(self._series.items()):
            values = [route, method, str(status)]
            requests.add_metric(values, count)
            cumulative = list(itertools.accumulate(buckets))
            bounds = [*(str(b) for b in LATENCY_BUCKETS), "+Inf"]
            latency.add_metric(values, list(zip(bounds, cumulative, strict=True)), total)
        yield requests
        yield latency


def route_template(scope: Scope) -> str:
    """The matched route's path template (/v1/agreements/{id}); set by the router in scope."""
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return template if isinstance(template, str) else UNMATCHED_ROUTE


class RequestIds:
    """Fresh request ids: 20 random hex digits fixed per process, then a 12-digit counter."""

    def __init__(self) -> None:
        self._prefix = secrets.token_hex(10)
        self._counter = itertools.count()

    def next(self) -> str:
        return f"{self._prefix}{next(self._counter) & 0xFFFFFFFFFFFF:012x}"


# what a refused body may still send before the connection closes (see RequestMiddleware._refuse)
DRAIN_BYTES = 4 * 1024 * 1024
DRAIN_SECONDS = 5.0


class BodyTooLarge(Exception):
    """The request body passed the configured limit."""


# Routes that read their body as a stream and bound it themselves: POST /v1/positions/batch
# takes up to 100,000 NDJSON lines, each at most the body limit (SPEC §12)
STREAMED_PATHS = frozenset({"/v1/positions/batch"})


class RequestMiddleware:
    """X-Request-ID, metrics, the access line and the body limit of each request (module doc)."""

    def __init__(
        self, app: ASGIApp, metrics: HttpMetrics, access_log: AccessLog, max_body_bytes: int
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.access_log = access_log
        self.max_body_bytes = max_body_bytes
        self.ids = RequestIds()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = declared = None
        chunked = False
        for name, value in scope["headers"]:
            if name == REQUEST_ID_HEADER:
                if _VALID_REQUEST_ID.fullmatch(value):
                    request_id = value.decode("ascii")
            elif name == b"content-length":
                declared = value
            elif name == b"transfer-encoding":
                chunked = True
        if request_id is None:
            request_id = self.ids.next()
        token = request_id_var.set(request_id)
        header = (REQUEST_ID_HEADER, request_id.encode("ascii"))
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            if scope["path"] in STREAMED_PATHS:
                await self.app(scope, receive, send_with_id)
            elif declared is not None and (
                not declared.isdigit() or int(declared) > self.max_body_bytes
            ):
                await self._refuse(scope, receive, send_with_id)
            elif chunked and declared is None:
                await self._chunked(scope, receive, send_with_id)
            else:
                await self.app(scope, receive, send_with_id)
        except Exception:
            # logged while the request id is set; not re-raised, or uvicorn would log it again
            # without one. The client gets a problem+json that quotes the id.
            _errors.exception("unexpected error", extra={"route": route_template(scope)})
            if not response_started:
                response = problem(500, "internal error; quote the X-Request-ID when reporting")
                await response(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope)
            self.metrics.observe(route, scope["method"], status, seconds)
            if self.access_log.enabled():
                self.access_log.write(request_id, route, scope["method"], status, seconds)
            request_id_var.reset(token)

    async def _chunked(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A body without Content-Length: read and counted before the app sees any of it
        (bounded by the limit, so buffering costs at most that much memory), then replayed."""
        try:
            messages = await self._read_body(receive)
        except BodyTooLarge:
            await self._refuse(scope, receive, send)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _read_body(self, receive: Receive) -> list[Message]:
        messages: list[Message] = []
        received = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return messages  # http.disconnect: let the app see it
            received += len(message.get("body", b""))
            if received > self.max_body_bytes:
                raise BodyTooLarge
            if not message.get("more_body", False):
                return messages

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        """413, then read and drop what the client is still sending (bounded) before the close.

        Closing while the client still sends makes it see a reset or a broken pipe instead of
        the answer (and unread bytes turn the close into an RST that discards the answer on
        the client's side too). So the answer's bytes go out first, the rest of the body is
        drained up to DRAIN_BYTES or DRAIN_SECONDS, and only then does the response end with
        `Connection: close` (the connection is not reused: a body cut short would be taken
        as the next request).
        """
        response = problem(
            413,
            f"the body is larger than {self.max_body_bytes} bytes",
            headers={"Connection": "close"},
        )

        async def send_then_drain(message: Message) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                await send({**message, "more_body": True})
                await drain(receive)
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await response(scope, receive, send_then_drain)


async def drain(receive: Receive) -> None:
    """Read and drop the rest of a refused body: until it ends or the client leaves, at most
    DRAIN_BYTES or DRAIN_SECONDS (a client sending more or slower gets the close)."""
    received = 0
    try:
        async with asyncio.timeout(DRAIN_SECONDS):
            while received <= DRAIN_BYTES:
                message = await receive()
                if message["type"] != "http.request" or not message.get("more_body", False):
                    return
                received += len(message.get("body", b""))
    except TimeoutError:
        return


def install(app: Any, *, max_body_bytes: int) -> HttpMetrics:
    """Add the middleware to `app` and return its metrics (also on app.state)."""
    metrics = HttpMetrics()
    access_log = AccessLog()
    app.add_middleware(
        RequestMiddleware, metrics=metrics, access_log=access_log, max_body_bytes=max_body_bytes
    )
    app.state.metrics = metrics
    app.state.access_log = access_log
    return metrics
