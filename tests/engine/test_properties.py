"""Invariants over random valid loans of every method and basis (hypothesis, SPEC §1–4).

Each property is checked against a computation written here, not against the engine's own
helpers: the month-end clamp is recomputed with `calendar.monthrange`, the accrual total is
re-summed day by day in exact fractions.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from app.engine.accrual import BalanceEvent, accrue
from app.engine.contract_rate import ContractRate
from app.engine.dates import DayCount
from app.engine.errors import InvalidTerms
from app.engine.money import Rounding, currency_of
from app.engine.schedule import (
    GraceType,
    LoanTerms,
    Method,
    Schedule,
    build_schedule,
)
from tests.reference import round_half_even, round_half_up
from tests.strategies import decimals, loan_terms

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Refusals SPEC §2 allows for valid-looking input (a tiny principal over a long term).
_ALLOWED_REFUSALS = ("below zero", "negative")


def schedule_of(terms: LoanTerms) -> Schedule:
    try:
        return build_schedule(terms)
    except InvalidTerms as refused:
        if any(reason in refused.reason for reason in _ALLOWED_REFUSALS):
            reject()
        raise


def month_end_clamped(anchor: date, months: int) -> date:
    """Independent month stepping: the anchor's day, or the month's last day if shorter."""
    year, month0 = divmod(anchor.year * 12 + anchor.month - 1 + months, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(anchor.day, last))


@FAST
@given(loan_terms())
def test_principals_add_up_to_the_loan_plus_capitalized_interest(terms):
    schedule = schedule_of(terms)
    rows = schedule.installments
    capitalized = sum((r.capitalized_interest for r in rows), Decimal(0))
    assert sum((r.principal for r in rows), Decimal(0)) == terms.principal + capitalized


@FAST
@given(loan_terms())
def test_every_row_reconciles_and_the_last_closes_at_zero(terms):
    schedule = schedule_of(terms)
    rows = schedule.installments
    opening = terms.principal
    for row in rows:
        assert row.opening_principal == opening
        assert row.closing_principal == (
            row.opening_principal - row.principal + row.capitalized_interest
        )
        assert row.payment == row.principal + row.interest + row.fee
        if row.capitalized_interest:
            assert row.payment == row.principal == row.interest == row.fee == 0
        opening = row.closing_principal
    assert rows[-1].closing_principal == 0


@FAST
@given(loan_terms())
def test_every_amount_is_rounded_to_the_minor_unit_and_totals_are_column_sums(terms):
    schedule = schedule_of(terms)
    unit = Decimal(1).scaleb(-terms.currency.minor_digits)
    names = ("principal", "interest", "fee", "payment", "capitalized_interest")
    for row in schedule.installments:
        for name in (*names, "opening_principal", "closing_principal"):
            value = getattr(row, name)
            assert value == value.quantize(unit), (name, value)
    for name in names:
        column = sum((getattr(r, name) for r in schedule.installments), Decimal(0))
        assert getattr(schedule.totals, name) == column


@FAST
@given(loan_terms())
def test_due_dates_keep_the_anchor_day_and_days_are_calendar_days(terms):
    schedule = schedule_of(terms)
    rows = schedule.installments
    if terms.method is Method.BULLET:
        expected = [month_end_clamped(terms.start_date, terms.term_months)]
    elif terms.first_due_date is not None:
        expected = [month_end_clamped(terms.first_due_date, k) for k in range(terms.term_months)]
    else:
        expected = [month_end_clamped(terms.start_date, k) for k in range(1, terms.term_months + 1)]
    assert [r.due_date for r in rows] == expected
    previous = terms.start_date
    for row in rows:
        assert row.days == (row.due_date - previous).days > 0
        previous = row.due_date


@FAST
@given(loan_terms())
def test_grace_rows_pay_only_interest_or_capitalize_it(terms):
    schedule = schedule_of(terms)
    for row in schedule.installments[: terms.grace_months]:
        assert row.principal == 0
        if terms.grace_type is GraceType.CAPITALIZE:
            assert row.interest == 0
        else:
            assert row.capitalized_interest == 0


@dataclass(frozen=True)
class AccrualCase:
    principal: Decimal
    start: date
    days: int
    rate: Decimal
    events: tuple[BalanceEvent, ...]
    rounding: Rounding


@st.composite
def accrual_cases(draw: st.DrawFn) -> AccrualCase:
    principal = draw(st.integers(0, 10**8)) * Decimal("0.01")
    start = draw(st.dates(min_value=date(1990, 1, 1), max_value=date(2150, 1, 1)))
    days = draw(st.integers(0, 120))
    events: list[BalanceEvent] = []
    balance = principal
    if days:
        for offset in sorted(draw(st.lists(st.integers(0, days - 1), max_size=6))):
            change = draw(st.integers(-(10**7), 10**7)) * Decimal("0.01")
            change = max(change, -balance)  # the balance stays >= 0 (SPEC §4)
            balance += change
            events.append(BalanceEvent(start + timedelta(days=offset), change))
    return AccrualCase(
        principal=principal,
        start=start,
        days=days,
        rate=draw(decimals("0", "0.001", 6)),
        events=tuple(events),
        rounding=draw(st.sampled_from(list(Rounding))),
    )


def run(case: AccrualCase, days: int, *, detail: bool = False):
    return accrue(
        principal=case.principal,
        from_date=case.start,
        to_date=case.start + timedelta(days=days),
        rate=ContractRate.from_daily(case.rate, DayCount.D360),
        currency=currency_of("CNY"),
        rounding=case.rounding,
        events=[e for e in case.events if (e.date - case.start).days < days],
        detail=detail,
    )


@FAST
@given(accrual_cases())
def test_accrual_total_is_the_rounded_sum_of_exact_daily_amounts(case):
    """Day d bears the balance after every event dated on or before d (算头不算尾)."""
    exact = Fraction(0)
    for offset in range(case.days):
        day = case.start + timedelta(days=offset)
        balance = Fraction(case.principal) + sum(
            (Fraction(e.principal_change) for e in case.events if e.date <= day), Fraction(0)
        )
        exact += balance * Fraction(case.rate)
    rounder = round_half_even if case.rounding is Rounding.HALF_EVEN else round_half_up
    result = run(case, case.days, detail=True)
    assert result.days == case.days
    assert result.interest == rounder(exact)
    assert result.rows is not None
    assert len(result.rows) == case.days
    if result.rows:
        assert result.rows[-1].cumulative == result.interest


@FAST
@given(accrual_cases(), st.integers(0, 30))
def test_accrual_never_falls_when_the_period_grows(case, extra_days):
    shorter = run(case, case.days)
    longer = run(case, case.days + extra_days)
    assert longer.interest >= shorter.interest
