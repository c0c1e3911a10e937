"""Pure ASGI middleware (SPEC §8–9): request id, access log, metrics, body limit.

Order, outermost first:

    RequestContextMiddleware   X-Request-ID, one JSON log line, Prometheus metrics, 500 as problem
    BodyLimitMiddleware        413 before any parsing, with or without Content-Length
    (FastAPI: exception handlers, router)

Both are plain ASGI callables, not BaseHTTPMiddleware: no extra task per request, and a
streamed body is counted chunk by chunk rather than trusted from its Content-Length.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.problems import problem

REQUEST_ID_HEADER = b"x-request-id"
# an incoming id is echoed only when it is short and harmless in a log line or a header
_VALID_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._-]{1,128}$")
# the label of a request no route took (404, or 413 refused before routing): never the raw
# path, whose values are unbounded
UNMATCHED_ROUTE = "unmatched"

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
access_log = logging.getLogger("app.access")


class HttpMetrics:
    """Request count and latency per route template, method and status, in one registry.

    Each app has its own CollectorRegistry, so tests that build many apps never collide.
    """

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        labels = ("route", "method", "status")
        self.requests = Counter(
            "http_requests", "HTTP requests handled", labels, registry=self.registry
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time from the request's arrival to the end of its response",
            labels,
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
        )

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        labels = (route, method, str(status))
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)


def route_template(scope: Scope) -> str:
    """The matched route's path template (/v1/agreements/{id}); set by the router in scope."""
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return template if isinstance(template, str) else UNMATCHED_ROUTE


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER and _VALID_REQUEST_ID.fullmatch(value):
            return bytes(value).decode("ascii")
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """X-Request-ID on every response, one access log line and the metrics of each request."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
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
            await self.app(scope, receive, send_with_id)
        except Exception:
            # the exception still propagates (the server logs its traceback); the client gets a
            # problem+json carrying its request id instead of a bare text 500
            if not response_started:
                response = problem(500, "internal error; quote the X-Request-ID when reporting")
                await response(scope, receive, send_with_id)
            raise
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope)
            self.metrics.observe(route, scope["method"], status, seconds)
            access_log.info(
                "request",
                extra={
                    "route": route,
                    "method": scope["method"],
                    "status": status,
                    "duration_ms": round(seconds * 1000, 3),
                },
            )
            request_id_var.reset(token)


class BodyTooLarge(Exception):
    """The request body passed the configured limit."""


# Routes that read their body as a stream and bound it themselves: POST /v1/positions/batch
# takes up to 100,000 NDJSON lines, each at most the body limit (SPEC §12)
STREAMED_PATHS = frozenset({"/v1/positions/batch"})


class BodyLimitMiddleware:
    """413 problem+json for a body over `max_body_bytes`, before the app sees any of it.

    A declared Content-Length over the limit is refused without reading; otherwise the body is
    read and counted chunk by chunk (chunked transfer has no Content-Length), then replayed to
    the app. Bodies are bounded by the limit, so buffering them costs at most that much memory.
    STREAMED_PATHS pass through unread.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in STREAMED_PATHS:
            await self.app(scope, receive, send)
            return
        if self._declared_length(scope) > self.max_body_bytes:
            await self._refuse(scope, receive, send)
            return
        try:
            messages = await self._read_body(receive)
        except BodyTooLarge:
            await self._refuse(scope, receive, send)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    @staticmethod
    def _declared_length(scope: Scope) -> int:
        for name, value in scope["headers"]:
            if name == b"content-length":
                return int(value) if value.isdigit() else 0
        return 0

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
        # the connection is not reused: the unread rest of the body would be taken as a request
        response = problem(
            413,
            f"the body is larger than {self.max_body_bytes} bytes",
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and the extras."""

    # record attributes that are not extras; uvicorn's color_message repeats the message
    _STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {
        "message",
        "asctime",
        "color_message",
    }

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id_var.get(),
        }
        line.update((k, v) for k, v in record.__dict__.items() if k not in self._STANDARD)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def configure_logging(level: str) -> None:
    """JSON lines on stderr for the `app` loggers and for uvicorn's own (start-up, errors with
    their traceback in one line); uvicorn's access log (raw paths with their query strings,
    which may carry borrower data) is replaced by ours."""
    handler = next(
        (h for h in logging.getLogger("app").handlers if isinstance(h.formatter, JsonFormatter)),
        None,
    )
    if handler is None:
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("app")
    logger.setLevel(level.upper())
    logger.propagate = False
    logger.handlers = [handler]
    server = logging.getLogger("uvicorn")  # uvicorn.error propagates here
    server.handlers = [handler]
    server.propagate = False
    logging.getLogger("uvicorn.access").disabled = True


def install(app: Any, *, max_body_bytes: int, log_level: str) -> HttpMetrics:
    """Add the middleware to `app` (last added runs first) and return its metrics."""
    configure_logging(log_level)
    metrics = HttpMetrics()
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=max_body_bytes)
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    app.state.metrics = metrics
    return metrics
