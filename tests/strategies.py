"""The hypothesis strategies the engine's property tests share: one home for random loans.

- `loan_terms`: valid schedule terms of every method, basis, grace, rounding and currency
  (SPEC §2), for the schedule, accrual and integer-core properties;
- `loan_contracts`: a position's loan as scheduled installments (SPEC §5).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from app.engine.contract_rate import ContractRate
from app.engine.dates import DayCount
from app.engine.ledger import ScheduledInstallment
from app.engine.money import CNY, Rounding, currency_of
from app.engine.position import LoanContract
from app.engine.schedule import GRACE_METHODS, GraceType, InterestBasis, LoanTerms, Method

START = date(2026, 1, 15)


def decimals(low: str, high: str, places: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(
        min_value=Decimal(low), max_value=Decimal(high), places=places, allow_nan=False
    )


# Start dates lean on the month's end, where clamping happens.
start_dates = st.one_of(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2150, 12, 31)),
    st.builds(
        lambda y, m, d: date(y, m, min(d, calendar.monthrange(y, m)[1])),
        st.integers(1990, 2150),
        st.integers(1, 12),
        st.integers(28, 31),
    ),
)


@st.composite
def loan_terms(draw: st.DrawFn) -> LoanTerms:
    """Random valid loan terms (SPEC §2): every method, basis, grace, rounding and currency."""
    method = draw(st.sampled_from(list(Method)))
    code = draw(st.sampled_from(["CNY", "CNY", "JPY", "KWD"]))
    currency = currency_of(code)
    term = draw(st.integers(1, 60))
    minor = Decimal(1).scaleb(-currency.minor_digits)
    principal = draw(st.integers(term * 100, 10**8)) * minor
    day_count = draw(st.sampled_from(list(DayCount)))
    if draw(st.booleans()):
        rate = ContractRate.from_annual(draw(decimals("0", "0.36", 4)), day_count)
    else:
        rate = ContractRate.from_daily(draw(decimals("0", "0.001", 6)), day_count)
    start = draw(start_dates)
    first_due = None
    if method is not Method.BULLET and draw(st.booleans()):
        first_due = start + timedelta(days=draw(st.integers(1, 62)))
    grace = 0
    if method in GRACE_METHODS and term > 1 and draw(st.booleans()):
        grace = draw(st.integers(1, min(term - 1, 12)))
    fee_rate = fee_rate_per_period = None
    if method is Method.FLAT_FEE:
        if draw(st.booleans()):
            fee_rate = draw(decimals("0", "0.2", 4))
        else:
            fee_rate_per_period = draw(decimals("0", "0.02", 4))
    return LoanTerms(
        principal=principal,
        currency=currency,
        rate=rate,
        term_months=term,
        start_date=start,
        method=method,
        first_due_date=first_due,
        interest_basis=draw(st.sampled_from(list(InterestBasis))),
        grace_months=grace,
        grace_type=draw(st.sampled_from(list(GraceType))),
        fee_rate=fee_rate,
        fee_rate_per_period=fee_rate_per_period,
        rounding=draw(st.sampled_from(list(Rounding))),
    )


def cents(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda n: Decimal(n).scaleb(-2))


@st.composite
def loan_contracts(draw: st.DrawFn) -> LoanContract:
    """A position's loan (SPEC §5): 1-6 installments 1-45 days apart, amounts to the cent,
    each with some principal.

    (A row with nothing scheduled, due after a payoff that leaves nothing for early
    settlement, stays unsettled until its due date: a corner SPEC §5 leaves open.)
    """
    start = START + timedelta(days=draw(st.integers(0, 60)))
    rows = []
    due = start
    for number in range(1, draw(st.integers(1, 6)) + 1):
        due += timedelta(days=draw(st.integers(1, 45)))
        rows.append(
            ScheduledInstallment(
                number, due, draw(cents(1, 500_000)), draw(cents(0, 30_000)), draw(cents(0, 5_000))
            )
        )
    rate = draw(st.sampled_from(["0", "0.0001", "0.0005", "0.001"]))
    return LoanContract.of_installments(
        CNY,
        draw(st.sampled_from(list(Rounding))),
        start,
        ContractRate.from_daily(Decimal(rate), DayCount.D360),
        tuple(rows),
        draw(st.booleans()),
    )
