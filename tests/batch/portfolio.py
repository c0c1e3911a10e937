"""Test portfolios: loans written as POST /v1/positions `loan` objects (JSON values), turned
into an input Parquet file (SPEC §12), and the API request each row stands for."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from app.batch.rules import rules_of
from app.batch.run import MANIFEST, run_positions
from bench.batch import plain

MONEY_COLUMNS = ("principal", "annual_rate", "daily_rate", "fee_rate", "fee_rate_per_period")
INT_COLUMNS = ("day_count", "term_months", "grace_months")
DATE_COLUMNS = ("start_date", "first_due_date")
TEXT_COLUMNS = ("currency", "method", "interest_basis", "grace_type", "rounding")


def _date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def input_table(
    loans: Sequence[dict[str, Any]], *, decimals: bool = False, ids: Sequence[str] | None = None
) -> pa.Table:
    """One row per loan (`loan_id`, the loan's fields, `payments`); money and rates as strings,
    or as decimal128(30, 12) when `decimals` (their values must then be numbers)."""
    money = pa.decimal128(30, 12) if decimals else pa.string()
    payment = pa.struct([("date", pa.date32()), ("amount", money), ("reference", pa.string())])

    def number(value: str | None) -> Any:
        return Decimal(value) if decimals and value is not None else value

    columns: dict[str, pa.Array] = {
        "loan_id": pa.array(list(ids or [f"L{i:04d}" for i in range(len(loans))]), pa.string())
    }
    for name in MONEY_COLUMNS:
        columns[name] = pa.array([number(ln.get(name)) for ln in loans], money)
    for name in INT_COLUMNS:
        columns[name] = pa.array([ln.get(name) for ln in loans], pa.int32())
    for name in DATE_COLUMNS:
        columns[name] = pa.array([_date(ln.get(name)) for ln in loans], pa.date32())
    for name in TEXT_COLUMNS:
        columns[name] = pa.array([ln.get(name) for ln in loans], pa.string())
    payments = [
        [
            {
                "date": _date(p["date"]),
                "amount": number(p["amount"]),
                "reference": p.get("reference"),
            }
            for p in ln.get("payments", [])
        ]
        for ln in loans
    ]
    columns["payments"] = pa.array(payments, pa.list_(payment))
    return pa.table(columns)


def write_input(path: Path, table: pa.Table, row_group_size: int | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, row_group_size=row_group_size)
    return path


def api_request(row: dict[str, Any], as_of: date, rules: dict[str, Any]) -> dict[str, Any]:
    """The POST /v1/positions body an input row stands for (a null is an absent field)."""
    loan = {
        k: plain(v) for k, v in row.items() if k not in ("loan_id", "payments") and v is not None
    }
    payments = [
        {k: plain(v) for k, v in p.items() if v is not None} for p in row.get("payments") or []
    ]
    return {"loan": loan, "payments": payments, "as_of": as_of.isoformat(), **rules}


def run(source: Path, output: Path, as_of: date, rules: dict[str, Any] | None = None) -> dict:
    """A run in this process (--workers 0): its manifest."""
    return run_positions(source, output, as_of, rules_of(rules or {}), workers=0)


def output_rows(output: Path) -> list[dict[str, Any]]:
    manifest = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
    return [r for part in manifest["parts"] for r in pq.read_table(output / part).to_pylist()]


def compare_with_api(client: Any, source: Path, output: Path, as_of: date, rules: dict) -> int:
    """Assert every output row equals what POST /v1/positions answers for its loan; the number
    of rows the API refused."""
    inputs = pq.read_table(source).to_pylist()
    outputs = output_rows(output)
    assert [r["loan_id"] for r in outputs] == [r["loan_id"] for r in inputs]
    refused = 0
    for given, got in zip(inputs, outputs, strict=True):
        response = client.post("/v1/positions", json=api_request(given, as_of, rules))
        assert response.status_code in (200, 422), response.text
        assert got["as_of"] == as_of
        if response.status_code == 422:
            refused += 1
            problem = response.json()
            assert (got["error_type"], got["error_detail"]) == (
                problem["errors"][0]["type"],
                problem["detail"],
            ), given
            assert got["total_overdue"] is None
            continue
        assert got["error_type"] is None, (given, got)
        summary = response.json()["summary"]
        assert got["currency"] == response.json()["currency"]
        for name, expected in summary.items():
            assert plain(got[name]) == expected or (
                isinstance(got[name], Decimal) and got[name] == Decimal(expected)
            ), (name, given, got[name], expected)
    return refused
