"""Annualized rates (SPEC §3): monthly IRR × 12 and spreadsheet XIRR, 6 digits half-up."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine import apr as apr_module
from app.engine.apr import CashFlow, annualized_rates, merge_by_date, monthly_apr, xirr
from app.engine.errors import NoRateSolution
from tests.reference import monthly_irr_times_12, rate6
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


# Loan-shaped flows: one disbursement, then 1–24 repayments 20–62 days apart, each 1/n of
# the principal times 100–(100 + 10n) %: rates from 0 to a few hundred % a year, inside the
# reference's bisection range.
LOAN_FLOWS = st.integers(1, 24).flatmap(
    lambda n: st.tuples(
        st.integers(100_00, 1_000_000_00),  # principal in fen
        st.lists(st.integers(20, 62), min_size=n, max_size=n),  # days between flows
        st.lists(st.integers(100, 100 + 10 * n), min_size=n, max_size=n),  # % of principal / n
    )
)


def loan_flows(drawn: tuple[int, list[int], list[int]]) -> list[CashFlow]:
    principal, gaps, shares = drawn
    day = date(2026, 1, 31)
    out = [CashFlow(day, Decimal(-principal).scaleb(-2))]
    for gap, share in zip(gaps, shares, strict=True):
        day += timedelta(days=gap)
        out.append(CashFlow(day, Decimal(principal * share // (100 * len(gaps))).scaleb(-2)))
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LOAN_FLOWS)
def test_both_rates_match_a_50_digit_bisection(drawn):
    """The polynomial Newton (started from the monthly root) against tests/reference.py's
    bisection at 50 digits with fractional powers: a second method, same 6 digits."""
    dated = loan_flows(drawn)
    rates = annualized_rates(dated)

    def printed(rate: Decimal) -> str:  # the API never prints "-0.000000"
        return rate6(rate).replace("-0.000000", "0.000000")

    assert str(rates.apr) == printed(monthly_irr_times_12([f.amount for f in dated]))
    assert str(rates.effective_annual_rate) == printed(
        reference_xirr([(f.date, f.amount) for f in dated])
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LOAN_FLOWS)
def test_the_polynomial_solver_agrees_with_the_log_space_fallback(drawn):
    """With the polynomial path disabled, Newton in ln(1 + r) (and bisection) give the same
    rates: the fallback stays a correct second route, not dead code."""
    dated = loan_flows(drawn)
    fast = annualized_rates(dated)
    with patch.object(apr_module, "_polynomial_root", lambda *_: None):
        slow = annualized_rates(dated)
    assert (fast.apr, fast.effective_annual_rate) == (slow.apr, slow.effective_annual_rate)


def test_a_rate_in_the_quadrillions_keeps_its_six_digits():
    """−1,000 then +1,100 the next day: XIRR = 1.1^365 − 1, worked in exact integers here
    (11^365 / 10^365 − 1, rounded half-up at 6 digits) = 1283305580313351.696899; the
    apr is month 0 → month 1: 10 % × 12 = 1.200000."""
    exact = Fraction(11**365, 10**365) - 1
    millionths = exact * 10**6
    rounded = millionths.numerator // millionths.denominator
    rounded += millionths - rounded >= Fraction(1, 2)
    rates = annualized_rates(flows(("2026-01-01", "-1000.00"), ("2026-01-02", "1100.00")))
    assert str(rates.apr) == "1.200000"
    assert str(rates.effective_annual_rate) == str(Decimal(rounded).scaleb(-6))
    assert str(rates.effective_annual_rate) == "1283305580313351.696899"


@pytest.mark.parametrize(
    ("repaid", "ratio"),
    [("18333.33", Fraction(1833333, 1000000)), ("110000.00", Fraction(11))],
    ids=["1000-percent-a-year-for-a-day", "eleven-fold-in-a-day"],
)
def test_an_xirr_of_10_to_the_20_or_more_keeps_all_its_digits(repaid, ratio):
    """10,000 lent and repaid the next day ×1.833333 (a 1,000 %-a-year loan's month of
    interest) or ×11 (a flat_fee of fee_rate 10): XIRR = ratio^365 − 1, about 10^96 and
    10^380, worked here in exact integers and rounded half-up at 6 digits; the engine solves
    such roots again with enough digits to print them whole."""
    exact = ratio**365 - 1
    millionths = exact * 10**6
    rounded = millionths.numerator // millionths.denominator
    rounded += millionths - rounded >= Fraction(1, 2)
    digits = str(rounded)
    rates = annualized_rates(flows(("2026-01-30", "-10000.00"), ("2026-01-31", repaid)))
    assert str(rates.effective_annual_rate) == f"{digits[:-6]}.{digits[-6:]}"


def test_bisection_alone_keeps_the_six_digits_of_a_huge_rate():
    """The last resort (flows with several sign changes, or Newton failing) narrows ln(1 + r)
    to 1e-30, enough for every digit of 1.1^365 − 1 (see the test above)."""
    dated = flows(("2026-01-01", "-1000.00"), ("2026-01-02", "1100.00"))
    with (
        patch.object(apr_module, "_polynomial_root", lambda *_: None),
        patch.object(apr_module, "_newton", lambda *_: None),
    ):
        rates = annualized_rates(dated)
    assert str(rates.effective_annual_rate) == "1283305580313351.696899"


@pytest.mark.parametrize(
    ("amounts", "rates"),
    [
        (("-100", "230", "-132"), ("1.200000", "0.100000")),
        (("100", "-220", "117"), ("3.600000", "0.300000")),
        (("100", "-160", "63"), ("-1.200000", "-0.100000")),
    ],
    ids=["roots-10-and-20-percent", "roots-minus-10-and-30-percent", "roots-minus-10-and-30"],
)
def test_of_several_roots_the_non_negative_one_nearest_zero_is_reported(amounts, rates):
    """Flows a, b, c a period apart: NPV = a + b·v + c·v², v = 1/(1 + r).
    −100 + 230v − 132v² = 0: v = (230 ± 10) / 264 = 10/11 or 5/6, r = 10 % or 20 %.
    100 − 220v + 117v² = 0: v = (220 ± 40) / 234 = 10/9 or 10/13, r = −10 % or 30 %.
    100 − 160v + 63v² = 0: v = (160 ± 20) / 126 = 10/9 or 10/7, r = −10 % or −30 %.
    SPEC §3: the non-negative root nearest 0 where there is one, else the root nearest 0
    (numpy-financial's irr rule), as a month (apr = 12 r) and, with the flows a year apart on
    365-day years, as the XIRR (r)."""
    assert str(monthly_apr([Decimal(a) for a in amounts])) == rates[0]
    yearly = flows(*zip(("2025-01-01", "2026-01-01", "2027-01-01"), amounts, strict=True))
    assert str(xirr(yearly)) == rates[1]
    both = annualized_rates(yearly)  # /v1/apr: the k-th distinct date is month k
    assert (str(both.apr), str(both.effective_annual_rate)) == rates


def test_numpy_financial_gh_39_has_a_rate_of_12_percent_a_period():
    """numpy-financial's test_gh_39 (flows −, −, +…+, −…−: two sign changes) expects an irr of
    0.12 a period; as months that is an apr of 12 × 0.12 = 1.44."""
    amounts = """-217500.0 -217500.0 108466.80462450592 101129.96439328062 93793.12416205535
    86456.28393083003 79119.44369960476 71782.60346837944 64445.76323715414 57108.92300592884
    49772.08277470355 42435.24254347826 35098.40231225296 27761.56208102766 20424.721849802358
    13087.88161857707 5751.041387351768 -1585.7988438735192 -8922.639075098821
    -16259.479306324123 -23596.31953754941 -30933.159768774713 -38270.0 -45606.8402312253
    -52943.680462450604 -60280.520693675906 -67617.36092490121""".split()
    apr = monthly_apr([Decimal(a) for a in amounts])
    assert abs(apr - Decimal("1.44")) <= Decimal("0.000001")


def test_numpy_financial_gh_44_has_a_rate_of_1_00426_a_period():
    """numpy-financial's test_gh_44 (a −1 at the end: two sign changes) expects 1.00426 a period
    to 4 decimals (Google Sheets' value): an apr of 12 × 1.00426 = 12.05112 ± 0.0006."""
    amounts = ["-1678.87", "771.96", "1814.05", "3520.30", "3552.95", "3584.99", "4789.91", "-1"]
    apr = monthly_apr([Decimal(a) for a in amounts])
    assert abs(apr - Decimal("12.05112")) <= Decimal("0.0006")


def test_a_rate_past_every_schedules_is_refused():
    """−1,000 then +100,000 the next day: XIRR = 100^365 − 1 = 10^730 − 1, past 10^400 (no
    valid schedule reaches it): a 422 naming the limit, not a 500."""
    with pytest.raises(NoRateSolution, match="10\\^400"):
        annualized_rates(flows(("2026-01-01", "-1000.00"), ("2026-01-02", "100000.00")))


def test_a_rate_within_a_hair_of_minus_100_percent_is_found_below_the_grid():
    """−100 then +0.01 a day later: XIRR = (0.01 / 100)^365 − 1 = 10^−1460 − 1, which is
    −1.000000; as months, 1 + r = 0.0001, apr = 12 × −0.9999 = −11.998800. The XIRR's root
    lies far below the bracket grid's floor (growth e^−50 a year); it used to be a 422."""
    rates = annualized_rates(flows(("2026-01-01", "-100.00"), ("2026-01-02", "0.01")))
    assert (str(rates.apr), str(rates.effective_annual_rate)) == ("-11.998800", "-1.000000")


def test_flows_that_shrink_within_days_have_an_xirr_of_minus_100_percent():
    """−467301 (Jul 22), −66721 (Sep 5), +5783 (Sep 9), one sign change. As months 0, 1, 2:
    5783x² − 66721x − 467301 = 0 with x = 1/(1 + r), so
    x = (66721 + √(66721² + 4 · 5783 · 467301)) / (2 · 5783) and apr = 12 (1/x − 1).
    By day (45 and 49 days): w^45 (5783 w^4 − 66721) = 467301 for w = 1/(1 + r)^(1/365) needs
    w > 1.6, so 1 + r < 1.6^−365 < 10^−74 and the XIRR is −1.000000."""
    x = (66721 + Decimal(66721**2 + 4 * 5783 * 467301).sqrt()) / (2 * 5783)
    expected_apr = rate6(12 * (1 / x - 1))
    rates = annualized_rates(
        flows(("2005-07-22", "-467301"), ("2005-09-05", "-66721"), ("2005-09-09", "5783"))
    )
    assert str(rates.apr) == str(expected_apr) == "-11.270505"
    assert str(rates.effective_annual_rate) == "-1.000000"
