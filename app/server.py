"""The server: uvicorn with bounds on slow and surplus peers (SPEC §8). `python -m app.server`.

uvicorn alone closes an idle keep-alive connection after 5 s, but not one that is sending its
request slowly: a peer that trickles its headers, or never sends them, holds its connection
(and a file descriptor) for as long as it likes, and a few thousand of them take the service
down. `BoundedHttpToolsProtocol` adds two deadlines to uvicorn's httptools protocol:

- HEADER_TIMEOUT_SECONDS (10): from the connection's start, or from a kept-alive request's
  first byte, to the end of its headers;
- BODY_TIMEOUT_SECONDS (30): from the end of the headers to the end of the body; for a route
  that streams its body (POST /v1/positions/batch: 100,000 NDJSON lines take longer than that
  to compute), from the last piece of the body received, so only a stalled stream is cut.

A peer past either gets a 408 and the connection is closed. A request that arrives whole in
one read (nearly all) sets no timer; one that arrives in pieces sets one per phase.

Past MAX_CONNECTIONS open connections, uvicorn's `limit_concurrency` answers every new request
with a 503 at once instead of queueing it. Run with `python -m app.server --host H --port P`
(`make run` and the Dockerfile do); uvicorn's own CLI works too, without these bounds.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.api.middleware import STREAMED_PATHS
from app.settings import get_settings

_log = logging.getLogger("app.server")
_TIMED_OUT_BODY = (
    b'{"type":"about:blank","title":"Request Timeout","status":408,'
    b'"detail":"the request was not received in time"}'
)
_TIMED_OUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/problem+json\r\n"
    b"connection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(_TIMED_OUT_BODY), _TIMED_OUT_BODY)
)


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a header and a body deadline (module doc).

    A deadline is set only when a read ends with a request part-way (and at the connection's
    start, for a peer that sends nothing): a request that arrives whole in one read, as nearly
    all do, costs no timer at all.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()
        self.header_timeout = settings.header_timeout_seconds
        self.body_timeout = settings.body_timeout_seconds
        self.deadline: asyncio.TimerHandle | None = None
        self.waiting_for: str | None = "headers"  # or "body"; None between requests
        self.streamed = False  # the body deadline restarts with each piece (module doc)

    def _disarm(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
        super().connection_made(transport)  # type: ignore[arg-type]
        self.deadline = self.loop.call_later(self.header_timeout, self._expired)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.streamed and self.waiting_for == "body":
            self._disarm()  # progress: a streamed body is cut only when it stalls
        if self.waiting_for is not None and self.deadline is None:
            # the read ended part-way through a request: from here it has the time left
            timeout = self.header_timeout if self.waiting_for == "headers" else self.body_timeout
            self.deadline = self.loop.call_later(timeout, self._expired)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.waiting_for = "headers"

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self.waiting_for = "body"
        self.streamed = self.scope["path"] in STREAMED_PATHS
        self._disarm()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.waiting_for = None
        self._disarm()

    def _expired(self) -> None:
        self.deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is None or cycle.response_complete or not cycle.response_started:
            self.transport.write(_TIMED_OUT)
        _log.info(
            "closed a connection whose request %s did not arrive in time",
            self.waiting_for,
            extra={"client": self.client[0] if self.client else None},
        )
        self.transport.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 1)))
    parser.add_argument("--log-level", default=None, help="uvicorn's own (default: LOG_LEVEL)")
    args = parser.parse_args(argv)
    settings = get_settings()
    uvicorn.run(
        "app.main:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        loop="uvloop",
        http=BoundedHttpToolsProtocol,
        limit_concurrency=settings.max_connections,
        access_log=False,  # ours (JSON, route templates, no query strings) replaces it
        log_level=(args.log_level or settings.log_level).lower(),
        proxy_headers=True,  # trusted from FORWARDED_ALLOW_IPS only (uvicorn's default: local)
    )


if __name__ == "__main__":
    main()
