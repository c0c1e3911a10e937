"""POST /v1/schedules, /v1/accruals and /v1/apr: fields, strings and currencies over HTTP.

Expected figures are worked by hand in each docstring (SPEC §1–4).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PROBLEM = "application/problem+json"

INSTALLMENT_FIELDS = {
    "number",
    "due_date",
    "days",
    "opening_principal",
    "principal",
    "interest",
    "fee",
    "payment",
    "capitalized_interest",
    "closing_principal",
}


def post(client, path: str, body: dict):
    return client.post(path, json=body)


def ok(client, path: str, body: dict) -> dict:
    response = post(client, path, body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def jiebei(**fields) -> dict:
    return {
        "principal": "12000.00",
        "term_months": 5,
        "start_date": "2026-01-15",
        "daily_rate": "0.0005",
        **fields,
    }


def test_schedule_response_has_exactly_the_spec_fields(client):
    body = ok(client, "/v1/schedules", jiebei())
    assert set(body) == {
        "currency",
        "method",
        "installment_amount",
        "installments",
        "totals",
        "apr",
        "effective_annual_rate",
    }
    assert set(body["installments"][0]) == INSTALLMENT_FIELDS
    assert set(body["totals"]) == {
        "principal",
        "interest",
        "fee",
        "payment",
        "capitalized_interest",
    }
    assert (body["currency"], body["method"]) == ("CNY", "equal_installment")


def test_due_dates_from_jan_31_clamp_through_the_api(client):
    """Start 2026-01-31 → Feb 28, Mar 31, Apr 30 (day from the start each time)."""
    body = ok(client, "/v1/schedules", jiebei(term_months=3, start_date="2026-01-31"))
    assert [r["due_date"] for r in body["installments"]] == [
        "2026-02-28",
        "2026-03-31",
        "2026-04-30",
    ]
    assert [r["days"] for r in body["installments"]] == [28, 31, 30]


def test_first_due_date_on_the_31st_keeps_the_31st(client):
    """first_due_date 2026-01-31 → Jan 31, Feb 28, Mar 31 (never Mar 28)."""
    body = ok(
        client,
        "/v1/schedules",
        jiebei(term_months=3, start_date="2026-01-10", first_due_date="2026-01-31"),
    )
    assert [r["due_date"] for r in body["installments"]] == [
        "2026-01-31",
        "2026-02-28",
        "2026-03-31",
    ]
    assert body["installments"][0]["days"] == 21


def test_jpy_amounts_have_no_decimal_point(client):
    """100,000 JPY at 1.5 %/month × 5: A = PMT = 20908.93 → "20909"; interest 1500."""
    body = ok(client, "/v1/schedules", jiebei(principal="100000", currency="JPY"))
    assert body["currency"] == "JPY"
    assert body["installment_amount"] == "20909"
    assert body["installments"][0]["interest"] == "1500"
    assert body["installments"][-1]["closing_principal"] == "0"


def test_kwd_amounts_have_three_decimals(client):
    """1000.000 KWD at 1.5 %/month × 3: A = 343.38296 → "343.383"; interest 15.000."""
    body = ok(client, "/v1/schedules", jiebei(principal="1000.000", currency="KWD", term_months=3))
    assert body["installment_amount"] == "343.383"
    assert body["installments"][0]["interest"] == "15.000"
    assert body["totals"]["principal"] == "1000.000"


@pytest.mark.parametrize("code", ["XAU", "CLF", "XXX", "ZZZ"])
def test_currencies_outside_the_table_are_422(client, code):
    """XAU (gold, no minor unit), CLF (4 digits), XXX (no currency), ZZZ (unknown)."""
    response = post(client, "/v1/schedules", jiebei(currency=code))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"][0]["loc"][0] == "body"


def test_zero_rate_schedule_reports_unsigned_zero_apr(client):
    """花呗-style promotion: 1200.00 flat_fee, fee_rate 0, no rate: payments 200.00 × 6,
    IRR 0 → apr and effective_annual_rate "0.000000"."""
    body = ok(
        client,
        "/v1/schedules",
        {
            "principal": "1200.00",
            "term_months": 6,
            "method": "flat_fee",
            "fee_rate": "0",
            "start_date": "2026-03-10",
        },
    )
    assert [r["payment"] for r in body["installments"]] == ["200.00"] * 6
    assert (body["apr"], body["effective_annual_rate"]) == ("0.000000", "0.000000")


def test_apr_endpoint_zero_rate_is_unsigned(client):
    body = ok(
        client,
        "/v1/apr",
        {
            "cash_flows": [
                {"date": "2026-01-01", "amount": "-1000.00"},
                {"date": "2026-02-01", "amount": "1000.00"},
            ]
        },
    )
    assert body == {"apr": "0.000000", "effective_annual_rate": "0.000000"}


def test_a_schedule_repaid_the_next_day_at_1000_percent_reports_its_huge_xirr(client):
    """10,000.00 at 1,000 % a year, due the day after it is lent: interest 10000 × 10 / 12 =
    8333.33, one payment 18333.33. apr = 0.833333 × 12 = 9.999996; XIRR = 1.833333^365 − 1
    ≈ 1.2 × 10^96 (exact integers here, half-up at 6 digits): a 200, once a 422 past 10^20."""
    body = ok(
        client,
        "/v1/schedules",
        {
            "principal": "10000.00",
            "term_months": 1,
            "start_date": "2026-01-30",
            "first_due_date": "2026-01-31",
            "annual_rate": "10",
        },
    )
    assert body["installments"][0]["payment"] == "18333.33"
    millionths = (Fraction(1833333, 1000000) ** 365 - 1) * 10**6
    rounded = millionths.numerator // millionths.denominator
    rounded += millionths - rounded >= Fraction(1, 2)
    digits = str(rounded)
    assert body["apr"] == "9.999996"
    assert body["effective_annual_rate"] == f"{digits[:-6]}.{digits[-6:]}"


def test_apr_of_the_largest_loans_own_flows(client):
    """A 10^12 bullet at 6 % for 12 months repays 1,060,000,000,000.00 (above 10^12, which
    bounds only principals): the later date is month 1, so apr = 6 % × 12 = 0.720000, and the
    XIRR over 365 days is 1.06^(365/365) − 1 = 0.060000. Once a 422 ("at most 10^12")."""
    schedule = ok(
        client,
        "/v1/schedules",
        {
            "principal": "1000000000000",
            "term_months": 12,
            "method": "bullet",
            "start_date": "2026-01-15",
            "annual_rate": "0.06",
        },
    )
    repayment = schedule["installments"][0]["payment"]
    assert repayment == "1060000000000.00"
    flows = [
        {"date": "2026-01-15", "amount": "-1000000000000"},
        {"date": "2027-01-15", "amount": repayment},
    ]
    body = ok(client, "/v1/apr", {"cash_flows": flows})
    assert body == {"apr": "0.720000", "effective_annual_rate": "0.060000"}
    flows[1]["amount"] = "1000000000000000.01"  # past 10^15: refused, not solved
    assert post(client, "/v1/apr", {"cash_flows": flows}).status_code == 422


@pytest.mark.parametrize(
    "amounts",
    [["1000.00", "10.00"], ["-1000.00", "-10.00"], ["0", "0"]],
    ids=["all-positive", "all-negative", "all-zero"],
)
def test_apr_without_a_sign_change_is_422_that_says_so(client, amounts):
    flows = [
        {"date": day, "amount": amount}
        for day, amount in zip(["2026-01-01", "2026-02-01"], amounts, strict=True)
    ]
    response = post(client, "/v1/apr", {"cash_flows": flows})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert "positive and one negative" in problem["detail"]
    assert problem["errors"][0]["loc"] == ["body", "cash_flows"]


def test_accrual_with_events_and_detail_rows(client):
    """10,000.00 from Mar 1 to Mar 4 at 18 %/yr (0.0005/day), −4000 on Mar 2:
    Mar 1: 10000 × 0.0005 = 5.000000; Mar 2 and 3: 6000 × 0.0005 = 3.000000 each;
    total 11.00; cumulative 5.00, 8.00, 11.00."""
    body = ok(
        client,
        "/v1/accruals",
        {
            "principal": "10000.00",
            "from_date": "2026-03-01",
            "to_date": "2026-03-04",
            "annual_rate": "0.18",
            "detail": True,
            "events": [{"date": "2026-03-02", "principal_change": "-4000.00"}],
        },
    )
    assert (body["days"], body["interest"]) == (3, "11.00")
    assert body["rows"] == [
        {"date": "2026-03-01", "balance": "10000.00", "interest": "5.000000", "cumulative": "5.00"},
        {"date": "2026-03-02", "balance": "6000.00", "interest": "3.000000", "cumulative": "8.00"},
        {"date": "2026-03-03", "balance": "6000.00", "interest": "3.000000", "cumulative": "11.00"},
    ]


def test_accrual_with_365_day_count(client):
    """36,500.00 at 3.65 %/yr on a 365-day count = 0.0001 a day: × 10 days = 36.50; the
    same on 360 days: 36500 × 0.0365 / 360 × 10 = 37.0069 → 37.01."""
    body = {
        "principal": "36500.00",
        "from_date": "2026-01-01",
        "to_date": "2026-01-11",
        "annual_rate": "0.0365",
    }
    assert ok(client, "/v1/accruals", {**body, "day_count": 365})["interest"] == "36.50"
    assert ok(client, "/v1/accruals", body)["interest"] == "37.01"


def test_accrual_of_zero_days_and_zero_principal(client):
    same_day = ok(
        client,
        "/v1/accruals",
        {
            "principal": "500.00",
            "from_date": "2026-01-01",
            "to_date": "2026-01-01",
            "daily_rate": "0.0005",
        },
    )
    assert (same_day["days"], same_day["interest"]) == (0, "0.00")
    assert same_day["rows"] is None  # rows only with "detail": true
    zero = ok(
        client,
        "/v1/accruals",
        {
            "principal": "0",
            "from_date": "2026-01-01",
            "to_date": "2026-02-01",
            "daily_rate": "0.0005",
        },
    )
    assert (zero["days"], zero["interest"]) == (31, "0.00")


def test_accrual_half_even_through_the_api(client):
    """250.00 × 0.0005 × 1 day = 0.125: half_up 0.13, half_even 0.12."""
    body = {
        "principal": "250.00",
        "from_date": "2026-01-01",
        "to_date": "2026-01-02",
        "daily_rate": "0.0005",
    }
    assert ok(client, "/v1/accruals", body)["interest"] == "0.13"
    assert ok(client, "/v1/accruals", {**body, "rounding": "half_even"})["interest"] == "0.12"


# --- reconciliation of the strings the API prints ----------------------------------------

api_loans = st.fixed_dictionaries(
    {
        "principal": st.integers(100_00, 10**8).map(lambda cents: str(Decimal(cents).scaleb(-2))),
        "term_months": st.integers(1, 36),
        "start_date": st.dates(date(1990, 1, 1), date(2150, 12, 31)).map(str),
        "annual_rate": st.integers(0, 3600).map(lambda bp: str(Decimal(bp) / 10000)),
        "method": st.sampled_from(["equal_installment", "equal_principal", "interest_only"]),
        "interest_basis": st.sampled_from(["periodic", "actual"]),
        "rounding": st.sampled_from(["half_up", "half_even"]),
    }
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(api_loans)
def test_printed_amounts_reconcile_exactly(client, loan):
    """payment = principal + interest + fee on every row, totals are the column sums and the
    last closing_principal is "0.00", all read back from the JSON strings."""
    body = ok(client, "/v1/schedules", loan)
    rows = body["installments"]
    for row in rows:
        principal, interest, fee, payment = (
            Decimal(row[k]) for k in ("principal", "interest", "fee", "payment")
        )
        assert payment == principal + interest + fee
        assert all(len(row[k].split(".")[1]) == 2 for k in ("principal", "interest", "payment"))
    for name in ("principal", "interest", "fee", "payment", "capitalized_interest"):
        assert Decimal(body["totals"][name]) == sum((Decimal(r[name]) for r in rows), Decimal(0))
    assert rows[-1]["closing_principal"] == "0.00"
    assert body["totals"]["principal"] == loan["principal"]
