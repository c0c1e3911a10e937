"""JSON logs (SPEC §9): one object per line, each with the request id of the request it is about.

Two writers share stderr:

- `JsonFormatter` on the `app` and `uvicorn` loggers: start-up, warnings, errors with their
  traceback folded into the line;
- `AccessLog`: the one line per request. It bypasses the logging machinery (a LogRecord, a lock
  and a formatter cost ~35 µs a request, a third of a /livez) and writes a line it builds with
  orjson itself, with the same fields and the same level switch (`app.access` at INFO).
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

import orjson

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
ACCESS_LOGGER = "app.access"
# SQLAlchemy puts a statement's bound values in its exceptions' text; they may be a borrower's
# data, and SPEC §8 keeps SQL parameters out of the logs
_SQL_PARAMETERS = re.compile(r"^\[parameters: .*?(?=^\(Background on this error|\Z)", re.M | re.S)


def _utc_iso(created: float) -> str:
    return datetime.fromtimestamp(created, tz=UTC).isoformat(timespec="milliseconds")


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
            "time": _utc_iso(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id_var.get(),
        }
        line.update((k, v) for k, v in record.__dict__.items() if k not in self._STANDARD)
        if record.exc_info:
            line["exception"] = _SQL_PARAMETERS.sub("", self.formatException(record.exc_info))
        return orjson.dumps(line, default=str).decode()


class AccessLog:
    """The access line of each request, written straight to the log stream (module doc).

    Only the event loop calls `write` (the middleware runs there), so it needs no lock.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream  # None: sys.stderr as it is at each write (pytest swaps it)
        self._logger = logging.getLogger(ACCESS_LOGGER)
        # the process's own stderr takes the line's bytes in one write(2), without the text
        # layer (its line buffering flushes every other log line as it is written)
        self._real_stderr, self._fd = sys.__stderr__, -1
        try:
            self._fd = sys.__stderr__.fileno()  # type: ignore[union-attr]
        except (AttributeError, OSError, ValueError):  # no stderr, or not a file
            self._real_stderr = None
        self._second = -1
        self._prefix = ""

    def enabled(self) -> bool:
        return self._logger.isEnabledFor(logging.INFO)

    def _stamp(self, now: float) -> str:
        second = int(now)
        if second != self._second:  # one strftime a second, not one a request
            self._second = second
            self._prefix = datetime.fromtimestamp(second, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return f"{self._prefix}.{int((now - second) * 1000):03d}+00:00"

    def write(self, request_id: str, route: str, method: str, status: int, seconds: float) -> None:
        line = orjson.dumps(
            {
                "time": self._stamp(time.time()),
                "level": "INFO",
                "logger": ACCESS_LOGGER,
                "message": "request",
                "request_id": request_id,
                "route": route,
                "method": method,
                "status": status,
                "duration_ms": round(seconds * 1000, 3),
            },
            option=orjson.OPT_APPEND_NEWLINE,
        )
        stream = self.stream or sys.stderr
        if stream is self._real_stderr:  # at most a few hundred bytes: one atomic write
            os.write(self._fd, line)
        else:
            stream.write(line.decode())


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
