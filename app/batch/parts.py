"""One part of a run: up to PART_ROWS rows of an input row group in, `part-NNNNN.parquet` out.

`compute_part` is a plain function of plain data, so the same code runs in the calling process
(`--workers 0`) or on any Dask worker. The engine call stays inside it, the I/O at its edges:
it reads its rows a batch at a time, writes the part aside (`.part-NNNNN.parquet.tmp`)
and renames it only once complete, so a part that exists is whole, whatever kills the run.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from app.batch.columns import output_schema
from app.batch.loan_input import loan_input
from app.batch.position_row import position_columns
from app.batch.refusals import LoanRefused
from app.batch.rules import Rules
from app.engine.errors import CalculationError

BATCH_ROWS = 2048  # rows decoded at a time: bounds a worker's memory whatever the row group
# rows of a part: a row group larger than this (pyarrow writes up to 1,048,576 rows in one by
# default) is split into several parts, so it still spreads over the workers
PART_ROWS = 10 * BATCH_ROWS
SUMMED = ("total_overdue", "outstanding_principal", "outstanding_penalty", "payoff_amount")


@dataclass(frozen=True, slots=True)
class PartTask:
    number: int
    source: str  # a Parquet file
    row_group: int
    first_row: int  # the part's rows within the row group: [first_row, end_row)
    end_row: int
    columns: tuple[str, ...]
    output: str  # the run's folder
    as_of: date
    rules: Rules
    scale: int  # decimal digits of the output's amounts

    @property
    def name(self) -> str:
        return part_name(self.number)


@dataclass(frozen=True, slots=True)
class PartResult:
    name: str
    loans: int
    computed: int
    errors: int
    sums: dict[str, dict[str, Decimal]]  # currency -> summed column -> total


def part_name(number: int) -> str:
    return f"part-{number:05d}.parquet"


def loan_row(row: Mapping[str, Any], as_of: date, rules: Rules) -> dict[str, Any]:
    """One output row: the loan's summary, or its refusal (figures null)."""
    code = row.get("currency")
    out: dict[str, Any] = {
        "loan_id": row["loan_id"],
        "currency": "CNY" if code is None else code,  # the SPEC §2 default
        "as_of": as_of,
    }
    try:
        out.update(position_columns(loan_input(row), as_of, rules))
    except LoanRefused as refused:
        out.update(error_type=refused.error_type, error_detail=refused.detail)
    except CalculationError as error:
        refused = LoanRefused.from_calculation(error)
        out.update(error_type=refused.error_type, error_detail=refused.detail)
    except Exception as error:  # one loan never stops the run
        out.update(error_type="internal_error", error_detail=f"internal error: {error!r}")
    return out


def compute_part(task: PartTask) -> PartResult:
    """Compute every loan of the task's row group and write its part atomically."""
    schema = output_schema(task.scale)
    final = Path(task.output) / task.name
    aside = final.with_name(f".{task.name}.tmp")
    sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(SUMMED, Decimal(0)))
    loans = errors = 0
    with pq.ParquetWriter(aside, schema, compression="zstd") as writer:
        for batch in _batches(task):
            rows = [loan_row(row, task.as_of, task.rules) for row in batch.to_pylist()]
            loans += len(rows)
            for row in rows:
                if row.get("error_type") is not None:
                    errors += 1
                    continue
                totals = sums[row["currency"]]
                for name in SUMMED:
                    totals[name] += row[name]
            writer.write_table(_table(rows, schema))
    _sync(aside)
    os.replace(aside, final)
    return PartResult(task.name, loans, loans - errors, errors, dict(sums))


def _batches(task: PartTask) -> Iterator[pa.RecordBatch]:
    """The task's rows of its row group, BATCH_ROWS at a time. Rows before `first_row` are
    decoded and dropped: a row group larger than a part is split without reading it whole."""
    source = pq.ParquetFile(task.source)
    position = 0
    for batch in source.iter_batches(
        batch_size=BATCH_ROWS, row_groups=[task.row_group], columns=list(task.columns)
    ):
        start, position = position, position + batch.num_rows
        if position <= task.first_row:
            continue
        yield batch.slice(max(task.first_row - start, 0), task.end_row - max(start, task.first_row))
        if position >= task.end_row:
            return


def _table(rows: Iterable[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    rows = list(rows)
    arrays = [pa.array([r.get(f.name) for r in rows], type=f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def _sync(path: Path) -> None:
    """Flush the part to disk before it is renamed into place (a crash then leaves it whole)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
