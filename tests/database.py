"""Database fixtures: one database per pytest-xdist worker, built by `alembic upgrade head`.

DATABASE_URL chooses the server: unset (or SQLite), each worker gets a temporary SQLite file;
a postgresql+psycopg URL names a server and a database on it, and each worker creates (and
finally drops) its own database `<name>_<worker>` there, so workers never share rows or
schema. Tests isolate their data by tenant: each makes its own tenant and API key.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.main import create_app
from app.persistence.db import Database
from app.persistence.migrations import upgrade_to_head
from app.services.api_keys import create_api_key
from app.settings import get_settings


def server_url() -> str | None:
    """The PostgreSQL server of DATABASE_URL (as pytest started), or None for SQLite files."""
    return _SERVER_URL if _SERVER_URL.startswith("postgresql") else None


_SERVER_URL = os.environ.get("DATABASE_URL", "")


class DatabaseFactory:
    """Makes empty databases for this worker and drops them at the end of the session."""

    def __init__(self, directory: str, worker: str) -> None:
        self.directory = directory
        self.worker = worker
        self.created: list[str] = []

    def new(self, label: str) -> str:
        name = f"{label}_{self.worker}"
        server = server_url()
        if server is None:
            path = os.path.join(self.directory, f"{name}.db")
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)
            return f"sqlite:///{path}"
        base = make_url(server)
        database = f"{base.database}_{name}".lower()
        self._admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        self._admin(f'CREATE DATABASE "{database}"')
        self.created.append(database)
        return base.set(database=database).render_as_string(hide_password=False)

    def _admin(self, statement: str) -> None:
        server = server_url()
        assert server is not None
        engine = create_engine(server, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(statement))
        finally:
            engine.dispose()

    def drop_all(self) -> None:
        for database in self.created:
            self._admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_factory(
    tmp_path_factory: pytest.TempPathFactory, worker_id: str
) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(str(tmp_path_factory.mktemp("databases")), worker_id)
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session")
def database_url(database_factory: DatabaseFactory) -> str:
    url = database_factory.new("test")
    upgrade_to_head(url)
    return url


@pytest.fixture(scope="session", autouse=True)
def default_database_url(database_url: str) -> Iterator[str]:
    """Point DATABASE_URL at this worker's migrated database for every app the tests build.

    Apps made by plain `create_app()` (and servers started by tests) open the database
    from the settings on first use, so they too find a migrated schema.
    """
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = database_url
    get_settings.cache_clear()
    yield database_url
    if previous is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = previous
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


def make_app(database: Database) -> FastAPI:
    app = create_app()
    app.state.database = database
    return app


@pytest.fixture(scope="session")
def db_app(database: Database) -> FastAPI:
    return make_app(database)


@pytest.fixture(scope="session")
def db_client(db_app: FastAPI) -> TestClient:
    return TestClient(db_app)


def new_key(database: Database, tenant: str) -> str:
    with database.transaction() as session:
        _, key = create_api_key(session, tenant=tenant, now=datetime.now(UTC))
    return key


@pytest.fixture
def make_tenant(database: Database) -> Callable[[], dict[str, str]]:
    """A fresh tenant with one key: returns its Authorization header."""

    def make() -> dict[str, str]:
        key = new_key(database, f"t-{uuid.uuid4().hex[:12]}")
        return {"Authorization": f"Bearer {key}"}

    return make


@pytest.fixture
def auth(make_tenant: Callable[[], dict[str, str]]) -> dict[str, str]:
    return make_tenant()
