"""The compiled kernels (app/engine/_kernels.c) against the exact Python they transcribe.

`certified_rates` and `amortize.table` ask the kernel first; where it answers, its answer must
be the Python's exactly, and the Python is itself checked against a 50-digit bisection
(test_certified_rates) and the Decimal engine (test_integer_core), both of which run through
the kernel. Here every draw is computed twice, with the kernel and with the module's KERNEL set
to None (the Python alone): loans' schedules, arbitrary one-sign-change flows, roots on and a
hair beside the rounding ties, and input the kernel must refuse or pass on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from itertools import accumulate
from typing import TypeVar
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine import amortize, certified_rates
from app.engine.errors import InvalidTerms
from app.engine.schedule import build_schedule
from tests.strategies import loan_terms

kernel = pytest.importorskip(
    "app.engine._kernels", reason="the C kernel is not built here (tests/install fails on CI)"
)
T = TypeVar("T")


@contextmanager
def python_only() -> Iterator[None]:
    with (
        mock.patch.object(certified_rates, "KERNEL", None),
        mock.patch.object(amortize, "KERNEL", None),
    ):
        yield


def both(compute: Callable[[], T]) -> tuple[T, T]:
    """(with the kernel, the Python alone)."""
    with_kernel = compute()
    with python_only():
        return with_kernel, compute()


@settings(max_examples=150, deadline=None)
@given(loan_terms())
def test_every_schedule_is_the_same_with_and_without_the_kernels(terms):
    """Rows, level amount and both rates, for every method, basis, grace, rounding, currency."""
    try:
        fast, exact = both(lambda: build_schedule(terms))
    except InvalidTerms:  # terms the API answers with a 422 (tests/api)
        with pytest.raises(InvalidTerms) as refused, python_only():
            build_schedule(terms)
        with pytest.raises(InvalidTerms) as refused_in_c:
            build_schedule(terms)
        assert str(refused_in_c.value) == str(refused.value)
        return
    assert fast == exact


@pytest.mark.parametrize(
    ("level", "refusal"),
    [
        (lambda balance, remaining: balance, "principal: the balance would fall below zero"),
        (lambda balance, remaining: -balance, "interest_basis: the balance would grow above"),
        (lambda balance, remaining: balance // remaining, None),
    ],
)
def test_the_level_loop_refuses_what_the_python_refuses(level, refusal):
    """amortize.table with a level amount that overshoots (row 2's opening is 0, so its
    principal takes the balance below 0), one that doubles the balance each row (past the
    cap on row 3), and a fitting one: the same rows or the same InvalidTerms from both."""
    calendar = tuple((date(2026, month, 15), 30) for month in range(2, 8))
    interest = amortize.periodic_interest(18, 100, 1, False)
    arguments = (1_000_000, calendar, [0] * 6, interest, 0, False, level, True, 3_000_000)
    outcomes = []
    for context in (python_only, _nothing):
        with context():
            try:
                outcomes.append(amortize.table(*arguments))
            except InvalidTerms as refused:
                outcomes.append(str(refused))
    assert outcomes[0] == outcomes[1]
    assert refusal is None or str(outcomes[0]).startswith(refusal)


@contextmanager
def _nothing() -> Iterator[None]:
    yield


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=10**12),
    st.lists(st.integers(min_value=0, max_value=10**10), min_size=1, max_size=400),
)
def test_monthly_flows_certify_as_the_python_does(principal, payments):
    if not any(payments):
        return  # no sign change: certified_rates is never asked (the 422 path)
    flows = [-principal, *payments]
    fast, exact = both(lambda: certified_rates.apr(flows, 0.01))
    assert fast == exact


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=10**12),
    st.lists(st.tuples(st.integers(1, 800), st.integers(1, 10**10)), min_size=1, max_size=200),
    st.floats(min_value=-0.5, max_value=3.0),
)
def test_dated_flows_certify_as_the_python_does(principal, steps, guess):
    """Any gaps (1–800 days), any guess: the guess only moves where the exact walk starts."""
    days = accumulate(gap for gap, _ in steps)
    flows = [(0, -principal), *zip(days, (amount for _, amount in steps), strict=True)]
    fast, exact = both(lambda: certified_rates.xirr(flows, guess))
    assert fast == exact


@given(st.integers(min_value=0, max_value=5_000_000))
def test_a_root_on_a_tie_is_left_to_the_exact_python(micro):
    """Roots exactly on a tie (built as in test_certified_rates): the interval cannot sign the
    NPV there, so the kernel gives up (None) and the exact rational sign decides: away from 0."""
    d = 24_000_000
    n = d + 2 * micro + 1
    assert kernel.certified_micro([0, 1], [-d, n], 12, 0, 0.01) is None
    assert certified_rates.apr([-d, n], 0.01) == Decimal(micro + 1).scaleb(-6)


@given(st.integers(min_value=1, max_value=10_000_000), st.sampled_from([-1, 1]))
def test_a_root_a_hair_from_a_tie_is_certified_to_its_own_side(micro, shift):
    """10^−12 a year from a tie: well within 64 bits, so the kernel itself answers (from
    j = 1: the walk to j = 0 probes the tie −½·10^−6, a negative rate, left to the Python)."""
    d = 24 * 10**12
    n = d + 10**6 * (2 * micro + 1) + shift
    expected = micro if shift < 0 else micro + 1
    assert kernel.certified_micro([0, 1], [-d, n], 12, 0, 0.01) == expected


def test_zero_flows_are_left_out_and_consecutive_times_may_be_implied():
    """A bullet's empty months: the same rate as without them at the same times; None for
    the times is 0, 1, 2, …; flows summing to 0 have the rate 0 exactly."""
    with_zeros = kernel.certified_micro(None, [-1000, 0, 0, 1100], 12, 0, 0.01)
    assert with_zeros == kernel.certified_micro([0, 3], [-1000, 1100], 12, 0, 0.01)
    assert with_zeros == certified_rates.apr([-1000, 0, 0, 1100], 0.01).scaleb(6)
    assert kernel.certified_micro(None, [-1000, 400, 600], 12, 0, 0.01) == 0


def test_the_kernel_answers_a_loans_rates_itself():
    """The case study's kind of loan, 12 and 360 months: certified in C, not passed on (with
    the figures worked out in tests/engine/test_schedule.py's golden cases)."""
    payments = [110016] * 11 + [110014]
    months = list(range(13))
    days = [0, *accumulate([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])]
    flows = [-1_200_000, *payments]
    assert kernel.certified_micro(months, flows, 12, 0, 0.015) is not None
    assert kernel.certified_micro(days, flows, 1, 365, 0.19) is not None
    long_flows = [-100_000_000, *[530_720] * 359, 530_714]
    assert kernel.certified_micro(list(range(361)), long_flows, 12, 0, 0.004) is not None


@pytest.mark.parametrize(
    ("times", "amounts", "per_year", "days", "error"),
    [
        ([0, 1], [-100, "101"], 12, 0, TypeError),
        ([0, 1.0], [-100, 101], 12, 0, TypeError),
        ([0, 1, 2], [-100, 101], 12, 0, ValueError),
        ([0, 2, 1], [-100, 50, 60], 12, 0, ValueError),
        ([0, 1], [-100, 101], 0, 0, ValueError),
        ([0, 1], [-100, 101], 12, 100_000, ValueError),
        (5, [-100, 101], 12, 0, TypeError),
    ],
)
def test_the_kernel_refuses_malformed_input(times, amounts, per_year, days, error):
    with pytest.raises(error):
        kernel.certified_micro(times, amounts, per_year, days, 0.01)


@pytest.mark.parametrize(
    ("times", "amounts"),
    [
        ([], []),
        ([0], [-100]),
        ([0, 1], [-(2**70), 2**71]),  # beyond 64 bits
        ([0, 1], [-(2**60), 2**61]),  # beyond the 2^61 the accumulator is sized for
        ([0, 1], [0, 100]),  # no first flow to sign
        ([0, 1], [-100, 50]),  # −50 %: below 0, for the exact Python
        ([0, 1], [-100, 1000]),  # 900 % a period: above 100 %, for the exact Python
    ],
)
def test_the_kernel_passes_on_what_it_is_not_sized_for(times, amounts):
    assert kernel.certified_micro(times, amounts, 12, 0, 0.01) is None


def test_the_level_loop_refuses_malformed_input():
    calendar = ((date(2026, 2, 15), 31), (date(2026, 3, 15), 28))
    good = (1000, calendar, [0, 0], 1, 2, 18, 1200, False, False, 505, True, 10**9)
    assert kernel.level_rows(*good) is not None
    with pytest.raises(TypeError):
        kernel.level_rows(1000, list(calendar), *good[2:])
    with pytest.raises(ValueError, match="calendar and fees"):
        kernel.level_rows(*good[:4], 5, *good[5:])  # rows past the calendar
    with pytest.raises(TypeError):
        kernel.level_rows(1000, ((date(2026, 2, 15), "31"),) * 2, *good[2:])
    with pytest.raises(TypeError):
        kernel.level_rows("1000", *good[1:])
    assert kernel.level_rows(2**70, *good[1:]) is None  # past 64 bits: for the Python


def _row(number, days, opening, principal, interest, fee=0):
    return (number, date(2026, 1, 1), days, opening, principal, interest, fee, 0, 0)


def test_a_schedules_rates_come_from_its_rows_in_one_call():
    """loan_rates certifies what certified_rates' apr and xirr give for the same flows: the
    principal at month 0 and day 0, each payment at month months − 1 + its number."""
    rows = [_row(1, 31, 1000, 490, 18), _row(2, 28, 510, 510, 9)]
    apr = certified_rates.apr([-1000, 508, 519], 0.015)
    xirr = certified_rates.xirr([(0, -1000), (31, 508), (59, 519)], 0.2)
    assert kernel.loan_rates(rows, 1, 0.015) == (apr.scaleb(6), xirr.scaleb(6))
    bullet = [_row(1, 90, 1000, 1000, 45)]  # one payment at month 3
    assert kernel.loan_rates(bullet, 3, 0.015)[0] == certified_rates.apr(
        [-1000, 0, 0, 1045], 0.015
    ).scaleb(6)


@pytest.mark.parametrize(
    "rows",
    [
        [_row(1, 31, 1000, -1000, -5)],  # a payment below 0
        [_row(1, 31, 0, 0, 0)],  # no principal, no payment
        [_row(1, 0, 1000, 1000, 10)],  # a row of 0 days
        [_row(1, 31, 2**64, 2**64, 1)],  # past 64 bits
        [],
    ],
)
def test_loan_rates_passes_on_what_is_not_a_plain_loan(rows):
    assert kernel.loan_rates(rows, 1, 0.01) is None


def test_loan_rates_refuses_malformed_rows():
    with pytest.raises(TypeError):
        kernel.loan_rates([(1, 2, 3)], 1, 0.01)
    with pytest.raises(TypeError):
        kernel.loan_rates([_row(1, "31", 1000, 1000, 10)], 1, 0.01)
    with pytest.raises(TypeError):
        kernel.loan_rates(5, 1, 0.01)
