"""Replay ../shared/examples through the app with the comparison rules of its check.py."""

from __future__ import annotations

import importlib.util
import json

import pytest

from tests.conftest import EXAMPLES_DIR, load_examples

IMPLEMENTED = ("schedules", "apr", "accruals", "probe", "positions", "restructuring")
EXAMPLES = [e for e in load_examples() if e["name"].startswith(IMPLEMENTED)]


def _checker():
    spec = importlib.util.spec_from_file_location("golden_check", EXAMPLES_DIR / "check.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_examples_are_present():
    assert EXAMPLES, f"no golden examples found in {EXAMPLES_DIR}"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e["name"])
def test_golden_example(client, example):
    check = _checker()
    raw = example["request"]
    body = raw.encode() if isinstance(raw, str) else json.dumps(raw).encode()
    response = client.post(
        example["endpoint"], content=body, headers={"Content-Type": "application/json"}
    )
    if example["status"] != 200:
        problems = check.check_problem(
            example, response.status_code, response.headers["content-type"], response.content
        )
    else:
        assert response.status_code == 200, response.text
        problems = []
        check.diff(example["response"], response.json(), "", problems)
    assert problems == []
