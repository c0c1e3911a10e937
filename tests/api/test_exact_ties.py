"""Amounts that are exactly half a minor unit round half-up (SPEC §1), through the HTTP API.

Each case divides by 12, 360 or 365 somewhere: the monthly or daily rate is not a finite
decimal (0.13 / 12 = 0.010833…), so a rate cut to 34 digits first would put the product just
under the tie and round it down. The engine divides last (ContractRate); every figure below is
worked by hand as an exact fraction.
"""

from __future__ import annotations

from tests.api.test_calculation_api import ok


def test_periodic_interest_at_a_tie_rounds_up(client):
    """78.00 × 0.13 / 12 = 10.14 / 12 = 0.845 exactly → 0.85 each month; interest_only over 3
    months: payments 0.85, 0.85, 78.85; totals interest 2.55, payment 80.55."""
    body = ok(
        client,
        "/v1/schedules",
        {
            "principal": "78.00",
            "term_months": 3,
            "start_date": "2026-01-15",
            "annual_rate": "0.13",
            "method": "interest_only",
        },
    )
    assert [r["interest"] for r in body["installments"]] == ["0.85", "0.85", "0.85"]
    assert [r["payment"] for r in body["installments"]] == ["0.85", "0.85", "78.85"]
    assert (body["totals"]["interest"], body["totals"]["payment"]) == ("2.55", "80.55")


def test_actual_basis_interest_at_a_tie_rounds_up(client):
    """540.00 × 0.07 × 31 / 360 = 1171.8 / 360 = 3.255 exactly → 3.26 (2025-12-31 → 2026-01-31:
    31 days); the single payment is 540.00 + 3.26 = 543.26."""
    body = ok(
        client,
        "/v1/schedules",
        {
            "principal": "540.00",
            "term_months": 1,
            "start_date": "2025-12-31",
            "annual_rate": "0.07",
            "interest_basis": "actual",
            "method": "interest_only",
        },
    )
    row = body["installments"][0]
    assert (row["days"], row["interest"], row["payment"]) == (31, "3.26", "543.26")


def test_accrual_total_at_a_tie_rounds_up(client):
    """4.50 × 0.19 × 365 days / 365 = 0.855 exactly → 0.86; and 540.00 × 0.07 × 31 / 360 =
    3.255 → 3.26 over January at the default 360-day count."""
    year = ok(
        client,
        "/v1/accruals",
        {
            "principal": "4.50",
            "from_date": "2026-01-01",
            "to_date": "2027-01-01",
            "annual_rate": "0.19",
            "day_count": 365,
        },
    )
    assert (year["days"], year["interest"]) == (365, "0.86")
    january = ok(
        client,
        "/v1/accruals",
        {
            "principal": "540.00",
            "from_date": "2026-01-01",
            "to_date": "2026-02-01",
            "annual_rate": "0.07",
            "detail": True,
        },
    )
    assert (january["days"], january["interest"]) == (31, "3.26")
    assert january["rows"][-1]["cumulative"] == "3.26"


def test_penalty_at_a_tie_rounds_up_and_an_equal_cap_does_not_bite(client):
    """One day late on 10.00 at 0.12 a year × 1.5: 10 × 0.18 / 360 = 0.005 exactly → 0.01.
    With a cap of 0.18 a year the penalty rate (0.12 × 1.5 = 0.18) equals the cap: nothing is
    limited, so penalty_capped is false and the penalty is still 0.01."""
    schedule = {
        "start_date": "2026-01-15",
        "annual_rate": "0.12",
        "installments": [{"due_date": "2026-02-15", "principal": "10.00"}],
    }
    for penalty, capped in (({}, False), ({"cap_annual_rate": "0.18"}, False)):
        body = ok(
            client,
            "/v1/positions",
            {"schedule": schedule, "as_of": "2026-02-16", "penalty": penalty},
        )
        assert body["installments"][0]["penalty_accrued"] == "0.01"
        assert body["summary"]["penalty_capped"] is capped


def test_a_plan_at_the_contract_rate_keeps_it_exactly(client):
    """The default restructure rate is the contract's 0.12 itself: reinstallment-3 of 3599.50
    on the start date pays 3599.50 × 0.12 / 12 = 35.995 → 36.00 interest in month 1, as the same
    plan with restructure_annual_rate "0.12" given explicitly does."""
    request = {
        "loan": {
            "principal": "3599.50",
            "term_months": 3,
            "start_date": "2026-01-15",
            "annual_rate": "0.12",
        },
        "as_of": "2026-01-15",
    }
    implicit = ok(client, "/v1/restructuring/options", request)
    explicit = ok(
        client,
        "/v1/restructuring/options",
        {**request, "policy": {"restructure_annual_rate": "0.12"}},
    )

    def plan(body: dict) -> dict:
        return next(o for o in body["options"] if o["id"] == "reinstallment-3")

    assert plan(implicit)["schedule"]["installments"][0]["interest"] == "36.00"
    assert plan(implicit) == plan(explicit)


def test_plan_due_dates_step_from_as_of_at_month_end(client):
    """as_of Jan 31 and no first_due_date: the plan's dates step from Jan 31 like a loan's
    (SPEC §1): Feb 28, Mar 31, Apr 30, with 28, 31 and 30 days; not Feb 28, Mar 28, Apr 28."""
    body = ok(
        client,
        "/v1/restructuring/options",
        {
            "loan": {
                "principal": "12000.00",
                "term_months": 5,
                "start_date": "2026-01-15",
                "daily_rate": "0.0005",
            },
            "as_of": "2026-01-31",
            "policy": {"deferral_months": [1], "installment_terms": [3]},
        },
    )
    plan = next(o for o in body["options"] if o["id"] == "reinstallment-3")
    rows = plan["schedule"]["installments"]
    assert [(r["due_date"], r["days"]) for r in rows] == [
        ("2026-02-28", 28),
        ("2026-03-31", 31),
        ("2026-04-30", 30),
    ]


def test_a_level_amount_at_a_tie_rounds_up(client):
    """One month of 1237.560 BHD at 0.05 a year: A = P·(1 + 0.05/12) = 1237.560 × 12.05 / 12 =
    14912.598 / 12 = 1242.7165 exactly → 1242.717, the same as the row's payment
    (1237.560 + 1237.560 × 0.05 / 12 = 1237.560 + 5.1565 → 5.157)."""
    body = ok(
        client,
        "/v1/schedules",
        {
            "principal": "1237.560",
            "currency": "BHD",
            "annual_rate": "0.05",
            "term_months": 1,
            "start_date": "2026-04-18",
        },
    )
    assert body["installment_amount"] == "1242.717"
    assert body["installments"][0]["interest"] == "5.157"
    assert body["installments"][0]["payment"] == "1242.717"
