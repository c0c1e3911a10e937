"""A run's files (SPEC §12): parts whole or absent, a rerun's bytes, the manifest's sums."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq

from app.batch import parts
from app.batch.progress import Progress
from app.batch.run import MANIFEST
from app.batch.sample import write_sample
from tests.batch.portfolio import output_rows, run

AS_OF = date(2026, 6, 30)
ROOT = Path(__file__).resolve().parents[2]


def resample(source: Path, target: Path, row_group_size: int) -> Path:
    pq.write_table(pq.read_table(source), target, row_group_size=row_group_size)
    return target


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_rerun_writes_the_same_bytes(tmp_path):
    source = resample(_sample(tmp_path, 600), tmp_path / "in.parquet", 200)
    run(source, tmp_path / "one", AS_OF)
    run(source, tmp_path / "two", AS_OF)
    first = files(tmp_path / "one")
    assert list(first) == ["_manifest.json", *(f"part-0000{i}.parquet" for i in range(3))]
    assert files(tmp_path / "two") == first
    run(source, tmp_path / "one", AS_OF)  # again into the same folder
    assert files(tmp_path / "one") == first


def test_a_rerun_into_the_same_folder_drops_parts_it_did_not_write(tmp_path):
    source = _sample(tmp_path, 300)
    run(resample(source, tmp_path / "small.parquet", 100), tmp_path / "out", AS_OF)
    run(resample(source, tmp_path / "big.parquet", 300), tmp_path / "out", AS_OF)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [MANIFEST, "part-00000.parquet"]


def test_the_manifest_sums_the_parts_per_currency(tmp_path):
    """Its sums are worked out again here from the parts' rows, by currency."""
    source = _sample(tmp_path, 400)
    manifest = run(source, tmp_path / "out", AS_OF)
    rows = output_rows(tmp_path / "out")
    sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in rows:
        if row["error_type"] is None:
            for name in (
                "total_overdue",
                "outstanding_principal",
                "outstanding_penalty",
                "payoff_amount",
            ):
                sums[row["currency"]][name] += row[name]
    assert set(manifest["currencies"]) == set(sums)
    assert len(sums) > 1
    for code, totals in manifest["currencies"].items():
        assert {k: Decimal(v) for k, v in totals.items()} == sums[code]
        digits = {"JPY": 0, "KWD": 3}.get(code, 2)
        assert all(len(v.partition(".")[2]) == digits for v in totals.values())
    assert manifest["loans"] == len(rows) == 400
    assert manifest["computed"] + manifest["errors"] == 400
    assert json.loads((tmp_path / "out" / MANIFEST).read_text()) == manifest


def test_a_killed_run_leaves_only_whole_parts_and_no_manifest(tmp_path):
    """SIGKILL while a part is being written: every part present reads whole, the one in
    progress exists only aside (.part-*.tmp), and the next run finishes cleanly."""
    source = resample(_sample(tmp_path, 2000), tmp_path / "in.parquet", 250)
    output = tmp_path / "out"
    command = [sys.executable, "-m", "app", "batch", "positions", str(source), str(output)]
    process = subprocess.Popen(
        [*command, "--as-of", AS_OF.isoformat(), "--workers", "0"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not (output / "part-00001.parquet").exists() and time.monotonic() < deadline:
            assert process.poll() is None, "the run ended before it could be killed"
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert not (output / MANIFEST).exists()
    parts = sorted(output.glob("part-*.parquet"))
    assert 2 <= len(parts) < 8
    for part in parts:
        assert pq.read_table(part).num_rows == 250
    run(source, output, AS_OF)
    assert sorted(p.name for p in output.iterdir()) == [
        MANIFEST,
        *(f"part-{i:05d}.parquet" for i in range(8)),
    ]


def test_the_progress_bar_is_drawn_only_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    log, terminal = io.StringIO(), Terminal()
    for stream in (log, terminal):
        progress = Progress(200, stream)
        progress.advance(100)
        progress.advance(100)
        progress.close()
    assert log.getvalue() == ""
    assert "100/200 loans" in terminal.getvalue()
    assert "200/200 loans" in terminal.getvalue()


def _sample(folder: Path, loans: int) -> Path:
    source = folder / f"sample-{loans}.parquet"
    if not source.exists():
        write_sample(source, loans, seed=3, as_of=AS_OF)
    return source


def test_a_row_group_larger_than_a_part_is_split_in_input_order(tmp_path, monkeypatch):
    """One row group of 450 loans, parts of 100 read 64 rows at a time (batches straddle the
    parts' edges): 5 parts, the same rows in the same order as one part of all 450."""
    source = resample(_sample(tmp_path, 450), tmp_path / "in.parquet", 1000)
    assert pq.ParquetFile(source).num_row_groups == 1
    run(source, tmp_path / "whole", AS_OF)
    monkeypatch.setattr(parts, "PART_ROWS", 100)
    monkeypatch.setattr(parts, "BATCH_ROWS", 64)
    manifest = run(source, tmp_path / "split", AS_OF)
    sizes = [pq.read_table(tmp_path / "split" / p).num_rows for p in manifest["parts"]]
    assert sizes == [100, 100, 100, 100, 50]
    assert output_rows(tmp_path / "split") == output_rows(tmp_path / "whole")
