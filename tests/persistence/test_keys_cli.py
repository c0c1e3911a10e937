"""`python -m app keys create|list|revoke` (SPEC §8)."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.__main__ import main
from app.persistence.db import Database
from app.persistence.models import ApiKeyRow
from app.settings import get_settings
from tests.database import make_app

ROOT = Path(__file__).resolve().parents[2]
KEY = re.compile(r"^(k_[0-9a-f]{16})\.([A-Za-z0-9_-]+)$")


@pytest.fixture
def cli_database(database_factory, monkeypatch):
    """A fresh, unmigrated database: the CLI migrates it to head itself."""
    url = database_factory.new("cli")
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def _run(capsys, *argv: str) -> tuple[int, list[str], str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_create_prints_the_key_alone_on_the_last_line_and_stores_only_its_hash(
    cli_database, capsys
):
    code, lines, _ = _run(capsys, "keys", "create", "--tenant", "acme")
    assert code == 0
    match = KEY.match(lines[-1])
    assert match, lines[-1]
    key_id, secret = match.groups()
    assert len(base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))) >= 32
    database = Database(cli_database)
    try:
        with database.transaction() as session:
            row = session.scalars(select(ApiKeyRow)).one()
        assert (row.id, row.tenant) == (key_id, "acme")
        assert secret not in row.secret_sha256
        client = TestClient(make_app(database))
        headers = {"Authorization": f"Bearer {lines[-1]}"}
        assert client.get("/v1/agreements", headers=headers).status_code == 200

        code, lines, _ = _run(capsys, "keys", "list")
        assert code == 0
        assert any(line.split()[:2] == [key_id, "acme"] for line in lines)
        assert all(secret not in line for line in lines)

        code, lines, _ = _run(capsys, "keys", "revoke", key_id)
        assert code == 0
        assert client.get("/v1/agreements", headers=headers).status_code == 401
        code, lines, _ = _run(capsys, "keys", "list")
        assert next(line for line in lines if line.startswith(key_id)).split()[-1] != "-"
    finally:
        database.dispose()


def test_revoking_an_unknown_key_fails(cli_database, capsys):
    code, _, err = _run(capsys, "keys", "revoke", "k_doesnotexist")
    assert code == 1
    assert "no API key" in err


def test_a_tenant_name_is_checked(cli_database, capsys):
    code, _, err = _run(capsys, "keys", "create", "--tenant", "no spaces please")
    assert code == 2
    assert "tenant" in err


def test_the_command_runs_as_python_dash_m_app(cli_database):
    result = subprocess.run(
        [sys.executable, "-m", "app", "keys", "create", "--tenant", "shell"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": cli_database},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert KEY.match(result.stdout.splitlines()[-1])
