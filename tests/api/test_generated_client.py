"""A Python client generated from openapi/openapi.json calls a live server (SPEC §9).

openapi-python-client writes the package into a temporary directory at test time (about a
second), so the client always matches the committed document; nothing generated is committed.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from tests.live_server import ROOT, live_server

PACKAGE = "repayment_client"
CONFIG = ROOT / "clients" / "python" / "config.yaml"  # package repayment_client, no post hooks
LOAN = {
    "principal": "12000.00",
    "term_months": 5,
    "method": "equal_installment",
    "start_date": "2026-01-15",
    "daily_rate": "0.0005",
}


@pytest.fixture
def generated_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    generator = Path(sys.executable).with_name("openapi-python-client")
    subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            str(ROOT / "openapi" / "openapi.json"),
            "--config",
            str(CONFIG),
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / PACKAGE),
        ],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module(PACKAGE)
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]


def _operation(package, tag: str):
    """The one operation module under api/<tag>/ (its name follows the operationId)."""
    folder = Path(package.__file__).parent / "api" / tag
    (module,) = [p.stem for p in folder.glob("*.py") if p.stem != "__init__"]
    return importlib.import_module(f"{PACKAGE}.api.{tag}.{module}")


def test_generated_python_client_computes_the_case_study_schedule(generated_client):
    """12,000 at 0.05 %/day (18 % a year, 1.5 % a month) over 5 months:
    PMT(1.5 %, 5, -12000) = 2509.0719, so 2509.07 a month (SPEC §10)."""
    models = importlib.import_module(f"{PACKAGE}.models")
    create_schedule = _operation(generated_client, "schedules")
    with live_server() as base_url:
        client = generated_client.Client(base_url=base_url, raise_on_unexpected_status=True)
        with client:
            response = create_schedule.sync_detailed(
                client=client, body=models.ScheduleRequest.from_dict(LOAN)
            )
            invalid = create_schedule.sync_detailed(
                client=client, body=models.ScheduleRequest.from_dict({**LOAN, "term_months": 0})
            )
    assert response.status_code == 200
    schedule = response.parsed
    assert isinstance(schedule, models.ScheduleResponse)
    assert schedule.installment_amount == "2509.07"
    assert len(schedule.installments) == 5
    assert response.headers["x-request-id"]
    assert invalid.status_code == 422
    assert isinstance(invalid.parsed, models.Problem)
    assert invalid.parsed.status == 422
