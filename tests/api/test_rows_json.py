"""The C row writer (app/api/_rows_json.c) prints exactly what the Python it transcribes prints
(app/api/rows_json.py: unit_rows through orjson.dumps, unit_totals), byte for byte, and
refuses hostile input with a Python exception, never a crash.

Decision for ints past 64 bits: the kernel raises OverflowError (for an amount, a payment or a
total that would pass 64 bits) and wire_rows prints that schedule in Python, so a balance of
10^27 minor units (a capitalizing loan may reach it) still prints exactly.
"""

from __future__ import annotations

import importlib
import os
from datetime import UTC, date, datetime
from types import ModuleType

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.api import rows_json
from app.api.responses import json_document
from app.api.rows_json import unit_rows, unit_totals, wire_rows
from app.api.schemas.schedules import schedule_body, schedule_document
from tests.engine.test_properties import FAST, schedule_of
from tests.strategies import loan_terms

INT64 = (-(2**63), 2**63 - 1)


@pytest.fixture(scope="module")
def kernel() -> ModuleType:
    try:
        return importlib.import_module("app.api._rows_json")
    except ImportError as missing:
        if os.environ.get("CI") == "true":
            raise AssertionError(f"app.api._rows_json was not built ({missing})") from None
        pytest.skip(f"app.api._rows_json not built here (no C compiler?): {missing}")


def python_path(rows, digits):
    return orjson.dumps(unit_rows(rows, digits)), unit_totals(rows, digits)


@FAST
@given(loan_terms())
def test_the_kernel_prints_random_schedules_as_the_python_does(kernel, terms):
    """Every method, basis, grace, rounding and currency (CNY 2, JPY 0, KWD 3 digits)."""
    schedule = schedule_of(terms)
    digits = terms.currency.minor_digits
    assert kernel.write_rows(schedule.rows, digits) == python_path(schedule.rows, digits)
    assert kernel.write_rows(list(schedule.rows), digits) == python_path(schedule.rows, digits)
    # the response body: the same bytes as the plain document, before and after the Decimal
    # view exists (schedule_document then prints the Decimals)
    body = json_document(schedule_body(schedule)).body
    assert body == orjson.dumps(schedule_document(schedule))
    assert schedule.installments
    assert body == orjson.dumps(schedule_document(schedule))


amounts = st.integers(-(10**15), 10**15)
rows_strategy = st.lists(
    st.tuples(
        st.integers(-(10**6), 10**6),
        st.dates(),
        st.integers(-(10**6), 10**6),
        amounts,
        amounts,
        amounts,
        amounts,
        amounts,
        amounts,
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(rows_strategy, st.sampled_from([0, 2, 3]))
def test_the_kernel_prints_any_rows_as_the_python_does(kernel, rows, digits):
    """Negative amounts in every column (the Python's floor division for all but the principal),
    years 1 to 9999, zeros: the same bytes and totals."""
    assert kernel.write_rows(rows, digits) == python_path(rows, digits)


def test_hand_worked_rows(kernel):
    """Worked out by hand: CNY 1200000 fen = "12000.00"; a -5 fen principal prints "-0.05"
    (format_units) while the payment -5 + 7 + 0 = 2 prints "0.02"; totals are column sums."""
    rows = [
        (1, date(2026, 2, 15), 31, 1200000, -5, 7, 0, 0, 1200005),
        (2, date(2026, 3, 15), 28, 1200005, 1200005, 9, 100, 0, 0),
    ]
    body, totals = kernel.write_rows(rows, 2)
    assert body == (
        b'[{"number":1,"due_date":"2026-02-15","days":31,"opening_principal":"12000.00",'
        b'"principal":"-0.05","interest":"0.07","fee":"0.00","payment":"0.02",'
        b'"capitalized_interest":"0.00","closing_principal":"12000.05"},'
        b'{"number":2,"due_date":"2026-03-15","days":28,"opening_principal":"12000.05",'
        b'"principal":"12000.05","interest":"0.09","fee":"1.00","payment":"12001.14",'
        b'"capitalized_interest":"0.00","closing_principal":"0.00"}]'
    )
    # principal 1200000, interest 16, fee 100, payment 1200116
    assert totals == ("12000.00", "0.16", "1.00", "12001.16", "0.00")
    # JPY: no point; KWD: three digits (1200005 fils = 1200.005)
    assert kernel.write_rows(rows, 0)[1] == ("1200000", "16", "100", "1200116", "0")
    assert b'"closing_principal":"1200.005"' in kernel.write_rows(rows, 3)[0]
    assert kernel.write_rows((), 2) == (b"[]", ("0.00",) * 5)


def test_the_extremes_of_64_bits_print_exactly(kernel):
    """-2**63 and 2**63 - 1 in one column each (no sum past 64 bits), years 1 and 9999."""
    low, high = INT64
    rows = [
        (high, date(1, 1, 1), low, high, 0, 0, 0, 0, low),
        (low, date(9999, 12, 31), high, low, low, 0, high, high, high),
    ]
    for digits in (0, 2, 3, 9):
        assert kernel.write_rows(rows, digits) == python_path(rows, digits)


ROW = (1, date(2026, 2, 15), 31, 100, 50, 1, 0, 0, 50)


@pytest.mark.parametrize(
    ("rows", "digits", "error"),
    [
        ([(1.0, *ROW[1:])], 2, TypeError),  # a float number
        ([(True, *ROW[1:])], 2, TypeError),  # bool is an int subclass: refused, not "1"
        ([(*ROW[:3], 100.5, *ROW[4:])], 2, TypeError),  # a float amount
        ([(*ROW[:3], "100", *ROW[4:])], 2, TypeError),
        ([(*ROW[:3], None, *ROW[4:])], 2, TypeError),
        ([(ROW[0], "2026-02-15", *ROW[2:])], 2, TypeError),
        ([(ROW[0], datetime(2026, 2, 15, tzinfo=UTC), *ROW[2:])], 2, TypeError),  # a time
        ([list(ROW)], 2, TypeError),  # a row must be a tuple
        ([ROW[:8]], 2, ValueError),
        ([(*ROW, 0)], 2, ValueError),
        (iter([ROW]), 2, TypeError),  # only a tuple or a list of rows
        ({1: ROW}, 2, TypeError),
        (None, 2, TypeError),
        ([ROW], 10, ValueError),
        ([ROW], -1, ValueError),
        ([ROW], 2**70, OverflowError),
        ([ROW], "2", TypeError),
    ],
)
def test_hostile_input_raises(kernel, rows, digits, error):
    with pytest.raises(error):
        kernel.write_rows(rows, digits)


def test_the_argument_count_is_checked(kernel):
    with pytest.raises(TypeError):
        kernel.write_rows([ROW])
    with pytest.raises(TypeError):
        kernel.write_rows([ROW], 2, 3)


BEYOND = [
    [(*ROW[:3], 10**25, *ROW[4:])],  # an opening of 10^25 minor units
    [(*ROW[:8], -(2**63) - 1)],  # one below the 64-bit range
    [(2**64, *ROW[1:])],  # a number past 64 bits
    [(*ROW[:4], 2**62, 2**62, 0, 0, 0)],  # a payment past 64 bits, each part within
    [(*ROW[:4], 2**62, 0, 0, 0, 0)] * 2,  # a principal total past 64 bits
    # the payment total past 64 bits, every row's payment within
    [(*ROW[:4], 2**62, 2**60, 2**60, 0, 0), (*ROW[:4], 0, 2**62 - 1, 2**62 - 1, 0, 0)],
]


@pytest.mark.parametrize("rows", BEYOND)
def test_past_64_bits_the_kernel_raises_and_the_python_prints(kernel, rows):
    with pytest.raises(OverflowError):
        kernel.write_rows(rows, 2)
    printed, totals = wire_rows(rows, 2)
    if rows[0][0] == 2**64:  # orjson itself refuses an int past 64 bits in a plain field
        assert printed == unit_rows(rows, 2)
        return
    assert orjson.dumps(printed) == orjson.dumps(unit_rows(rows, 2))
    assert totals == unit_totals(rows, 2)


def test_a_balance_of_10_to_the_27_prints_exactly():
    """10^27 minor units (MAX_BALANCE 10^24 in KWD's fils): "10^24" with three zero digits."""
    rows = [(1, date(2026, 2, 15), 31, 10**27, 0, 1, 0, 0, 10**27)]
    printed, totals = wire_rows(rows, 3)
    assert orjson.loads(orjson.dumps(printed))[0]["opening_principal"] == "1" + "0" * 24 + ".000"
    assert totals == ("0.000", "0.001", "0.000", "0.001", "0.000")


def test_without_the_kernel_the_python_prints_the_same(monkeypatch):
    rows = [ROW, (2, date(2026, 3, 15), 28, 50, 50, 1, 0, 0, 0)]
    with_kernel = orjson.dumps(wire_rows(rows, 2)[0]), wire_rows(rows, 2)[1]
    monkeypatch.setattr(rows_json, "write_rows", None)
    printed, totals = wire_rows(rows, 2)
    assert isinstance(printed, list)
    assert (orjson.dumps(printed), totals) == with_kernel
    assert totals == ("1.00", "0.02", "0.00", "1.02", "0.00")  # 50 + 50 fen, 1 + 1 fen
