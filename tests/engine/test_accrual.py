"""Daily accrual (SPEC §4): 算头不算尾, balance events from their own day, exact daily sums."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.engine.accrual import BalanceEvent, accrue
from app.engine.contract_rate import ContractRate
from app.engine.dates import DayCount
from app.engine.errors import InvalidTerms
from app.engine.money import CNY, Rounding, currency_of


def accrued(principal: str, start: date, end: date, rate: str = "0.0005", **kwargs):
    return accrue(
        principal=Decimal(principal),
        from_date=start,
        to_date=end,
        rate=ContractRate.from_daily(Decimal(rate), DayCount.D360),
        currency=kwargs.pop("currency", CNY),
        **kwargs,
    )


def test_thirty_days_at_0_05_percent_on_2000_is_30():
    """2000 × 0.0005 = 1.00 a day; May 15 … Jun 13 is 30 days (Jun 14 not counted): 30.00."""
    result = accrued("2000.00", date(2026, 5, 15), date(2026, 6, 14))
    assert (result.days, str(result.interest)) == (30, "30.00")
    assert result.rows is None


def test_equal_dates_give_zero_days_and_zero_interest():
    result = accrued("2000.00", date(2026, 5, 15), date(2026, 5, 15))
    assert (result.days, result.interest) == (0, Decimal(0))


def test_an_event_applies_from_its_own_day():
    """1000.00 over Mar 1–3 at 0.0005, +500 on Mar 2: Mar 1 on 1000 (0.50), Mar 2 and 3 on
    1500 (0.75 each): 2.00. Had it applied from the next day: 0.50 + 0.50 + 0.75 = 1.75."""
    events = [BalanceEvent(date(2026, 3, 2), Decimal("500.00"))]
    result = accrued("1000.00", date(2026, 3, 1), date(2026, 3, 4), events=events, detail=True)
    assert str(result.interest) == "2.00"
    assert result.rows is not None
    assert [str(r.balance) for r in result.rows] == ["1000.00", "1500.00", "1500.00"]


def test_events_on_one_date_add_up_and_an_event_on_from_date_counts_from_day_one():
    """0.00 opening, +3000 and −1000 on Mar 1 (from_date): 2000 for 2 days × 0.0005 = 2.00."""
    events = [
        BalanceEvent(date(2026, 3, 1), Decimal("3000.00")),
        BalanceEvent(date(2026, 3, 1), Decimal("-1000.00")),
    ]
    result = accrued("0", date(2026, 3, 1), date(2026, 3, 3), events=events)
    assert str(result.interest) == "2.00"


def test_total_is_the_rounded_sum_of_exact_daily_amounts_not_the_sum_of_rounded_days():
    """1000.00 at 0.000333 a day: 0.333 a day, 3 days = 0.999 → 1.00 (rounding each day
    first would give 0.33 × 3 = 0.99). Rows: interest 0.333000 (6 digits), cumulative the
    rounded running total 0.333 → 0.33, 0.666 → 0.67, 0.999 → 1.00."""
    result = accrued("1000.00", date(2026, 3, 1), date(2026, 3, 4), rate="0.000333", detail=True)
    assert str(result.interest) == "1.00"
    assert result.rows is not None
    assert [str(r.interest) for r in result.rows] == ["0.333000"] * 3
    assert [str(r.cumulative) for r in result.rows] == ["0.33", "0.67", "1.00"]
    assert [r.date for r in result.rows] == [date(2026, 3, d) for d in (1, 2, 3)]


def test_detail_row_interest_is_rounded_half_up_to_6_digits():
    """1.00 at 0.0000125 a day = 0.0000125: a tie at the 6th digit → 0.000013."""
    result = accrued("1.00", date(2026, 3, 1), date(2026, 3, 2), rate="0.0000125", detail=True)
    assert result.rows is not None
    assert str(result.rows[0].interest) == "0.000013"


def test_half_even_accrual_rounds_a_tie_to_even():
    """250.00 × 0.0005 × 1 day = 0.125: half_up 0.13, half_even 0.12."""
    start, end = date(2026, 3, 1), date(2026, 3, 2)
    assert str(accrued("250.00", start, end).interest) == "0.13"
    even = accrued("250.00", start, end, rounding=Rounding.HALF_EVEN)
    assert str(even.interest) == "0.12"


def test_jpy_accrual_rounds_to_whole_yen():
    """100,000 JPY × 0.0005 × 7 days = 350 (no minor digits); 1,001 JPY × 0.0005 × 1 = 0.5005
    → 1."""
    jpy = currency_of("JPY")
    assert str(accrued("100000", date(2026, 3, 1), date(2026, 3, 8), currency=jpy).interest) == (
        "350"
    )
    assert str(accrued("1001", date(2026, 3, 1), date(2026, 3, 2), currency=jpy).interest) == "1"


@pytest.mark.parametrize(
    "event_date",
    [date(2026, 2, 28), date(2026, 3, 11)],  # before from_date, on to_date (excluded)
)
def test_an_event_outside_the_period_is_refused(event_date):
    with pytest.raises(InvalidTerms, match="within"):
        accrued(
            "1000.00",
            date(2026, 3, 1),
            date(2026, 3, 11),
            events=[BalanceEvent(event_date, Decimal("1.00"))],
        )


def test_a_balance_below_zero_is_refused():
    with pytest.raises(InvalidTerms, match="below 0"):
        accrued(
            "1000.00",
            date(2026, 3, 1),
            date(2026, 3, 11),
            events=[BalanceEvent(date(2026, 3, 5), Decimal("-1000.01"))],
        )


def test_to_date_before_from_date_is_refused():
    with pytest.raises(InvalidTerms):
        accrued("1000.00", date(2026, 3, 2), date(2026, 3, 1))
