"""`python -m app batch sample` (SPEC §12): the input format, every method, some loans overdue
and some settled early, the same bytes for the same seed."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pyarrow.parquet as pq

from app.__main__ import main
from app.batch.columns import check_input_schema
from tests.batch.portfolio import output_rows, run

AS_OF = date(2026, 6, 30)


def test_a_sample_is_a_valid_input_with_every_method_and_both_fates(tmp_path, capsys):
    source = tmp_path / "sample.parquet"
    assert main(["batch", "sample", str(source), "--loans", "1000", "--seed", "5"]) == 0
    assert "Wrote 1,000 loans" in capsys.readouterr().out
    table = pq.read_table(source)
    check_input_schema(table.schema, "sample")  # raises on any column of the wrong kind
    assert table.num_rows == 1000
    assert len(set(table.column("loan_id").to_pylist())) == 1000
    methods = Counter(table.column("method").to_pylist())
    assert set(methods) == {
        "equal_installment",
        "equal_principal",
        "interest_only",
        "bullet",
        "flat_fee",
    }
    run(source, tmp_path / "out", AS_OF)
    rows = output_rows(tmp_path / "out")
    assert all(r["error_type"] is None for r in rows)
    overdue = [r for r in rows if r["days_past_due"] > 0]
    settled = [r for r in rows if r["outstanding_principal"] == 0 and r["next_due_date"] is None]
    early = [
        r
        for r in table.to_pylist()
        if any(p["reference"].endswith("-payoff") for p in r["payments"])
    ]
    assert len(overdue) >= 50
    assert len(settled) >= 50
    assert len(early) >= 30
    by_id = {r["loan_id"]: r for r in rows}
    assert all(by_id[r["loan_id"]]["outstanding_principal"] == 0 for r in early)


def test_the_same_seed_writes_the_same_bytes_and_another_seed_does_not(tmp_path):
    paths = [tmp_path / name for name in ("a.parquet", "b.parquet", "c.parquet")]
    for path, seed in zip(paths, ("1", "1", "2"), strict=True):
        assert main(["batch", "sample", str(path), "--loans", "300", "--seed", seed]) == 0
    a, b, c = (p.read_bytes() for p in paths)
    assert a == b
    assert a != c
