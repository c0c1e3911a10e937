"""Annualized rates (SPEC §3): monthly IRR × 12 and spreadsheet XIRR, 6 digits half-up."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.engine.apr import CashFlow, annualized_rates, merge_by_date, monthly_apr, xirr
from app.engine.errors import NoRateSolution
from tests.reference import rate6
from tests.reference import xirr as reference_xirr


def flows(*pairs: tuple[str, str]) -> list[CashFlow]:
    return [CashFlow(date.fromisoformat(d), Decimal(a)) for d, a in pairs]


EXCEL = flows(
    ("2008-01-01", "-10000"),
    ("2008-03-01", "2750"),
    ("2008-10-30", "4250"),
    ("2009-02-15", "3250"),
    ("2009-04-01", "2750"),
)


def test_xirr_reproduces_excels_documentation_example():
    """Microsoft's XIRR help page: 0.373362535 → 0.373363 (and the same by bisection)."""
    assert str(xirr(EXCEL)) == "0.373363"
    assert rate6(reference_xirr([(f.date, f.amount) for f in EXCEL])) == "0.373363"


def test_monthly_apr_is_the_monthly_irr_times_12():
    """−1000 then 1010 a month later: r = 1 %, apr = 0.120000; −1000, 990: r = −1 %, −0.120000."""
    assert str(monthly_apr([Decimal(-1000), Decimal(1010)])) == "0.120000"
    assert str(monthly_apr([Decimal(-1000), Decimal(990)])) == "-0.120000"


def test_zero_rate_is_printed_without_a_sign():
    """Flows that give back exactly the principal: rate 0 → "0.000000", never "-0.000000"."""
    zero = [Decimal(-1200)] + [Decimal(200)] * 6
    assert str(monthly_apr(zero)) == "0.000000"
    dated = flows(("2026-01-01", "-1200"), ("2026-07-01", "1200"))
    assert str(xirr(dated)) == "0.000000"


def test_a_tiny_negative_rate_rounds_to_unsigned_zero():
    """−1,000,000 then 999,999.99 a month later: r = −1e−8, × 12 = −1.2e−7, which rounds
    to 0.000000 at 6 digits: printed without a minus sign."""
    rate = monthly_apr([Decimal(-1000000), Decimal("999999.99")])
    assert str(rate) == "0.000000"
    assert not str(rate).startswith("-")


@pytest.mark.parametrize(
    "amounts",
    [["100", "100"], ["-100", "-100"], ["0", "0"], ["-100", "0"]],
)
def test_flows_without_a_sign_change_have_no_rate(amounts):
    with pytest.raises(NoRateSolution):
        monthly_apr([Decimal(a) for a in amounts])


def test_flows_on_one_date_are_added_and_distinct_dates_are_months():
    """−1000 on Jan 1, 500 + 510 on Feb 1: merged to (−1000, 1010), apr 0.120000.
    XIRR: 1010 / 1000 over 31 days: 1.01^(365/31) − 1 = e^(0.00995033 × 11.774194) − 1 = 0.124296
    (also by bisection)."""
    merged = merge_by_date(
        flows(("2026-02-01", "500"), ("2026-01-01", "-1000"), ("2026-02-01", "510"))
    )
    assert [(f.date, str(f.amount)) for f in merged] == [
        (date(2026, 1, 1), "-1000"),
        (date(2026, 2, 1), "1010"),
    ]
    rates = annualized_rates(
        flows(("2026-01-01", "-1000"), ("2026-02-01", "500"), ("2026-02-01", "510"))
    )
    assert str(rates.apr) == "0.120000"
    expected = rate6(
        reference_xirr([(date(2026, 1, 1), Decimal(-1000)), (date(2026, 2, 1), Decimal(1010))])
    )
    assert str(rates.effective_annual_rate) == expected == "0.124296"


def test_apr_ignores_the_spacing_of_dates_but_xirr_does_not():
    """−1000 on Jan 1, 1010 on Jul 1 (181 days): the second distinct date is month 1, so apr
    is still 0.120000; XIRR = 1.01^(365/181) − 1 = 0.020268."""
    rates = annualized_rates(flows(("2026-01-01", "-1000"), ("2026-07-01", "1010")))
    assert str(rates.apr) == "0.120000"
    assert str(rates.effective_annual_rate) == "0.020268"
    assert (
        rate6(
            reference_xirr([(date(2026, 1, 1), Decimal(-1000)), (date(2026, 7, 1), Decimal(1010))])
        )
        == "0.020268"
    )
