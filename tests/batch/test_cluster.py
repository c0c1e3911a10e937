"""End to end on a real Dask LocalCluster of 2 worker processes (no dashboard): the command
line as an operator runs it, the same bytes as the in-process run. Pinned to one xdist group
(`make test` runs --dist loadgroup) so two clusters never start at once on the shared cores."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from app.batch.sample import write_sample

ROOT = Path(__file__).resolve().parents[2]


def batch(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "app", "batch", *map(str, args)]
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.xdist_group("dask")
def test_two_local_worker_processes_write_what_the_calling_process_writes(tmp_path):
    sample = tmp_path / "sample.parquet"
    write_sample(sample, 1200, seed=11)
    source = tmp_path / "in.parquet"
    pq.write_table(pq.read_table(sample), source, row_group_size=200)  # 6 parts for 2 workers
    on_dask = batch(
        "positions", source, tmp_path / "dask", "--as-of", "2026-06-30", "--workers", "2"
    )
    assert on_dask.returncode == 0, on_dask.stderr
    assert "1,200 loans as of 2026-06-30" in on_dask.stdout
    assert on_dask.stderr == ""  # no progress bar off a terminal, no worker chatter
    alone = batch(
        "positions", source, tmp_path / "alone", "--as-of", "2026-06-30", "--workers", "0"
    )
    assert alone.returncode == 0, alone.stderr
    names = sorted(p.name for p in (tmp_path / "dask").iterdir())
    assert names == ["_manifest.json", *(f"part-{i:05d}.parquet" for i in range(6))]
    for name in names:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "alone" / name).read_bytes()
    manifest = json.loads((tmp_path / "dask" / "_manifest.json").read_text())
    assert manifest["loans"] == 1200
    assert manifest["parts"] == names[1:]


@pytest.mark.xdist_group("dask")
def test_an_unreachable_scheduler_is_a_one_line_refusal(tmp_path):
    source = tmp_path / "in.parquet"
    write_sample(source, 10)
    result = batch(
        "positions",
        source,
        tmp_path / "out",
        "--as-of",
        "2026-06-30",
        "--scheduler",
        "tcp://127.0.0.1:9",
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: --scheduler tcp://127.0.0.1:9: cannot reach it")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.xdist_group("dask")
def test_the_same_run_on_an_existing_cluster_through_scheduler(tmp_path):
    """`dask scheduler` and one `dask worker` as separate processes, as on a real cluster."""
    from tests.live_server import free_port

    port = free_port()
    run_module = [sys.executable, "-m"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": ROOT}
    scheduler = subprocess.Popen(
        [*run_module, "distributed.cli.dask_scheduler", "--port", str(port), "--no-dashboard"],
        **quiet,
    )
    worker = subprocess.Popen(
        [*run_module, "distributed.cli.dask_worker", f"tcp://127.0.0.1:{port}", "--nthreads", "1",
         "--no-dashboard"],
        **quiet,
    )  # fmt: skip
    try:
        source = tmp_path / "in.parquet"
        write_sample(source, 300, seed=4)
        address = f"tcp://127.0.0.1:{port}"
        remote = batch("positions", source, tmp_path / "remote", "--as-of", "2026-06-30",
                       "--scheduler", address)  # fmt: skip
        assert remote.returncode == 0, remote.stderr
        alone = batch("positions", source, tmp_path / "alone", "--as-of", "2026-06-30",
                      "--workers", "0")  # fmt: skip
        assert alone.returncode == 0, alone.stderr
        for name in ("_manifest.json", "part-00000.parquet"):
            assert (tmp_path / "remote" / name).read_bytes() == (
                tmp_path / "alone" / name
            ).read_bytes()
    finally:
        for process in (worker, scheduler):
            process.terminate()
            process.wait(timeout=30)
