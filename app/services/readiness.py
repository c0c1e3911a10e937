"""Readiness (SPEC §8–9): the database answers and its schema is at the migrations' head,
decided within a deadline whatever the database does.

A hung database (a stopped server, a lost network) must neither hang `/readyz` nor take the
worker threads that calculations run on. So a check runs on its own short-lived thread (never
the shared thread pool) over its own connection (the probe engine: no pool, short connect and
statement timeouts), at most one at a time: callers arriving while it runs wait for the same
answer, up to their deadline, and a check still running past it is a 503 ("cannot tell"). A
stuck check thread ends when its connect timeout fires or the database comes back.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from app.persistence.db import Database
from app.persistence.migrations import current_revisions, head_revisions

# SPEC §8: /readyz answers within 2 s; this leaves room for the response itself
DEADLINE_SECONDS = 1.5


@dataclass(frozen=True, slots=True)
class Readiness:
    ready: bool
    detail: str
    revision: str | None = None


def check_readiness(*, database: Database) -> Readiness:
    """The check itself (blocking): reachable, and at the head revision."""
    try:
        current = current_revisions(database.probe_engine)
    except SQLAlchemyError as exc:
        return Readiness(False, f"database unreachable ({type(exc).__name__})")
    head = head_revisions()
    if current != head:
        found = ", ".join(sorted(current)) or "none"
        return Readiness(False, f"database at revision {found}, head is {', '.join(sorted(head))}")
    return Readiness(True, "ready", ", ".join(sorted(head)))


class ReadinessProbe:
    """Runs `check` on a thread of its own, one at a time, and waits for it at most a deadline."""

    def __init__(
        self, check: Callable[[], Readiness], *, deadline_seconds: float = DEADLINE_SECONDS
    ) -> None:
        self._check = check
        self._deadline = deadline_seconds
        self._lock = threading.Lock()
        self._running: Future[Readiness] | None = None
        self._started = 0.0

    def _current(self) -> tuple[Future[Readiness], float]:
        """The check in flight, or a new one started now; with the time it started."""
        with self._lock:
            if self._running is None or self._running.done():
                future: Future[Readiness] = Future()
                self._running, self._started = future, time.monotonic()
                thread = threading.Thread(
                    target=self._run, args=(future,), name="readiness-check", daemon=True
                )
                thread.start()
            return self._running, self._started

    def _run(self, future: Future[Readiness]) -> None:
        try:
            future.set_result(self._check())
        except Exception as exc:  # a check that raises is an answer too: not ready
            future.set_result(Readiness(False, f"readiness check failed ({type(exc).__name__})"))

    async def readiness(self) -> Readiness:
        future, started = self._current()
        remaining = self._deadline - (time.monotonic() - started)
        try:
            if remaining <= 0:
                raise TimeoutError
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), remaining)
        except TimeoutError:
            waited = time.monotonic() - started
            return Readiness(False, f"the database has not answered for {waited:.1f} s")
