"""Shared fixtures: an in-process client on the ASGI app, and the golden examples."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app

ROOT = Path(__file__).resolve().parents[1]


def _examples_dir() -> Path:
    """../shared/examples beside the project; for a clone made elsewhere (`git clone . /tmp/x`),
    beside the repository it was cloned from; GOLDEN_EXAMPLES_DIR overrides both."""
    if os.environ.get("GOLDEN_EXAMPLES_DIR"):
        return Path(os.environ["GOLDEN_EXAMPLES_DIR"])
    candidates = [ROOT.parent / "shared" / "examples"]
    origin = subprocess.run(
        ["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if origin and "://" not in origin and ":" not in origin.split("/")[0]:  # a local path
        candidates.append((ROOT / origin).resolve().parent / "shared" / "examples")
    return next((c for c in candidates if c.is_dir()), candidates[0])


EXAMPLES_DIR = _examples_dir()
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
