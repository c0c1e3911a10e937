"""The C row writer (app/api/_rows_json.c); app/api/rows_json.py holds the Python it transcribes."""

from collections.abc import Sequence
from datetime import date

Row = tuple[int, date, int, int, int, int, int, int, int]

def write_rows(
    rows: Sequence[Row], digits: int, /
) -> tuple[bytes, tuple[str, str, str, str, str]]: ...
