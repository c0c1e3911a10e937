"""/readyz within 2 s whatever the database does, and calculations never wait on it (SPEC §8).

In process: a readiness check that hangs (as a stopped database makes it) gives a 503 within
the deadline, later calls do not start a second check, and a calculation stays fast. Against
a real PostgreSQL (`.ci/with-postgres`): the server's processes are stopped with SIGSTOP while a
live uvicorn answers /readyz and /v1/positions, then resumed with SIGCONT.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from app.api.schemas.positions import CASE_STUDY_POSITION
from app.services.readiness import Readiness, ReadinessProbe
from tests.database import make_app
from tests.live_server import live_server


def test_a_hung_readiness_check_is_a_503_within_2_s_and_holds_no_worker(database):
    release = threading.Event()
    started: list[float] = []

    def hung_check() -> Readiness:
        started.append(time.monotonic())
        release.wait(30)
        return Readiness(True, "ready", "late")

    app = make_app(database)
    app.state.readiness_probe = ReadinessProbe(hung_check)
    client = TestClient(app)
    try:
        for _ in range(3):
            began = time.monotonic()
            response = client.get("/readyz")
            assert time.monotonic() - began < 2.0
            assert response.status_code == 503
            assert response.headers["content-type"] == "application/problem+json"
            assert "has not answered" in response.json()["detail"]
        assert len(started) == 1  # one check in flight at a time, whoever asks
        began = time.monotonic()
        assert client.post("/v1/positions", json=CASE_STUDY_POSITION).status_code == 200
        assert time.monotonic() - began < 1.0
    finally:
        release.set()
    deadline = time.monotonic() + 5
    while client.get("/readyz").status_code != 200:  # the next check answers again
        assert time.monotonic() < deadline
        time.sleep(0.05)


def _postgres_pids() -> list[int]:
    """The postmaster of .ci/with-postgres's cluster and every process it started."""
    data = os.environ.get("CI_POSTGRES_DATA")
    if not data:
        pytest.fail("CI_POSTGRES_DATA is not set: run the PostgreSQL suite with .ci/with-postgres")
    postmaster = int(Path(data, "postmaster.pid").read_text().split()[0])
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == postmaster:
            children.append(int(stat.parent.name))
    return [postmaster, *children]


def _signal(pids: list[int], signum: signal.Signals) -> None:
    for pid in pids:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            continue
        except PermissionError:  # the cluster runs as the postgres user
            subprocess.run(["sudo", "-n", "kill", f"-{signum.name[3:]}", str(pid)], check=True)


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgresql")
    or os.environ.get("REQUIRE_POSTGRESQL") != "1",
    reason="needs the PostgreSQL run of .ci/run (DATABASE_URL and REQUIRE_POSTGRESQL=1)",
)
def test_with_postgresql_stopped_readyz_is_503_within_2_s_and_positions_stay_fast(auth):
    """While stopped, 25 agreement reads hang on the database too (each holds a worker thread
    until the server resumes): calculations still answer at once."""
    with live_server() as base_url, httpx.Client(base_url=base_url, timeout=10) as client:
        assert client.get("/readyz").status_code == 200
        assert client.get("/v1/agreements", headers=auth).status_code == 200
        assert client.post("/v1/positions", json=CASE_STUDY_POSITION).status_code == 200
        pids = _postgres_pids()
        _signal(pids, signal.SIGSTOP)
        hung = ThreadPoolExecutor(25)
        try:

            def hung_read(_: int) -> str:
                try:
                    return str(httpx.get(f"{base_url}/v1/agreements", headers=auth, timeout=4))
                except httpx.TimeoutException:
                    return "timed out"

            reads = [hung.submit(hung_read, n) for n in range(25)]
            time.sleep(0.5)  # the reads reach the database first

            def timed_readyz(_: int) -> tuple[int, float]:
                began = time.monotonic()
                response = httpx.get(f"{base_url}/readyz", timeout=5)
                return response.status_code, time.monotonic() - began

            with ThreadPoolExecutor(4) as pool:
                readiness = pool.submit(lambda: list(map(timed_readyz, range(8))))
                concurrent = list(pool.map(timed_readyz, range(3)))
                positions = []
                for _ in range(20):
                    began = time.monotonic()
                    answer = client.post("/v1/positions", json=CASE_STUDY_POSITION)
                    positions.append(time.monotonic() - began)
                    assert answer.status_code == 200
                answers = readiness.result(timeout=30) + concurrent
            assert sum(r.result(timeout=10) == "timed out" for r in reads) > 0  # really hung
        finally:
            _signal(pids, signal.SIGCONT)
            hung.shutdown(wait=True)
        assert all(status == 503 for status, _ in answers), answers
        assert max(seconds for _, seconds in answers) < 2.0, answers
        assert statistics.median(positions) < 0.25, positions
        assert max(positions) < 1.0, positions
        deadline = time.monotonic() + 15
        while client.get("/readyz").status_code != 200:  # and ready again once resumed
            assert time.monotonic() < deadline, "not ready 15 s after SIGCONT"
            time.sleep(0.2)
