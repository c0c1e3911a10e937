"""Allocation oldest first and the standing as of a date (app/engine/standing.py), pure."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.engine.standing import Due, allocate, standing_as_of, waterfall

PLAN = [Due(n, date(2026, 6 + n, 20), 88081) for n in range(1, 7)]  # 6 × 880.81


def test_waterfall_fills_installments_in_order():
    # 1000.00 = 880.81 + 119.19
    assert waterfall(100000, PLAN) == [88081, 11919, 0, 0, 0, 0]
    assert waterfall(6 * 88081 + 5, PLAN) == [88081] * 6  # never more than is due


def test_allocate_skips_what_is_already_paid():
    assert allocate(88081, PLAN, [88081, 11919, 0, 0, 0, 0]) == [(2, 76162), (3, 11919)]


def test_standing_on_the_due_date_is_not_overdue_and_the_day_after_is():
    on_due = standing_as_of(date(2026, 7, 20), PLAN, [])
    assert (on_due.overdue_amount, on_due.days_past_due, on_due.next_due_date) == (
        0,
        0,
        date(2026, 7, 20),
    )
    after = standing_as_of(date(2026, 7, 21), PLAN, [])
    assert (after.overdue_amount, after.days_past_due, after.oldest_overdue_number) == (
        88081,
        1,
        1,
    )
    assert (after.next_due_date, after.next_amount) == (date(2026, 8, 20), 88081)


def test_payments_after_as_of_do_not_count():
    payments = [(date(2026, 7, 20), 88081), (date(2026, 8, 25), 88081)]
    standing = standing_as_of(date(2026, 8, 21), PLAN, payments)
    assert (standing.paid_to_date, standing.overdue_amount, standing.days_past_due) == (
        88081,
        88081,
        1,
    )


amounts = st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=24)


@given(amounts, st.lists(st.integers(min_value=1, max_value=10**9), max_size=30))
def test_allocations_add_up_and_never_exceed_what_is_due(dues_amounts, payments):
    dues = [Due(n, date(2026, 1, 1) + timedelta(days=30 * n), a)
            for n, a in enumerate(dues_amounts, start=1)]  # fmt: skip
    paid = [0] * len(dues)
    outstanding = sum(dues_amounts)
    for amount in payments:
        if amount > outstanding:
            continue  # the service refuses it
        allocations = allocate(amount, dues, paid)
        assert sum(a for _, a in allocations) == amount
        for number, applied in allocations:
            paid[number - 1] += applied
        outstanding -= amount
        assert paid == waterfall(sum(paid), dues)  # oldest first: only the total matters
    assert all(0 <= p <= d.amount for p, d in zip(paid, dues, strict=True))
