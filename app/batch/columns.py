"""The input's columns (SPEC §12), checked before any loan is computed, and the output schema.

A column of the wrong kind refuses the whole run, naming it: above all a float column for
money or a rate, whose values are already inexact. Columns the batch does not know are ignored
(portfolio files carry other data); a missing optional column takes the SPEC §2 default.
"""

from __future__ import annotations

import pyarrow as pa

from app.batch.position_row import AMOUNT_COLUMNS, SUMMARY_COLUMNS
from app.batch.refusals import RunRefused

REQUIRED = ("loan_id", "principal", "term_months", "start_date")
DECIMAL_COLUMNS = ("principal", "annual_rate", "daily_rate", "fee_rate", "fee_rate_per_period")
TEXT_COLUMNS = ("loan_id", "currency", "method", "interest_basis", "grace_type", "rounding")
INTEGER_COLUMNS = ("day_count", "term_months", "grace_months")
DATE_COLUMNS = ("start_date", "first_due_date")
INPUT_COLUMNS = (*TEXT_COLUMNS, *DECIMAL_COLUMNS, *INTEGER_COLUMNS, *DATE_COLUMNS, "payments")
OUTPUT_FIXED = ("loan_id", "currency", "as_of")
ERROR_COLUMNS = ("error_type", "error_detail")


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _is_decimal_or_text(kind: pa.DataType) -> bool:
    return pa.types.is_decimal(kind) or _is_text(kind)


def _refuse(name: str, kind: pa.DataType, wanted: str) -> RunRefused:
    if pa.types.is_floating(kind):
        return RunRefused(
            f"column {name} is {kind}: money and rates must be decimal128 or strings, "
            "never float (SPEC §12)"
        )
    return RunRefused(f"column {name} is {kind}: expected {wanted} (SPEC §12)")


def check_input_schema(schema: pa.Schema, source: str) -> list[str]:
    """The known columns present in `schema`, or RunRefused naming the first bad one."""
    missing = [name for name in REQUIRED if name not in schema.names]
    if missing:
        raise RunRefused(f"{source}: missing required column {', '.join(missing)}")
    for name in INPUT_COLUMNS:
        if name not in schema.names:
            continue
        kind = schema.field(name).type
        if name in DECIMAL_COLUMNS and not _is_decimal_or_text(kind):
            raise _refuse(name, kind, "decimal128 or string")
        if name in TEXT_COLUMNS and not _is_text(kind):
            raise _refuse(name, kind, "string")
        if name in INTEGER_COLUMNS and not pa.types.is_integer(kind):
            raise _refuse(name, kind, "an integer type")
        if name in DATE_COLUMNS and not pa.types.is_date(kind):
            raise _refuse(name, kind, "date32")
        if name == "payments":
            _check_payments(kind)
    return [name for name in INPUT_COLUMNS if name in schema.names]


def _check_payments(kind: pa.DataType) -> None:
    wanted = "list<struct<date: date32, amount, reference: string>>"
    is_list = pa.types.is_list(kind) or pa.types.is_large_list(kind)
    if not is_list or not pa.types.is_struct(kind.value_type):
        raise _refuse("payments", kind, wanted)
    struct = kind.value_type
    names = [struct.field(i).name for i in range(struct.num_fields)]
    for name in ("date", "amount"):
        if name not in names:
            raise RunRefused(f"column payments: its structs lack {name} (SPEC §12)")
    checks = {"date": pa.types.is_date, "amount": _is_decimal_or_text, "reference": _is_text}
    for name in names:
        field_type = struct.field(name).type
        if name in checks and not checks[name](field_type):
            raise _refuse(f"payments.{name}", field_type, wanted)


def output_schema(scale: int) -> pa.Schema:
    """loan_id, currency, as_of, the summary of SPEC §5, error_type, error_detail."""
    money = pa.decimal128(38, scale)
    kinds = {
        "penalty_capped": pa.bool_(),
        "days_past_due": pa.int32(),
        "bucket": pa.string(),
        "classification": pa.string(),
        "next_due_date": pa.date32(),
    }
    summary = [pa.field(n, money if n in AMOUNT_COLUMNS else kinds[n]) for n in SUMMARY_COLUMNS]
    return pa.schema(
        [
            pa.field("loan_id", pa.string(), nullable=False),
            pa.field("currency", pa.string()),
            pa.field("as_of", pa.date32(), nullable=False),
            *summary,
            pa.field("error_type", pa.string()),
            pa.field("error_detail", pa.string()),
        ]
    )
