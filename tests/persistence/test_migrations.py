"""Alembic is the only way the schema is made: round trip, `alembic check`, and /readyz."""

from __future__ import annotations

import os

from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import inspect

from app.persistence.db import Database
from app.persistence.migrations import alembic_config, current_revisions, head_revisions
from tests.database import make_app

TABLES = {
    "agreement",
    "agreement_event",
    "agreement_installment",
    "agreement_payment",
    "agreement_payment_reversal",
    "api_key",
    "idempotency_key",
}


def _tables(database: Database) -> set[str]:
    return set(inspect(database.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade_round_trip_and_models_match(database_factory):
    url = database_factory.new("roundtrip")
    config = alembic_config(url)
    database = Database(url)
    try:
        command.upgrade(config, "head")
        assert _tables(database) == TABLES
        assert current_revisions(database.engine) == head_revisions()
        command.downgrade(config, "base")
        assert _tables(database) == set()
        assert current_revisions(database.engine) == frozenset()
        command.upgrade(config, "head")
        assert _tables(database) == TABLES
        command.check(config)  # raises when the models and the migrations disagree
    finally:
        database.dispose()


def test_readyz_is_503_until_migrated_then_200(database_factory):
    url = database_factory.new("readiness")
    database = Database(url)
    client = TestClient(make_app(database))
    try:
        before = client.get("/readyz")
        assert before.status_code == 503
        assert before.headers["content-type"] == "application/problem+json"
        assert "head is" in before.json()["detail"]
        # an agreement route on the unmigrated database: the same 503, not a 500
        key = "Bearer k_0123456789abcdef." + "A" * 43
        listed = client.get("/v1/agreements", headers={"Authorization": key})
        assert listed.status_code == 503
        assert listed.headers["content-type"] == "application/problem+json"
        command.upgrade(alembic_config(url), "head")
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ready", "revision": min(head_revisions())}
    finally:
        database.dispose()


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/missing/dir/x.db")
    response = TestClient(make_app(database)).get("/readyz")
    assert response.status_code == 503
    assert response.json()["detail"].startswith("database unreachable")


def test_the_postgresql_run_really_uses_postgresql(database):
    """.ci/run sets REQUIRE_POSTGRESQL=1 for its second run: a fallback to SQLite fails here."""
    dialect = database.engine.dialect.name
    if os.environ.get("REQUIRE_POSTGRESQL") == "1":
        assert dialect == "postgresql"
        with database.engine.connect() as connection:
            assert connection.dialect.server_version_info >= (15,)
    else:
        assert dialect in ("sqlite", "postgresql")
