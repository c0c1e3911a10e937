"""One engine and session factory per database URL (SPEC §7 storage).

SQLite (the default) runs in WAL mode with `synchronous = FULL` (an acknowledged write survives
a power loss, SPEC §8) and foreign keys on, and every transaction starts with
`BEGIN IMMEDIATE`: writers queue on the database lock (busy timeout) instead of failing when two
deferred transactions both try to upgrade to a write. PostgreSQL runs at READ COMMITTED and the
repositories lock the agreement row (`SELECT ... FOR UPDATE`) before changing it.

Sessions never commit inside services: `transaction()` (or the API's request dependency)
commits once at the end and rolls back on any exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

SQLITE_BUSY_TIMEOUT_MS = 30_000
# the readiness probe's own connection gives up quickly (libpq's shortest useful connect timeout
# is 2 s); its statements may not run longer than this on a server that answers
PROBE_CONNECT_TIMEOUT_S, PROBE_STATEMENT_TIMEOUT_MS = 2, 1000
# connections per engine: the API admits at most this many requests with a session at once,
# so a request holding a lock never waits for a pool slot or a worker thread (app/api/deps.py)
POOL_SIZE, POOL_OVERFLOW = 10, 10
MAX_SESSIONS = POOL_SIZE + POOL_OVERFLOW


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        # take transaction control away from pysqlite so that BEGIN IMMEDIATE is ours to emit
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            # FULL: WAL is synced at every commit, so an acknowledged write survives a power loss
            cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    """An Engine for `url`: sqlite:///path or postgresql+psycopg://user@host:port/db."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            hide_parameters=True,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(
        url,
        hide_parameters=True,  # no amounts or references in the log of a failed statement
        pool_pre_ping=True,
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
        connect_args={"connect_timeout": 5},
    )


def make_probe_engine(url: str) -> Engine:
    """An Engine for the readiness check: a fresh connection each time (no pool to wait on or
    to leave a hung connection in), short timeouts, no BEGIN IMMEDIATE (it only reads)."""
    if make_url(url).get_backend_name() == "sqlite":
        return create_engine(
            url, poolclass=NullPool, hide_parameters=True, connect_args={"timeout": 1}
        )
    return create_engine(
        url,
        poolclass=NullPool,
        hide_parameters=True,
        connect_args={
            "connect_timeout": PROBE_CONNECT_TIMEOUT_S,
            "options": f"-c statement_timeout={PROBE_STATEMENT_TIMEOUT_MS}",
        },
    )


class Database:
    """The engine and session factory an app (or a CLI command) works with."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        self._probe_engine: Engine | None = None

    @property
    def probe_engine(self) -> Engine:
        """The readiness check's engine, made on first use."""
        if self._probe_engine is None:
            self._probe_engine = make_probe_engine(self.url)
        return self._probe_engine

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any exception."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
        if self._probe_engine is not None:
            self._probe_engine.dispose()
