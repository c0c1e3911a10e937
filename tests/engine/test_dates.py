"""Calendar rules of SPEC §1: month-end clamp from the anchor day, 算头不算尾 day counts."""

from __future__ import annotations

from datetime import date

import pytest

from app.engine.dates import add_months, days_between, due_dates


def test_start_on_jan_31_clamps_each_month_but_keeps_the_anchor_day():
    """Start Jan 31 (2026, not a leap year): Feb has 28 days → Feb 28; Mar 31; Apr 30;
    May 31. The day comes from the start every time, so Mar is 31, not 28 (SPEC §1)."""
    assert due_dates(date(2026, 1, 31), 4) == [
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
    ]


def test_leap_year_february_clamps_to_the_29th():
    """2028 is a leap year (divisible by 4, not by 100): Jan 31 + 1 month → Feb 29."""
    assert due_dates(date(2028, 1, 31), 2) == [date(2028, 2, 29), date(2028, 3, 31)]


def test_century_year_2100_is_not_a_leap_year():
    """2100 is divisible by 100 but not 400: Feb 2100 has 28 days."""
    assert add_months(date(2100, 1, 30), 1) == date(2100, 2, 28)


def test_year_2000_is_a_leap_year():
    """2000 is divisible by 400: Feb 2000 has 29 days."""
    assert add_months(date(1999, 12, 31), 2) == date(2000, 2, 29)


def test_first_due_date_gives_the_day_for_every_installment():
    """first_due_date Jan 31: installment k falls k − 1 months later, day 31 clamped:
    Jan 31, Feb 28, Mar 31, Apr 30 — never Mar 28 from the clamped February."""
    assert due_dates(date(2026, 1, 10), 4, first_due_date=date(2026, 1, 31)) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]


def test_first_due_date_day_wins_over_start_day():
    """Start Jan 15, first due Feb 20: dues on the 20th (Feb 20, Mar 20, Apr 20)."""
    assert due_dates(date(2026, 1, 15), 3, first_due_date=date(2026, 2, 20)) == [
        date(2026, 2, 20),
        date(2026, 3, 20),
        date(2026, 4, 20),
    ]


def test_month_stepping_crosses_year_ends():
    """Nov 30 + 3 months = Feb 28 of the next year; Dec 15 − 12 months = Dec 15 a year before."""
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 12, 15), -12) == date(2025, 12, 15)


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2026, 1, 15), date(2026, 2, 15), 31),  # Jan 15 … Feb 14 counted, Feb 15 not
        (date(2026, 2, 15), date(2026, 3, 15), 28),  # February 2026
        (date(2028, 2, 15), date(2028, 3, 15), 29),  # February 2028, leap
        (date(2026, 5, 15), date(2026, 6, 14), 30),
        (date(2026, 3, 1), date(2026, 3, 1), 0),  # [a, a) is empty
        (date(2026, 1, 1), date(2027, 1, 1), 365),
        (date(2028, 1, 1), date(2029, 1, 1), 366),
    ],
)
def test_days_count_the_first_day_not_the_last(start, end, days):
    """算头不算尾: [a, b) has b − a days, counted on the calendar by hand."""
    assert days_between(start, end) == days
