"""Schedules (SPEC §2): every rule that changes a number, with its working by hand.

Figures are worked in the docstrings and, where a textbook formula applies, re-derived with
`tests/reference.py` (exact fractions), never read back from the engine.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.engine.contract_rate import ContractRate
from app.engine.dates import DayCount, add_months
from app.engine.errors import InvalidTerms
from app.engine.money import Rounding, currency_of
from app.engine.schedule import (
    GraceType,
    InterestBasis,
    LoanTerms,
    Method,
    Schedule,
    build_schedule,
)
from tests.reference import amortize_level, money, pmt, rate6, to_fraction


def loan(
    principal: str = "12000.00",
    *,
    annual_rate: str | None = None,
    daily_rate: str | None = None,
    day_count: int = 360,
    currency: str = "CNY",
    **fields,
) -> LoanTerms:
    """LoanTerms from strings, as the API builds them; default 借呗 0.05 %/day over 5 months."""
    days = DayCount(day_count)
    if annual_rate is not None:
        rate = ContractRate.from_annual(Decimal(annual_rate), days)
    else:
        rate = ContractRate.from_daily(Decimal(daily_rate or "0.0005"), days)
    fields.setdefault("term_months", 5)
    fields.setdefault("start_date", date(2026, 1, 15))
    return LoanTerms(
        principal=Decimal(principal), currency=currency_of(currency), rate=rate, **fields
    )


def show(value: Decimal | int, digits: int = 2) -> str:
    """An engine amount as text with the minor digits, but only if it is already rounded:
    an unrounded value keeps its extra digits and fails the comparison."""
    if isinstance(value, int):
        return str(value)
    rounded = value.quantize(Decimal(1).scaleb(-digits))
    return format(rounded, "f") if rounded == value else str(value)


def column(schedule: Schedule, name: str) -> list[str]:
    digits = schedule.terms.currency.minor_digits
    return [show(getattr(row, name), digits) for row in schedule.installments]


def payments(schedule: Schedule) -> list[str]:
    return column(schedule, "payment")


# --- equal_installment (等额本息) -----------------------------------------------------------


def test_level_payment_uses_the_annuity_formula_and_last_row_takes_the_rest():
    """12,000 at 1.5 %/month × 5: A = 2509.07; the last row pays its opening 2471.99 plus
    37.08 interest = 2509.07 (see tests/api/test_published_figures.py for every row)."""
    schedule = build_schedule(loan())
    level, rows = amortize_level(to_fraction(12000), to_fraction("0.015"), 5)
    assert show(schedule.installment_amount) == str(level) == "2509.07"
    assert column(schedule, "interest") == [str(i) for i, _ in rows]
    assert column(schedule, "principal") == [str(p) for _, p in rows]
    assert show(schedule.installments[-1].opening_principal) == "2471.99"


def test_zero_rate_level_payment_is_principal_over_count_and_apr_is_exactly_zero():
    """1000.00 at 0 % over 3: A = 1000 / 3 = 333.333 → 333.33; the last row takes
    1000 − 666.66 = 333.34. IRR of (−1000, 333.33, 333.33, 333.34) is 0 → "0.000000"."""
    schedule = build_schedule(loan("1000.00", annual_rate="0", term_months=3))
    assert show(schedule.installment_amount) == "333.33"
    assert payments(schedule) == ["333.33", "333.33", "333.34"]
    assert column(schedule, "interest") == ["0.00"] * 3
    assert str(schedule.apr) == "0.000000"
    assert str(schedule.effective_annual_rate) == "0.000000"


def test_a_single_installment_repays_principal_plus_one_month():
    """1000.00 at 12 %/yr in 1 installment: A = 1000 × 1.01 = 1010.00, interest 10.00."""
    schedule = build_schedule(loan("1000.00", annual_rate="0.12", term_months=1))
    assert show(schedule.installment_amount) == "1010.00"
    assert payments(schedule) == ["1010.00"]


def test_600_installments_amortize_to_zero_on_the_right_dates():
    """1,000,000 at 4.9 % over 600 months (SPEC §8 maximum): i = 0.00408333,
    (1+i)^600 = 11.5307, A = 1e6 × i × 11.5307 / 10.5307 = 4471.09 (also PMT by exact
    fractions); 600 rows; the last falls 600 months after 2026-01-15, on 2076-01-15."""
    schedule = build_schedule(loan("1000000.00", annual_rate="0.049", term_months=600))
    assert len(schedule.installments) == 600
    expected = money(pmt(to_fraction(1000000), to_fraction("0.049") / 12, 600))
    assert show(schedule.installment_amount) == expected == "4471.09"
    assert schedule.installments[-1].due_date == date(2076, 1, 15)
    assert show(schedule.installments[-1].closing_principal) == "0.00"
    assert show(schedule.totals.principal) == "1000000.00"


# --- equal_principal (等额本金) -------------------------------------------------------------


def test_equal_principal_last_installment_takes_rounding_remainder():
    """1000.00 over 3 at 1 %/month: principal 1000 / 3 = 333.333 → 333.33, 333.33, and the
    rest 333.34. Interest on the opening balance: 1000.00 × 0.01 = 10.00;
    666.67 × 0.01 = 6.6667 → 6.67; 333.34 × 0.01 = 3.3334 → 3.33."""
    schedule = build_schedule(
        loan("1000.00", annual_rate="0.12", term_months=3, method=Method.EQUAL_PRINCIPAL)
    )
    assert column(schedule, "principal") == ["333.33", "333.33", "333.34"]
    assert column(schedule, "interest") == ["10.00", "6.67", "3.33"]
    assert payments(schedule) == ["343.33", "340.00", "336.67"]
    assert show(schedule.installment_amount) == "343.33"  # the first installment's payment


def test_equal_principal_half_even_rounds_the_level_principal_to_even():
    """1.00 over 8, rate 0: 1 / 8 = 0.125, a tie. half_up 0.13 × 7 = 0.91, last 0.09;
    half_even 0.12 × 7 = 0.84, last 0.16."""
    up = build_schedule(loan("1.00", annual_rate="0", term_months=8, method=Method.EQUAL_PRINCIPAL))
    even = build_schedule(
        loan(
            "1.00",
            annual_rate="0",
            term_months=8,
            method=Method.EQUAL_PRINCIPAL,
            rounding=Rounding.HALF_EVEN,
        )
    )
    assert column(up, "principal") == ["0.13"] * 7 + ["0.09"]
    assert column(even, "principal") == ["0.12"] * 7 + ["0.16"]


def test_tiny_principal_over_a_long_term_is_refused():
    """0.10 over 12: round(0.10 / 12 = 0.00833) = 0.01 a month; after 10 months 0.00 is
    left and month 11 would take the balance to −0.01 before the last row: InvalidTerms."""
    with pytest.raises(InvalidTerms, match="below zero"):
        build_schedule(loan("0.10", term_months=12, method=Method.EQUAL_PRINCIPAL))


# --- interest_only (先息后本) and bullet (到期一次还本付息) ---------------------------------


def test_interest_only_pays_interest_monthly_and_principal_at_the_end():
    """10,000 at 12 %/yr × 3: interest 10000 × 0.01 = 100.00 each month; principal 0, 0,
    10000; payments 100.00, 100.00, 10100.00."""
    schedule = build_schedule(
        loan("10000.00", annual_rate="0.12", term_months=3, method=Method.INTEREST_ONLY)
    )
    assert column(schedule, "principal") == ["0.00", "0.00", "10000.00"]
    assert payments(schedule) == ["100.00", "100.00", "10100.00"]
    assert show(schedule.installment_amount) == "100.00"


def test_bullet_periodic_charges_monthly_rate_times_term_and_sits_at_month_12_for_apr():
    """100,000 at 12 %/yr, 12 months: interest 100000 × 0.01 × 12 = 12000.00, one payment
    of 112000.00 on 2027-01-15 (365 days). apr: (1.12)^(1/12) − 1 = 0.00948879… × 12 =
    0.1138655 → 0.113866; XIRR: 112000 / 100000 over exactly 365 days → 0.120000."""
    schedule = build_schedule(
        loan("100000.00", annual_rate="0.12", term_months=12, method=Method.BULLET)
    )
    (row,) = schedule.installments
    assert (row.due_date, row.days) == (date(2027, 1, 15), 365)
    assert (show(row.interest), show(row.payment)) == ("12000.00", "112000.00")
    assert show(schedule.installment_amount) == "112000.00"
    assert str(schedule.apr) == "0.113866"
    assert str(schedule.effective_annual_rate) == "0.120000"


def test_bullet_actual_charges_daily_rate_times_calendar_days():
    """100,000 at 0.05 %/day from 2028-01-15 to 2029-01-15: 366 days (2028 is a leap year),
    interest 100000 × 0.0005 × 366 = 18300.00 (periodic would give 0.015 × 12 = 18000.00)."""
    actual = build_schedule(
        loan(
            "100000.00",
            term_months=12,
            method=Method.BULLET,
            start_date=date(2028, 1, 15),
            interest_basis=InterestBasis.ACTUAL,
        )
    )
    periodic = build_schedule(
        loan("100000.00", term_months=12, method=Method.BULLET, start_date=date(2028, 1, 15))
    )
    assert actual.installments[0].days == 366
    assert show(actual.installments[0].interest) == "18300.00"
    assert show(periodic.installments[0].interest) == "18000.00"


# --- flat_fee (分期手续费) ------------------------------------------------------------------


def test_flat_fee_with_fee_rate_puts_the_fee_remainder_in_the_last_period():
    """1000.00 in 3 periods, fee_rate 0.10 for the term: total fee round(100.00) = 100.00,
    each round(100 / 3) = 33.33, last 100.00 − 66.66 = 33.34. Principal 333.33, 333.33,
    333.34; no interest even with a contract rate."""
    schedule = build_schedule(
        loan(
            "1000.00",
            annual_rate="0.18",
            term_months=3,
            method=Method.FLAT_FEE,
            fee_rate=Decimal("0.10"),
        )
    )
    assert column(schedule, "fee") == ["33.33", "33.33", "33.34"]
    assert column(schedule, "principal") == ["333.33", "333.33", "333.34"]
    assert column(schedule, "interest") == ["0.00"] * 3
    assert payments(schedule) == ["366.66", "366.66", "366.68"]
    assert show(schedule.totals.fee) == "100.00"


def test_flat_fee_per_period_charges_the_same_fee_every_period():
    """Credit-card style: 1000.00 in 3 periods at 0.6 % a period: 1000 × 0.006 = 6.00 each."""
    schedule = build_schedule(
        loan(
            "1000.00",
            annual_rate="0",
            term_months=3,
            method=Method.FLAT_FEE,
            fee_rate_per_period=Decimal("0.006"),
        )
    )
    assert column(schedule, "fee") == ["6.00"] * 3
    assert show(schedule.totals.fee) == "18.00"


def test_flat_fee_with_a_negative_last_fee_is_refused():
    """1.00 × 0.06 over 12: each round(0.005) = 0.01 (half-up), 11 × 0.01 = 0.11 exceeds the
    total round(0.06) = 0.06, so the last fee would be −0.05: InvalidTerms. With half_even
    each is 0.00 and the last takes 0.06."""
    terms = {"annual_rate": "0", "term_months": 12, "method": Method.FLAT_FEE}
    with pytest.raises(InvalidTerms, match="negative"):
        build_schedule(loan("1.00", fee_rate=Decimal("0.06"), **terms))
    even = build_schedule(
        loan("1.00", fee_rate=Decimal("0.06"), rounding=Rounding.HALF_EVEN, **terms)
    )
    assert column(even, "fee") == ["0.00"] * 11 + ["0.06"]


# --- grace ---------------------------------------------------------------------------------


def test_interest_only_grace_then_level_payment_over_the_remaining_months():
    """12,000 at 1.5 %/month × 5 with 2 interest-only months: rows 1–2 pay 180.00 interest.
    Then A = PMT(1.5 %, 3, 12000) = 4120.5955 → 4120.60:
      row 3: interest 180.00, principal 3940.60, balance 8059.40
      row 4: 8059.40 × 0.015 = 120.891 → 120.89, principal 3999.71, balance 4059.69
      row 5: 4059.69 × 0.015 = 60.89535 → 60.90, payment 4059.69 + 60.90 = 4120.59."""
    schedule = build_schedule(loan(grace_months=2))
    assert money(pmt(to_fraction(12000), to_fraction("0.015"), 3)) == "4120.60"
    assert show(schedule.installment_amount) == "4120.60"
    assert column(schedule, "interest") == ["180.00", "180.00", "180.00", "120.89", "60.90"]
    assert column(schedule, "principal") == ["0.00", "0.00", "3940.60", "3999.71", "4059.69"]
    assert payments(schedule)[-1] == "4120.59"


def test_capitalizing_grace_adds_interest_to_the_balance_and_pays_nothing():
    """Same loan, 2 capitalizing months: 12000 × 0.015 = 180.00 → 12180.00;
    12180 × 0.015 = 182.70 → 12362.70. A = PMT(1.5 %, 3, 12362.70) = 4245.1405 → 4245.14:
      row 3: 12362.70 × 0.015 = 185.4405 → 185.44, principal 4059.70, balance 8303.00
      row 4: 8303.00 × 0.015 = 124.545 → 124.55 (half-up), principal 4120.59
      row 5: 4182.41 × 0.015 = 62.73615 → 62.74, payment 4182.41 + 62.74 = 4245.15.
    Totals: principal 12362.70 = 12000 + capitalized 362.70; interest 372.73."""
    schedule = build_schedule(loan(grace_months=2, grace_type=GraceType.CAPITALIZE))
    assert column(schedule, "capitalized_interest")[:2] == ["180.00", "182.70"]
    assert payments(schedule) == ["0.00", "0.00", "4245.14", "4245.14", "4245.15"]
    assert column(schedule, "interest") == ["0.00", "0.00", "185.44", "124.55", "62.74"]
    assert column(schedule, "closing_principal")[:3] == ["12180.00", "12362.70", "8303.00"]
    assert show(schedule.installment_amount) == "4245.14"
    totals = schedule.totals
    assert (show(totals.principal), show(totals.capitalized_interest)) == ("12362.70", "362.70")
    assert (show(totals.interest), show(totals.payment)) == ("372.73", "12735.43")


def test_half_even_changes_a_tied_interest_in_a_grace_schedule():
    """The capitalizing case above has a tie in row 4: 8303.00 × 0.015 = 124.545.
    half_even gives 124.54, so principal 4120.60, balance 4182.40; row 5 interest
    4182.40 × 0.015 = 62.736 → 62.74, payment 4245.14."""
    schedule = build_schedule(
        loan(grace_months=2, grace_type=GraceType.CAPITALIZE, rounding=Rounding.HALF_EVEN)
    )
    assert column(schedule, "interest")[3:] == ["124.54", "62.74"]
    assert payments(schedule)[2:] == ["4245.14", "4245.14", "4245.14"]


def test_equal_principal_grace_spreads_principal_over_the_remaining_months():
    """12,000 等额本金 × 5 with 2 interest-only months: rows 1–2 interest 180.00; then
    12000 / 3 = 4000.00 a month with interest 180.00, 120.00, 60.00;
    installment_amount = the first installment's payment (SPEC §2: only equal_installment has a
    level amount A; every other method reports row 1), 180.00."""
    schedule = build_schedule(loan(method=Method.EQUAL_PRINCIPAL, grace_months=2))
    assert column(schedule, "principal") == ["0.00", "0.00", "4000.00", "4000.00", "4000.00"]
    assert column(schedule, "interest") == ["180.00", "180.00", "180.00", "120.00", "60.00"]
    assert show(schedule.installment_amount) == "180.00"


# --- interest basis and day count ---------------------------------------------------------


def test_actual_basis_charges_days_times_daily_rate_but_keeps_the_monthly_level():
    """借呗 12,000 at 0.05 %/day, actual basis, from 2026-01-15: days 31, 28, 31, 30, 31.
    A stays PMT(1.5 %, 5, 12000) = 2509.07 (monthly_rate, SPEC §2). Interest:
      12000.00 × 0.0005 × 31 = 186.00;   principal 2323.07, balance 9676.93
       9676.93 × 0.0005 × 28 = 135.477 → 135.48; principal 2373.59, balance 7303.34
       7303.34 × 0.0005 × 31 = 113.2018 → 113.20; principal 2395.87, balance 4907.47
       4907.47 × 0.0005 × 30 = 73.612 → 73.61;    principal 2435.46, balance 2472.01
       2472.01 × 0.0005 × 31 = 38.3162 → 38.32;   last payment 2472.01 + 38.32 = 2510.33."""
    schedule = build_schedule(loan(interest_basis=InterestBasis.ACTUAL))
    assert column(schedule, "days") == ["31", "28", "31", "30", "31"]
    assert column(schedule, "interest") == ["186.00", "135.48", "113.20", "73.61", "38.32"]
    assert payments(schedule) == ["2509.07"] * 4 + ["2510.33"]
    assert show(schedule.installment_amount) == "2509.07"


def test_actual_basis_single_installment_reports_the_level_amount_not_the_payment():
    """36,500 at 3.65 %/yr, 365-day count (0.0001 a day), 1 installment, actual basis:
    interest 36500 × 0.0001 × 31 days = 113.15, payment 36613.15; the level amount
    A = 36500 × (1 + 0.0365 / 12) = 36611.0208 → 36611.02 is what installment_amount shows
    (docs/decisions.md: installment_amount of equal_installment is always A)."""
    schedule = build_schedule(
        loan(
            "36500.00",
            annual_rate="0.0365",
            day_count=365,
            term_months=1,
            interest_basis=InterestBasis.ACTUAL,
        )
    )
    assert payments(schedule) == ["36613.15"]
    assert show(schedule.installment_amount) == "36611.02"


def test_day_count_365_turns_the_annual_rate_into_a_smaller_daily_rate():
    """18 %/yr on the actual basis, 1 installment Jan 15 → Feb 15 (31 days) on 10,000:
    360-day: 10000 × 0.18 / 360 × 31 = 155.00; 365-day: 10000 × 0.18 / 365 × 31 = 152.877
    → 152.88."""
    for day_count, interest in ((360, "155.00"), (365, "152.88")):
        schedule = build_schedule(
            loan(
                "10000.00",
                annual_rate="0.18",
                day_count=day_count,
                term_months=1,
                interest_basis=InterestBasis.ACTUAL,
            )
        )
        assert show(schedule.installments[0].interest) == interest


def test_day_count_365_with_a_daily_rate_raises_the_monthly_rate():
    """daily_rate 0.0005 on a 365-day count: annual = 0.0005 × 365 = 0.1825, monthly
    0.1825 / 12 = 0.01520833…; periodic interest on 12,000 = 182.50 and
    A = PMT(0.0152083, 5, 12000) = 2510.60 (360-day: 180.00 and 2509.07)."""
    schedule = build_schedule(loan(day_count=365))
    monthly = to_fraction("0.0005") * 365 / 12
    assert money(pmt(to_fraction(12000), monthly, 5)) == "2510.60"
    assert show(schedule.installment_amount) == "2510.60"
    assert show(schedule.installments[0].interest) == "182.50"


def test_long_first_period_on_actual_basis_amortizes_negatively_and_still_reconciles():
    """1000.00 at 12 %/yr (1/30 % a day), 12 months, start 2026-01-01, first due 2026-12-01:
    the first period is 334 days, interest 1000 × 0.12 / 360 × 334 = 111.333 → 111.33, above
    A = PMT(1 %, 12, 1000) = 88.849 → 88.85: principal 88.85 − 111.33 = −22.48 and the
    balance grows to 1022.48. The principals still add up to 1000.00."""
    schedule = build_schedule(
        loan(
            "1000.00",
            annual_rate="0.12",
            term_months=12,
            start_date=date(2026, 1, 1),
            first_due_date=date(2026, 12, 1),
            interest_basis=InterestBasis.ACTUAL,
        )
    )
    first = schedule.installments[0]
    assert (first.days, show(first.interest), show(first.principal)) == (334, "111.33", "-22.48")
    assert show(first.closing_principal) == "1022.48"
    assert show(schedule.totals.principal) == "1000.00"
    assert show(schedule.installments[-1].closing_principal) == "0.00"


def test_unbounded_negative_amortization_is_refused():
    """At 1000 %/yr on the actual basis a 31-day month costs 10 / 360 × 31 = 86.1 % of the
    balance while A is about 83.3 % of it, so the balance compounds without bound over 600
    months: refused (InvalidTerms) instead of overflowing."""
    with pytest.raises(InvalidTerms, match="balance would grow"):
        build_schedule(loan(annual_rate="10", term_months=600, interest_basis=InterestBasis.ACTUAL))


def test_unbounded_capitalization_is_refused():
    """599 capitalizing months at 1000 %/yr multiply the balance by (1 + 10/12)^599 ≈ 1e157."""
    with pytest.raises(InvalidTerms, match="balance would grow"):
        build_schedule(
            loan(
                annual_rate="10",
                term_months=600,
                grace_months=599,
                grace_type=GraceType.CAPITALIZE,
            )
        )


# --- currencies --------------------------------------------------------------------------


def test_jpy_schedule_has_no_minor_digits():
    """100,000 JPY at 1.5 %/month × 5: A = 20908.93 → 20909. Interest 1500, then
    80591 × 0.015 = 1208.865 → 1209, 60891 × 0.015 = 913.365 → 913,
    40895 × 0.015 = 613.425 → 613, 20599 × 0.015 = 308.985 → 309; last 20599 + 309 = 20908."""
    schedule = build_schedule(loan("100000", currency="JPY"))
    level, rows = amortize_level(to_fraction(100000), to_fraction("0.015"), 5, digits=0)
    assert show(schedule.installment_amount, 0) == str(level) == "20909"
    assert column(schedule, "interest") == [str(i) for i, _ in rows]
    assert column(schedule, "interest") == ["1500", "1209", "913", "613", "309"]
    assert payments(schedule)[-1] == "20908"


def test_kwd_schedule_has_three_minor_digits():
    """1000.000 KWD at 1.5 %/month × 3: A = 343.38296 → 343.383. Interest 15.000;
    671.617 × 0.015 = 10.074255 → 10.074; 338.308 × 0.015 = 5.07462 → 5.075;
    last 338.308 + 5.075 = 343.383."""
    schedule = build_schedule(loan("1000.000", currency="KWD", term_months=3))
    assert show(schedule.installment_amount) == "343.383"
    assert column(schedule, "interest") == ["15.000", "10.074", "5.075"]
    assert payments(schedule) == ["343.383"] * 3


# --- due dates ---------------------------------------------------------------------------


def test_schedule_from_jan_31_clamps_due_dates_and_counts_actual_days():
    """Start 2026-01-31: dues Feb 28 (28 days), Mar 31 (31), Apr 30 (30); day from start."""
    schedule = build_schedule(loan(term_months=3, start_date=date(2026, 1, 31)))
    assert [r.due_date for r in schedule.installments] == [
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]
    assert column(schedule, "days") == ["28", "31", "30"]


def test_first_due_date_sets_the_first_period_length():
    """Start Jan 15, first due Feb 28: 44 days, then Mar 28 (28 days), Apr 28 (31)."""
    schedule = build_schedule(
        loan(term_months=3, first_due_date=date(2026, 2, 28), start_date=date(2026, 1, 15))
    )
    assert column(schedule, "days") == ["44", "28", "31"]
    assert schedule.installments[-1].due_date == add_months(date(2026, 2, 28), 2)


# --- apr ---------------------------------------------------------------------------------


def test_schedule_apr_and_xirr_match_an_independent_solver():
    """借呗 12,000 × 5 at 2509.07: bisection IRR of (−12000, 2509.07 × 5) × 12 = 0.179997
    (slightly under 18 % because A was rounded down); XIRR over the real dates = 0.198106."""
    from tests.reference import monthly_irr_times_12, xirr

    schedule = build_schedule(loan())
    flows = [Decimal(-12000)] + [Decimal("2509.07")] * 5
    assert str(schedule.apr) == rate6(monthly_irr_times_12(flows)) == "0.179997"
    dated = [(date(2026, 1, 15), Decimal(-12000))] + [
        (date(2026, m, 15), Decimal("2509.07")) for m in range(2, 7)
    ]
    assert str(schedule.effective_annual_rate) == rate6(xirr(dated)) == "0.198106"


def test_capitalizing_months_keep_their_place_in_the_apr_sequence():
    """A capitalizing grace month pays 0.00 but stays in the monthly sequence, so the apr of
    the 2-month-capitalized loan above is the contract 18 % (capitalizing at the contract rate
    costs no more): IRR of (−12000, 0, 0, 4245.14, 4245.14, 4245.15) × 12 by bisection."""
    from tests.reference import monthly_irr_times_12

    schedule = build_schedule(loan(grace_months=2, grace_type=GraceType.CAPITALIZE))
    flows = [Decimal(-12000), Decimal(0), Decimal(0)]
    flows += [Decimal("4245.14"), Decimal("4245.14"), Decimal("4245.15")]
    assert str(schedule.apr) == rate6(monthly_irr_times_12(flows))


# --- rules of SPEC §2 that refuse a request ----------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"method": Method.BULLET, "first_due_date": date(2026, 3, 1)}, "first_due_date"),
        ({"first_due_date": date(2026, 1, 15)}, "first_due_date"),  # not after start_date
        ({"first_due_date": date(2026, 1, 1)}, "first_due_date"),
        ({"method": Method.BULLET, "grace_months": 1}, "grace_months"),
        (
            {"method": Method.FLAT_FEE, "grace_months": 1, "fee_rate": Decimal("0.1")},
            "grace_months",
        ),
        ({"grace_months": 5}, "grace_months"),  # grace_months >= term_months
        ({"grace_months": 6}, "grace_months"),
        ({"method": Method.FLAT_FEE}, "fee_rate"),  # neither fee rate
        (
            {
                "method": Method.FLAT_FEE,
                "fee_rate": Decimal("0.1"),
                "fee_rate_per_period": Decimal("0.01"),
            },
            "fee_rate",
        ),
        ({"fee_rate": Decimal("0.1")}, "fee_rate"),  # fee only for flat_fee
    ],
)
def test_terms_that_break_a_rule_are_refused_with_the_field(fields, field):
    with pytest.raises(InvalidTerms) as raised:
        build_schedule(loan(**fields))
    assert raised.value.field == field
