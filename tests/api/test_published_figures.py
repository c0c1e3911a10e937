"""Issue 3 acceptance 1: published figures reproduced through the HTTP API as exact strings.

Each expected string is a published figure (bank calculators, 借呗/花呗 disclosures, Excel's
documentation) and is re-derived in the test by a second method (`tests/reference.py`: exact
fractions, bisection), never read from the engine's output.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.reference import (
    amortize_level,
    money,
    monthly_irr_times_12,
    pmt,
    rate6,
    to_fraction,
    xirr,
)

JSON = "application/json"


def post_ok(client, path: str, body: dict) -> dict:
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == JSON
    return response.json()


def schedule(client, **fields) -> dict:
    return post_ok(client, "/v1/schedules", {"start_date": "2026-01-15", **fields})


MORTGAGES_AT_4_9 = [
    # (principal, months, published 等额本息 monthly payment, (1 + i)^n to 6 places)
    pytest.param("1000000", 360, "5307.27", id="1m-360"),
    pytest.param("1000000", 240, "6544.44", id="1m-240"),
    pytest.param("100000", 120, "1055.77", id="100k-120"),
    pytest.param("1200000", 360, "6368.72", id="1.2m-360"),
    pytest.param("300000", 360, "1592.18", id="300k-360"),
    pytest.param("630000", 360, "3343.58", id="630k-360"),
]


@pytest.mark.parametrize(("principal", "months", "published"), MORTGAGES_AT_4_9)
def test_equal_installment_mortgages_at_4_9_percent_match_bank_calculators(
    client, principal, months, published
):
    """商业贷款 at the 4.9 % LPR-era benchmark, periodic basis, i = 0.049 / 12 = 0.00408333….

    A = P·i·(1+i)^n / ((1+i)^n − 1), with (1+i)^360 = 4.336237 and (1+i)^240 = 2.659145,
    (1+i)^120 = 1.630688:
      1,000,000 × 360: 1e6 × 0.00408333 × 4.336237 / 3.336237 = 5307.267 → 5307.27
      1,000,000 × 240: 1e6 × 0.00408333 × 2.659145 / 1.659145 = 6544.440 → 6544.44
        100,000 × 120: 1e5 × 0.00408333 × 1.630688 / 0.630688 = 1055.774 → 1055.77
      1,200,000 × 360: 1.2 × 5307.267 = 6368.721 → 6368.72
        300,000 × 360: 0.3 × 5307.267 = 1592.180 → 1592.18
        630,000 × 360: 0.63 × 5307.267 = 3343.578 → 3343.58
    (the figures every Chinese mortgage calculator prints); re-derived by exact-fraction PMT.
    """
    rate = to_fraction("0.049") / 12
    assert money(pmt(to_fraction(principal), rate, months)) == published
    body = schedule(client, principal=principal, term_months=months, annual_rate="0.049")
    assert body["installment_amount"] == published
    assert body["installments"][0]["payment"] == published
    assert len(body["installments"]) == months


def test_20_year_mortgage_first_month_splits_into_interest_and_principal(client):
    """1,000,000 × 240 at 4.9 %: month 1 interest 1e6 × 0.049 / 12 = 4083.333 → 4083.33,
    principal 6544.44 − 4083.33 = 2461.11."""
    body = schedule(client, principal="1000000.00", term_months=240, annual_rate="0.049")
    first = body["installments"][0]
    assert (first["interest"], first["principal"], first["payment"]) == (
        "4083.33",
        "2461.11",
        "6544.44",
    )
    assert first["closing_principal"] == "997538.89"  # 1,000,000 − 2461.11


@pytest.mark.parametrize(
    ("principal", "first_payment"),
    [("1000000", "6861.11"), ("630000", "4322.50")],
)
def test_equal_principal_first_month_matches_bank_calculators(client, principal, first_payment):
    """等额本金 at 4.9 % over 360 months, first month = P / 360 + P × 0.049 / 12:
    1,000,000: 2777.78 + 4083.33 = 6861.11;  630,000: 1750.00 + 2572.50 = 4322.50."""
    p = to_fraction(principal)
    expected = Decimal(money(p / 360)) + Decimal(money(p * to_fraction("0.049") / 12))
    assert format(expected, "f") == first_payment
    body = schedule(
        client, principal=principal, term_months=360, annual_rate="0.049", method="equal_principal"
    )
    assert body["installments"][0]["payment"] == first_payment
    assert body["installment_amount"] == first_payment


def test_equal_principal_total_interest_follows_spec_rounding_not_the_closed_form(client):
    """SPEC wins over bank calculators (docs/decisions.md). Calculators print the closed form
    P·i·(n+1)/2 = 1e6 × 0.049/12 × 180.5 = 737041.67 of total interest for 1,000,000 ×
    360 等额本金, with an unrounded 2777.777… of principal a month. SPEC posts
    round(P / 360) = 2777.78 a month, so each balance is 0.0022·k lower, the interest about
    Σ 0.0022·k·i ≈ 0.58 lower, and the last row takes the remainder
    1,000,000 − 359 × 2777.78 = 2776.98. Re-summed here row by row in exact fractions."""
    principal = to_fraction(1000000)
    rate = to_fraction("0.049") / 12
    level = to_fraction(money(principal / 360))
    balance, interest = principal, Decimal(0)
    for month in range(1, 361):
        interest += Decimal(money(balance * rate))
        balance -= balance if month == 360 else level
    assert format(interest, "f") == "737041.08"
    assert money(principal * rate * 361 / 2) == "737041.67"  # the calculators' closed form
    body = schedule(
        client,
        principal="1000000.00",
        term_months=360,
        annual_rate="0.049",
        method="equal_principal",
    )
    assert body["totals"]["interest"] == "737041.08"
    last = body["installments"][-1]
    assert (last["principal"], last["interest"]) == ("2776.98", "11.34")


def test_150k_at_10_percent_over_36_months(client):
    """150,000 at 10 %/yr × 36: i = 0.1 / 12, (1+i)^36 = 1.348182,
    A = 150000 × 0.0083333 × 1.348182 / 0.348182 = 4840.078 → 4840.08 (textbook PMT)."""
    assert money(pmt(to_fraction(150000), to_fraction("0.10") / 12, 36)) == "4840.08"
    body = schedule(client, principal="150000.00", term_months=36, annual_rate="0.10")
    assert body["installment_amount"] == "4840.08"


def test_100_at_9_4822_percent_half_even_rounds_every_interest(client):
    """100.00 at 9.4822 %/yr, 6 months, half_even: i = 0.00790183, (1+i)^6 = 1.04835751,
    A = 100 × i × 1.04835751 / 0.04835751 = 17.1306 → 17.13. Interest by month:
      100.00 × i = 0.7902 → 0.79; balance 100.00 − 16.34 = 83.66
       83.66 × i = 0.6611 → 0.66; balance 83.66 − 16.47 = 67.19
       67.19 × i = 0.5309 → 0.53; balance 50.59
       50.59 × i = 0.3998 → 0.40; balance 33.86
       33.86 × i = 0.2676 → 0.27; balance 17.00
       17.00 × i = 0.1343 → 0.13; last payment 17.00 + 0.13 = 17.13.
    """
    interests = ["0.79", "0.66", "0.53", "0.40", "0.27", "0.13"]
    level, rows = amortize_level(to_fraction(100), to_fraction("0.094822") / 12, 6, half_even=True)
    assert str(level) == "17.13"
    assert [str(i) for i, _ in rows] == interests
    body = schedule(
        client, principal="100.00", term_months=6, annual_rate="0.094822", rounding="half_even"
    )
    assert body["installment_amount"] == "17.13"
    assert [r["interest"] for r in body["installments"]] == interests
    assert [r["payment"] for r in body["installments"]] == ["17.13"] * 6
    assert body["totals"]["interest"] == "2.78"  # 0.79+0.66+0.53+0.40+0.27+0.13


def test_jiebei_12000_at_daily_0_05_percent_over_5_months(client):
    """借呗 12,000 at 0.05 %/day: annual 0.0005 × 360 = 0.18, monthly 0.015.
    Spreadsheet PMT(1.5 %, 5, −12000) = 2509.0719 → 2509.07. Interest by month (periodic):
      12000.00 × 0.015 = 180.00;  principal 2329.07, balance 9670.93
       9670.93 × 0.015 = 145.06395 → 145.06; principal 2364.01, balance 7306.92
       7306.92 × 0.015 = 109.6038 → 109.60;  principal 2399.47, balance 4907.45
       4907.45 × 0.015 = 73.61175 → 73.61;   principal 2435.46, balance 2471.99
       2471.99 × 0.015 = 37.07985 → 37.08;   last = 2471.99 + 37.08 = 2509.07.
    """
    interests = ["180.00", "145.06", "109.60", "73.61", "37.08"]
    level, rows = amortize_level(to_fraction(12000), to_fraction("0.015"), 5)
    assert (str(level), [str(i) for i, _ in rows]) == ("2509.07", interests)
    body = schedule(client, principal="12000.00", term_months=5, daily_rate="0.0005")
    assert body["installment_amount"] == "2509.07"
    assert [r["interest"] for r in body["installments"]] == interests
    assert [r["payment"] for r in body["installments"]] == ["2509.07"] * 5
    assert [r["due_date"] for r in body["installments"]] == [
        "2026-02-15",
        "2026-03-15",
        "2026-04-15",
        "2026-05-15",
        "2026-06-15",
    ]
    assert body["totals"]["interest"] == "545.35"  # 180.00+145.06+109.60+73.61+37.08
    assert body["totals"]["payment"] == "12545.35"  # 5 × 2509.07


def test_huabei_1200_over_6_periods_at_4_5_percent_fee_has_apr_15_26_percent(client):
    """花呗 1,200 in 6 periods, fee 4.5 % for the term: fee 1200 × 0.045 = 54.00, 9.00 a
    period; principal 200.00; payment 209.00. IRR r of (−1200, 209 × 6): bisection gives
    r = 0.0127231…, apr = 12 r = 0.152677 (花呗 discloses "年化 15.26 %" and up)."""
    apr = rate6(monthly_irr_times_12([Decimal(-1200)] + [Decimal(209)] * 6))
    assert apr.startswith("0.1526")
    body = schedule(client, principal="1200.00", term_months=6, method="flat_fee", fee_rate="0.045")
    assert body["apr"].startswith("0.1526")
    assert body["apr"] == apr
    assert [r["fee"] for r in body["installments"]] == ["9.00"] * 6
    assert [r["principal"] for r in body["installments"]] == ["200.00"] * 6
    assert [r["interest"] for r in body["installments"]] == ["0.00"] * 6
    assert body["installment_amount"] == "209.00"


def test_accrual_of_2000_for_30_days_at_0_05_percent_a_day(client):
    """2,000 × 30 days × 0.0005 = 30.00 (May 15 → Jun 14 counts 30 days, 算头不算尾)."""
    body = post_ok(
        client,
        "/v1/accruals",
        {
            "principal": "2000.00",
            "from_date": "2026-05-15",
            "to_date": "2026-06-14",
            "daily_rate": "0.0005",
        },
    )
    assert (body["currency"], body["days"], body["interest"]) == ("CNY", 30, "30.00")


def test_excel_xirr_documentation_example(client):
    """Microsoft's XIRR help: −10000 on 2008-01-01, 2750 on 2008-03-01, 4250 on 2008-10-30,
    3250 on 2009-02-15, 2750 on 2009-04-01 → 0.373362535 (37.34 %), so 0.373363.
    The `apr` treats the five distinct dates as months 0–4: bisection on
    −10000 + 2750/(1+r) + 4250/(1+r)^2 + 3250/(1+r)^3 + 2750/(1+r)^4 = 0 gives r = 0.1154128,
    × 12 = 1.384953."""
    flows = [
        ("2008-01-01", "-10000"),
        ("2008-03-01", "2750"),
        ("2008-10-30", "4250"),
        ("2009-02-15", "3250"),
        ("2009-04-01", "2750"),
    ]
    independent = xirr([(date.fromisoformat(d), Decimal(a)) for d, a in flows])
    assert rate6(independent) == "0.373363"
    body = post_ok(client, "/v1/apr", {"cash_flows": [{"date": d, "amount": a} for d, a in flows]})
    assert body["effective_annual_rate"] == "0.373363"
    monthly = monthly_irr_times_12([Decimal(a) for _, a in flows])
    assert body["apr"] == rate6(monthly)
