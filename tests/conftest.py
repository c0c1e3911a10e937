"""Shared fixtures: an in-process client on the ASGI app, and the golden examples."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app

ROOT = Path(__file__).resolve().parents[1]


def _origin_of(root: Path) -> Path | None:
    """The local repository `root` was cloned from, read from its git metadata files (no git
    process at import time): a clone's `remote.origin.url` when it is a local path."""
    config = root / ".git" / "config"
    if not config.is_file():
        return None
    match = re.search(
        r'^\[remote "origin"\][^\[]*?^\s*url\s*=\s*(\S+)', config.read_text(), re.M | re.S
    )
    url = match.group(1) if match else ""
    if not url or "://" in url or ":" in url.split("/")[0]:  # not a local path
        return None
    return (root / url).resolve()


def _examples_dir() -> Path:
    """../shared/examples beside the project; for a clone made elsewhere (`git clone . /tmp/x`),
    beside the repository it was cloned from; GOLDEN_EXAMPLES_DIR overrides both."""
    if os.environ.get("GOLDEN_EXAMPLES_DIR"):
        return Path(os.environ["GOLDEN_EXAMPLES_DIR"])
    candidates = [ROOT.parent / "shared" / "examples"]
    origin = _origin_of(ROOT)
    if origin is not None:
        candidates.append(origin.parent / "shared" / "examples")
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
