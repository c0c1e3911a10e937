"""Bad input (SPEC §12): what refuses the whole run (exit 2, one line naming the cause) and
what only makes an error row (exit 0, the rest computed)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from app.__main__ import main
from app.batch.run import MANIFEST
from tests.batch.portfolio import input_table, output_rows, write_input

AS_OF = "2026-06-20"
LOAN = {
    "principal": "12000.00",
    "term_months": 5,
    "start_date": "2026-01-15",
    "daily_rate": "0.0005",
    "payments": [{"date": "2026-02-15", "amount": "2509.07", "reference": "cs-1"}],
}


def batch(*args: str | Path) -> int:
    return main(["batch", "positions", *map(str, args), "--as-of", AS_OF, "--workers", "0"])


def refused(capsys: pytest.CaptureFixture[str], *args: str | Path) -> str:
    """Run, expect exit 2 and exactly one line on stderr; that line."""
    assert batch(*args) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def with_column(table: pa.Table, name: str, array: pa.Array) -> pa.Table:
    return table.set_column(table.schema.get_field_index(name), name, array)


@pytest.mark.parametrize("column", ["principal", "annual_rate", "daily_rate", "fee_rate"])
def test_a_float_money_or_rate_column_refuses_the_run_naming_it(tmp_path, capsys, column):
    table = input_table([LOAN, LOAN], ids=["a", "b"])
    table = with_column(table, column, pa.array([1.5, None], pa.float64()))
    source = write_input(tmp_path / "in.parquet", table)
    line = refused(capsys, source, tmp_path / "out")
    assert f"column {column} is double" in line
    assert "never float" in line
    assert not (tmp_path / "out").exists()  # refused before anything was written


def test_a_float_payment_amount_refuses_the_run_naming_it(tmp_path, capsys):
    payment = pa.struct(
        [("date", pa.date32()), ("amount", pa.float64()), ("reference", pa.string())]
    )
    payments = pa.array(
        [[{"date": date(2026, 2, 15), "amount": 2509.07, "reference": "x"}]], pa.list_(payment)
    )
    table = with_column(input_table([LOAN], ids=["a"]), "payments", payments)
    line = refused(capsys, write_input(tmp_path / "in.parquet", table), tmp_path / "out")
    assert "column payments.amount is double" in line


@pytest.mark.parametrize("column", ["loan_id", "principal", "term_months", "start_date"])
def test_a_missing_required_column_refuses_the_run(tmp_path, capsys, column):
    table = input_table([LOAN], ids=["a"]).drop_columns([column])
    line = refused(capsys, write_input(tmp_path / "in.parquet", table), tmp_path / "out")
    assert line.endswith(f"missing required column {column}")


def test_a_missing_optional_column_takes_the_default(tmp_path):
    """No currency, method, rounding... columns at all: CNY, equal_installment, half_up."""
    table = input_table([LOAN], ids=["a"]).drop_columns(
        ["currency", "method", "rounding", "day_count"]
    )
    assert batch(write_input(tmp_path / "in.parquet", table), tmp_path / "out") == 0
    (row,) = output_rows(tmp_path / "out")
    assert row["currency"] == "CNY"
    assert row["error_type"] is None


def test_a_repeated_loan_id_refuses_the_run_naming_it(tmp_path, capsys):
    table = input_table([LOAN, LOAN, LOAN], ids=["a", "dup", "dup"])
    line = refused(capsys, write_input(tmp_path / "in.parquet", table), tmp_path / "out")
    assert "loan_id repeats 'dup'" in line


def test_a_repeated_loan_id_across_files_refuses_the_run(tmp_path, capsys):
    write_input(tmp_path / "in" / "1.parquet", input_table([LOAN], ids=["a"]))
    write_input(tmp_path / "in" / "2.parquet", input_table([LOAN], ids=["a"]))
    assert "loan_id repeats 'a'" in refused(capsys, tmp_path / "in", tmp_path / "out")


def test_a_null_loan_id_refuses_the_run(tmp_path, capsys):
    table = with_column(input_table([LOAN, LOAN]), "loan_id", pa.array(["a", None], pa.string()))
    assert "loan_id has 1 null" in refused(
        capsys, write_input(tmp_path / "in.parquet", table), tmp_path / "out"
    )


def test_a_loan_the_api_refuses_is_an_error_row_and_the_rest_are_computed(tmp_path, capsys):
    bad = {**LOAN, "principal": "0"}
    late = {**LOAN, "payments": [{"date": "2026-07-01", "amount": "1"}]}  # after as_of
    table = input_table([LOAN, bad, late, LOAN], ids=["a", "bad", "late", "d"])
    assert batch(write_input(tmp_path / "in.parquet", table), tmp_path / "out") == 0
    rows = {r["loan_id"]: r for r in output_rows(tmp_path / "out")}
    assert rows["bad"]["error_type"] == "principal"
    assert rows["bad"]["error_detail"] == "loan: principal must be above 0 and at most 10^12"
    assert rows["late"]["error_detail"] == "payments.0.date: must be from start_date to as_of"
    assert rows["bad"]["total_overdue"] is None
    assert rows["bad"]["bucket"] is None
    # the case study (SPEC §10) on 2026-06-20 with one of its payments: computed
    assert rows["a"]["error_type"] is None
    assert rows["d"]["days_past_due"] > 0
    manifest = json.loads((tmp_path / "out" / MANIFEST).read_text())
    assert (manifest["loans"], manifest["computed"], manifest["errors"]) == (4, 2, 2)
    assert "4 loans" in capsys.readouterr().out


def test_an_unreadable_file_refuses_the_run(tmp_path, capsys):
    source = tmp_path / "in.parquet"
    source.write_bytes(b"PAR1 this is not parquet")
    assert "not a readable Parquet file" in refused(capsys, source, tmp_path / "out")


def test_a_missing_input_and_an_empty_folder_refuse_the_run(tmp_path, capsys):
    assert "no such file" in refused(capsys, tmp_path / "nothing.parquet", tmp_path / "out")
    (tmp_path / "empty").mkdir()
    assert "no .parquet files" in refused(capsys, tmp_path / "empty", tmp_path / "out")


def test_an_empty_input_is_a_finished_run_of_no_loans(tmp_path):
    """A file with the columns and no rows: exit 0, a manifest of 0 loans; its one (empty) row
    group gives one empty part with the output's columns."""
    source = write_input(tmp_path / "in.parquet", input_table([LOAN]).slice(0, 0))
    assert batch(source, tmp_path / "out") == 0
    manifest = json.loads((tmp_path / "out" / MANIFEST).read_text())
    assert {k: manifest[k] for k in ("as_of", "loans", "computed", "errors", "currencies")} == {
        "as_of": AS_OF,
        "loans": 0,
        "computed": 0,
        "errors": 0,
        "currencies": {},
    }
    for part in manifest["parts"]:
        table = pq.read_table(tmp_path / "out" / part)
        assert table.num_rows == 0
        assert "payoff_amount" in table.column_names


def test_bad_rules_refuse_the_run(tmp_path, capsys):
    source = write_input(tmp_path / "in.parquet", input_table([LOAN]))
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"penalty": {"rate_multiplier": 1.5}}))
    assert "penalty.rate_multiplier" in refused(capsys, source, tmp_path / "out", "--rules", rules)
    rules.write_text(json.dumps({"allocation": {"order": ["fee", "fee", "interest", "principal"]}}))
    assert "allocation.order" in refused(capsys, source, tmp_path / "out", "--rules", rules)
    rules.write_text("{not json")
    assert "cannot read it as JSON" in refused(capsys, source, tmp_path / "out", "--rules", rules)


def test_an_as_of_outside_the_api_dates_is_a_usage_error(tmp_path, capsys):
    source = write_input(tmp_path / "in.parquet", input_table([LOAN]))
    with pytest.raises(SystemExit) as exited:
        main(["batch", "positions", str(source), str(tmp_path / "out"), "--as-of", "2201-01-01"])
    assert exited.value.code == 2
    assert "outside 1900-01-01..2200-12-31" in capsys.readouterr().err


def test_an_integer_money_column_is_refused_too(tmp_path, capsys):
    """SPEC §12: money is decimal128 or a string; an integer column is neither."""
    table = with_column(input_table([LOAN]), "principal", pa.array([12000], pa.int64()))
    line = refused(capsys, write_input(tmp_path / "in.parquet", table), tmp_path / "out")
    assert "column principal is int64: expected decimal128 or string" in line


def test_parquet_files_of_a_folder_are_read_in_name_order(tmp_path):
    write_input(tmp_path / "in" / "b.parquet", input_table([LOAN], ids=["second"]))
    write_input(tmp_path / "in" / "a.parquet", input_table([LOAN], ids=["first"]))
    assert batch(tmp_path / "in", tmp_path / "out") == 0
    assert [r["loan_id"] for r in output_rows(tmp_path / "out")] == ["first", "second"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "_manifest.json",
        "part-00000.parquet",
        "part-00001.parquet",
    ]
    assert pq.read_table(tmp_path / "out" / "part-00000.parquet").num_rows == 1
