"""Shared fixtures: an in-process client on the ASGI app, and the golden examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "shared" / "examples"
# database fixtures (one database per xdist worker, DATABASE_URL for PostgreSQL)
pytest_plugins = ["tests.database"]


@pytest.fixture(scope="session")
def client() -> TestClient:
    return TestClient(create_app())


def load_examples(prefix: str = "") -> list[dict]:
    """The golden examples of ../shared/examples whose file name starts with `prefix`."""
    if not EXAMPLES_DIR.is_dir():
        return []
    return [
        {**json.loads(path.read_text(encoding="utf-8")), "name": path.stem}
        for path in sorted(EXAMPLES_DIR.glob(f"{prefix}*.json"))
    ]
