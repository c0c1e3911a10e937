"""A portfolio run (SPEC §12): plan the parts, fan them out, write the manifest.

    1. every input file's columns are checked, then its `loan_id` and `currency` columns alone
       are read: ids non-null and unique, and the output's decimal scale (the largest minor
       digits among the run's currencies), so every part has the same schema;
    2. one task per input row group (or per PART_ROWS rows of a larger one), numbered in input
       order, run by `compute_part` (parts.py):
       in this process (`workers=0`), on a LocalCluster of worker processes, or on the Dask
       cluster at `scheduler`; at most a few tasks per worker are in flight, so the driver's
       memory does not grow with the input;
    3. parts of an earlier run that this one did not write are removed, then `_manifest.json`
       is written aside and renamed: its presence says the run finished.

Nothing here depends on time or on which worker ran what, so a rerun writes the same bytes.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from app.batch import parts
from app.batch.columns import check_input_schema
from app.batch.parts import SUMMED, PartResult, PartTask, compute_part
from app.batch.progress import Progress
from app.batch.refusals import RunRefused
from app.batch.rules import Rules
from app.engine.money import CURRENCY_DIGITS

MANIFEST = "_manifest.json"
IN_FLIGHT_PER_WORKER = 2


@dataclass(frozen=True, slots=True)
class Source:
    path: Path
    row_group_rows: tuple[int, ...]  # rows in each row group
    columns: tuple[str, ...]


def input_files(path: Path) -> list[Path]:
    """INPUT is a Parquet file or a folder of them (`*.parquet`, in name order)."""
    if path.is_dir():
        files = sorted(p for p in path.glob("*.parquet") if not p.name.startswith((".", "_")))
        if not files:
            raise RunRefused(f"{path}: no .parquet files in the folder")
        return files
    if not path.exists():
        raise RunRefused(f"{path}: no such file or folder")
    return [path]


def _open(path: Path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as error:
        raise RunRefused(f"{path}: not a readable Parquet file ({error})") from None


def survey(paths: Iterable[Path]) -> tuple[list[Source], int, int]:
    """The sources, the number of loans and the output's decimal scale; RunRefused on any
    bad column, a null or repeated loan_id."""
    sources, ids, digits = [], [], set()
    for path in paths:
        parquet = _open(path)
        columns = check_input_schema(parquet.schema_arrow, str(path))
        wanted = [c for c in ("loan_id", "currency") if c in columns]
        try:
            table = parquet.read(columns=wanted)
        except (OSError, pa.ArrowException) as error:
            raise RunRefused(f"{path}: cannot read it ({error})") from None
        ids.append(table.column("loan_id").cast(pa.string()))
        codes = table.column("currency").unique().to_pylist() if "currency" in wanted else []
        digits |= {CURRENCY_DIGITS.get(c or "CNY", 0) for c in codes} or {2}
        metadata = parquet.metadata
        groups = tuple(metadata.row_group(g).num_rows for g in range(metadata.num_row_groups))
        sources.append(Source(path, groups, tuple(columns)))
    all_ids = pa.chunked_array([c for chunked in ids for c in chunked.chunks], pa.string())
    _check_ids(all_ids)
    return sources, len(all_ids), max(digits, default=2)


def _check_ids(ids: pa.ChunkedArray) -> None:
    if ids.null_count:
        raise RunRefused(f"column loan_id has {ids.null_count} null value(s): every loan needs one")
    if len(ids) and pc.count_distinct(ids).as_py() != len(ids):
        counts = pc.value_counts(ids)
        repeated = counts.filter(pc.greater(counts.field("counts"), 1))[0]["values"]
        raise RunRefused(f"column loan_id repeats {repeated.as_py()!r}: loan ids must be unique")


def plan(
    sources: list[Source], output: Path, as_of: date, rules: Rules, scale: int
) -> list[PartTask]:
    """One task per PART_ROWS rows of each row group (one for an empty row group), in input
    order: the part numbers follow the input."""
    tasks: list[PartTask] = []
    for source in sources:
        for group, rows in enumerate(source.row_group_rows):
            for first in range(0, max(rows, 1), parts.PART_ROWS):
                end = min(first + parts.PART_ROWS, rows)
                task = PartTask(
                    len(tasks), str(source.path), group, first, end, source.columns,
                    str(output), as_of, rules, scale,
                )  # fmt: skip
                tasks.append(task)
    return tasks


Runner = Callable[[list[PartTask]], Iterator[PartResult]]


def in_process(tasks: list[PartTask]) -> Iterator[PartResult]:
    """`--workers 0`: the same function, one part after another, without Dask."""
    for task in tasks:
        yield compute_part(task)


def on_dask(client: Any, tasks: list[PartTask]) -> Iterator[PartResult]:
    """The parts on a Dask cluster, a few per worker in flight; results in completion order."""
    from distributed import as_completed

    workers = max(len(client.scheduler_info().get("workers", {})), 1)
    pending = iter(tasks)
    first = [next(pending) for _ in range(min(len(tasks), workers * IN_FLIGHT_PER_WORKER))]
    futures = as_completed(client.map(compute_part, first, pure=False))
    for future in futures:
        result: PartResult = future.result()
        future.release()
        following = next(pending, None)
        if following is not None:
            futures.add(client.submit(compute_part, following, pure=False))
        yield result


def local_cluster_runner(workers: int) -> tuple[Runner, Callable[[], None]]:
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,  # the engine is pure Python: processes, not threads, add speed
        processes=True,
        dashboard_address=None,
        # even without a dashboard the scheduler serves HTTP (health, metrics), by default on
        # 8787: a random port, so two runs (or a test beside a run) never collide
        scheduler_kwargs={"dashboard": False, "dashboard_address": ":0"},
        silence_logs=logging.ERROR,
    )
    client = Client(cluster)

    def close() -> None:
        client.close()
        cluster.close()

    return (lambda tasks: on_dask(client, tasks)), close


def scheduler_runner(address: str) -> tuple[Runner, Callable[[], None]]:
    from distributed import Client

    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError) as error:
        raise RunRefused(f"--scheduler {address}: cannot reach it ({error})") from None
    return (lambda tasks: on_dask(client, tasks)), client.close


def prepare(output: Path) -> None:
    """OUTPUT is created; an earlier run's manifest and leftovers set aside are removed first,
    so no reader takes old figures for this run's."""
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RunRefused(f"{output}: cannot create the folder ({error})") from None
    for stale in (output / MANIFEST, *output.glob(".part-*.tmp"), *output.glob(".*.json.tmp")):
        stale.unlink(missing_ok=True)


def finish(output: Path, as_of: date, results: list[PartResult]) -> dict[str, Any]:
    written = {r.name for r in results}
    for old in output.glob("part-*.parquet"):
        if old.name not in written:
            old.unlink()
    manifest = manifest_of(as_of, results)
    aside = output / f".{MANIFEST}.tmp"
    aside.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    os.replace(aside, output / MANIFEST)
    return manifest


def manifest_of(as_of: date, results: list[PartResult]) -> dict[str, Any]:
    results = sorted(results, key=lambda r: r.name)
    sums: dict[str, dict[str, Decimal]] = {}
    for result in results:
        for code, totals in result.sums.items():
            into = sums.setdefault(code, dict.fromkeys(SUMMED, Decimal(0)))
            for name in SUMMED:
                into[name] += totals[name]
    return {
        "as_of": as_of.isoformat(),
        "loans": sum(r.loans for r in results),
        "computed": sum(r.computed for r in results),
        "errors": sum(r.errors for r in results),
        "currencies": {
            code: {name: _money(total, code) for name, total in sums[code].items()}
            for code in sorted(sums)
        },
        "parts": [r.name for r in results],
    }


def _money(total: Decimal, code: str) -> str:
    return format(total.quantize(Decimal(1).scaleb(-CURRENCY_DIGITS[code])), "f")


def run_positions(
    source: Path,
    output: Path,
    as_of: date,
    rules: Rules,
    *,
    workers: int = 0,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run the portfolio and return its manifest; RunRefused when it cannot run."""
    sources, loans, scale = survey(input_files(source))
    prepare(output)
    tasks = plan(sources, output, as_of, rules, scale)
    progress = progress or Progress(loans)
    progress.total = loans
    close: Callable[[], None] = lambda: None  # noqa: E731
    runner: Runner = in_process
    if scheduler is not None:
        runner, close = scheduler_runner(scheduler)
    elif workers > 0 and tasks:
        runner, close = local_cluster_runner(workers)
    results = []
    try:
        for result in runner(tasks):
            results.append(result)
            progress.advance(result.loans)
    finally:
        progress.close()
        close()
    return finish(output, as_of, results)
