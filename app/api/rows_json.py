"""A schedule's installment rows as JSON, printed straight from the engine's minor units.

`unit_rows` and `unit_totals` are the reference: plain dicts and strings. `wire_rows` is what
a response prints: the C writer (app/api/_rows_json.c, built by `make install`) gives the rows'
JSON bytes, which orjson embeds as they are (orjson.Fragment), and the totals; without the
kernel (no C compiler) or for a schedule past 64 bits it prints `unit_rows` instead, the same
bytes (tests/api/test_rows_json.py). See docs/decisions.md, "The C row writer".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import orjson

from app.engine.amortize import UnitRow
from app.engine.rounding import format_units
from app.engine.schedule import totals_units

Totals = tuple[str, str, str, str, str]  # principal, interest, fee, payment, capitalized
Writer = Callable[[Sequence[UnitRow], int], tuple[bytes, Totals]]

write_rows: Writer | None
try:
    from app.api._rows_json import write_rows
except ImportError:  # built without a C compiler: the Python below prints the same bytes
    write_rows = None


def wire_rows(rows: Sequence[UnitRow], digits: int) -> tuple[orjson.Fragment | list[Any], Totals]:
    """The installments for orjson.dumps (JSON bytes when the kernel is built) and the totals."""
    if write_rows is not None:
        try:
            body, totals = write_rows(rows, digits)
        except OverflowError:  # a balance past 9.2e18 minor units (it may reach 10^27)
            pass
        else:
            return orjson.Fragment(body), totals
    return unit_rows(rows, digits), unit_totals(rows, digits)


def unit_totals(rows: Sequence[UnitRow], digits: int) -> Totals:
    principal, interest, fee, payment, capitalized = totals_units(rows)
    return (
        format_units(principal, digits),
        format_units(interest, digits),
        format_units(fee, digits),
        format_units(payment, digits),
        format_units(capitalized, digits),
    )


def unit_rows(rows: Sequence[UnitRow], digits: int) -> list[dict[str, Any]]:
    """The rows as dicts of JSON-ready values: `pattern % divmod(units, scale)` gives the
    currency's digits exactly ("2509.07"; JPY's "%d%.0s" drops the remainder). Only a principal
    can be negative (negative amortization); format_units prints those. A row's opening is the
    previous row's closing, printed once."""
    scale = 10**digits
    pattern = f"%d.%0{digits}d" if digits else "%d%.0s"
    printed: list[dict[str, Any]] = []
    append = printed.append
    previous, previous_text = None, ""
    repeated: dict[int, str] = {}  # payment, fee, capitalized: the same on most rows

    def text(units: int) -> str:
        value = repeated.get(units)
        if value is None:
            value = repeated[units] = pattern % divmod(units, scale)
        return value

    for number, due, days, opening, principal, interest, fee, capitalized, closing in rows:
        closing_text = pattern % divmod(closing, scale)
        append(
            {
                "number": number,
                "due_date": due.isoformat(),
                "days": days,
                "opening_principal": (
                    previous_text if opening == previous else pattern % divmod(opening, scale)
                ),
                "principal": (
                    pattern % divmod(principal, scale)
                    if principal >= 0
                    else format_units(principal, digits)
                ),
                "interest": pattern % divmod(interest, scale),
                "fee": text(fee),
                "payment": text(principal + interest + fee),
                "capitalized_interest": text(capitalized),
                "closing_principal": closing_text,
            }
        )
        previous, previous_text = closing, closing_text
    return printed
