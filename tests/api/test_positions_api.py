"""POST /v1/positions through the app (SPEC §5): exact money strings and 422 problem+json.

Every figure is worked by hand in the docstring: a penalty is days × base × daily rate,
exact, rounded half-up once; days count [from, to) (算头不算尾).
"""

from __future__ import annotations

import pytest

from tests.engine.position_cases import NOTHING_OWED, overdue_on_july_first

CASE_STUDY_LOAN = {
    "principal": "12000.00",
    "term_months": 5,
    "method": "equal_installment",
    "start_date": "2026-01-15",
    "daily_rate": "0.0005",
}
ON_TIME = [
    {"date": "2026-02-15", "amount": "2509.07", "reference": "cs-1"},
    {"date": "2026-03-15", "amount": "2509.07", "reference": "cs-2"},
    {"date": "2026-04-15", "amount": "2509.07", "reference": "cs-3"},
]
HUABEI_LOAN = {
    "principal": "2000.00",
    "term_months": 6,
    "method": "flat_fee",
    "start_date": "2026-03-10",
    "fee_rate": "0.045",
}
HUABEI_PENALTY = {"base": "overdue_amount", "daily_rate": "0.0005"}


def _position(client, body: dict) -> dict:
    response = client.post("/v1/positions", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


@pytest.mark.parametrize(
    ("penalty", "expected"),
    [
        # compound, ×1.5 = 0.00075: (2435.46 + 73.61) × 47 × 0.00075 = 88.4447175 → 88.44,
        # (2471.99 + 37.08) × 16 × 0.00075 = 30.10884 → 30.11; 118.55; 4907.45 + 110.69 + 118.55
        ({"compound": True}, overdue_on_july_first("118.55", "5136.69", capped=False)),
        # overdue_amount at 0.0005: 2509.07 × 47 × 0.0005 = 58.963145 → 58.96,
        # 2509.07 × 16 × 0.0005 = 20.07256 → 20.07; 79.03; 4907.45 + 110.69 + 79.03
        (HUABEI_PENALTY, overdue_on_july_first("79.03", "5097.17", capped=False)),
        # ×2 = 0.001 > 0.24 / 360 = 1/1500: 2435.46 × 47 / 1500 = 76.31108 → 76.31,
        # 2471.99 × 16 / 1500 = 26.3678933 → 26.37; 102.68; 4907.45 + 110.69 + 102.68
        (
            {"rate_multiplier": "2", "cap_annual_rate": "0.24"},
            overdue_on_july_first("102.68", "5120.82", capped=True),
        ),
        # default ×1.5 = 0.00075: 2435.46 × 47 × 0.00075 = 85.849965 → 85.85,
        # 2471.99 × 16 × 0.00075 = 29.66388 → 29.66; 115.51; 4907.45 + 110.69 + 115.51
        ({}, overdue_on_july_first("115.51", "5133.65", capped=False)),
    ],
    ids=["compound", "overdue_amount-absolute", "capped", "default"],
)
def test_case_study_on_july_first_under_each_penalty_rule(client, penalty, expected):
    body = {"loan": CASE_STUDY_LOAN, "payments": ON_TIME, "as_of": "2026-07-01", "penalty": penalty}

    position = _position(client, body)

    assert position["summary"] == expected
    assert [r["status"] for r in position["installments"]] == [
        "paid",
        "paid",
        "paid",
        "overdue",
        "overdue",
    ]


def test_case_study_before_installment_4_is_current(client):
    """2026-05-10: accrued interest 25 days [04-15, 05-10) × 4907.45 × 0.0005 = 61.343125
    → 61.34; payoff 4907.45 + 61.34 = 4968.79."""
    body = {"loan": CASE_STUDY_LOAN, "payments": ON_TIME, "as_of": "2026-05-10"}

    assert _position(client, body)["summary"] == {
        **NOTHING_OWED,
        "outstanding_principal": "4907.45",
        "accrued_interest": "61.34",
        "payoff_amount": "4968.79",
        "next_due_date": "2026-05-15",
        "next_payment": "2509.07",
    }


def test_paying_the_payoff_amount_settles_early_and_one_cent_less_only_prepays(client):
    """提前结清 on 2026-05-10 with 4968.79 (from the test above): interest 61.34 as installment
    4's, principals 2435.46 and 2471.99, nothing unapplied; cancelled interest 73.61 - 61.34
    = 12.27 and 37.08. With 4968.78 it prepays: installment 4 principal and interest
    (2509.07), then 2459.71 of installment 5's principal, leaving 2471.99 - 2459.71 = 12.28."""
    body = {
        "loan": CASE_STUDY_LOAN,
        "as_of": "2026-05-10",
        "payments": [*ON_TIME, {"date": "2026-05-10", "amount": "4968.79", "reference": "es"}],
    }

    settled = _position(client, body)

    assert settled["payments"][3] == {
        "reference": "es",
        "date": "2026-05-10",
        "amount": "4968.79",
        "allocations": [
            {"number": 4, "component": "interest", "amount": "61.34"},
            {"number": 4, "component": "principal", "amount": "2435.46"},
            {"number": 5, "component": "principal", "amount": "2471.99"},
        ],
        "unapplied": "0.00",
    }
    assert [
        (r["status"], r["settled_on"], r["cancelled_interest"]) for r in settled["installments"][3:]
    ] == [("paid", "2026-05-10", "12.27"), ("paid", "2026-05-10", "37.08")]
    assert settled["summary"] == NOTHING_OWED

    body["payments"][3] = {"date": "2026-05-10", "amount": "4968.78", "reference": "es"}
    prepaid = _position(client, body)

    assert prepaid["payments"][3]["allocations"] == [
        {"number": 4, "component": "principal", "amount": "2435.46"},
        {"number": 4, "component": "interest", "amount": "73.61"},
        {"number": 5, "component": "principal", "amount": "2459.71"},
    ]
    assert prepaid["payments"][3]["unapplied"] == "0.00"
    assert prepaid["installments"][4]["outstanding_principal"] == "12.28"
    assert prepaid["installments"][4]["status"] == "upcoming"
    assert prepaid["summary"]["outstanding_principal"] == "12.28"


def test_huabei_flat_fee_penalty_on_the_overdue_amount(client):
    """花呗: 2,000.00 in 6 flat_fee periods, fee_rate 0.045: principal round(2000/6) = 333.33
    (last 333.35), fee round(2000 × 0.045 / 6) = 15.00, due the 10th from 2026-04-10.
    Penalty base overdue_amount (principal + fee = 348.33) at an absolute 0.0005 a day.

    As of 2026-05-20, nothing paid: installment 1 [04-10, 05-20) = 40 days × 348.33 × 0.0005
    = 6.9666 → 6.97; installment 2 [05-10, 05-20) = 10 days × 348.33 × 0.0005 = 1.74165
    → 1.74. overdue principal 666.66, fee 30.00, penalty 8.71: total 705.37. flat_fee accrues
    no interest, so payoff = 705.37 + not-yet-due principal 2000.00 - 666.66 = 1333.34
    → 2038.71. 40 days: M2, special_mention; next installment 3 on 06-10, 348.33.
    """
    body = {"loan": HUABEI_LOAN, "as_of": "2026-05-20", "penalty": HUABEI_PENALTY}

    position = _position(client, body)

    assert [
        (r["penalty_accrued"], r["days_past_due"], r["status"])
        for r in position["installments"][:3]
    ] == [("6.97", 40, "overdue"), ("1.74", 10, "overdue"), ("0.00", 0, "upcoming")]
    assert position["summary"] == {
        "overdue_principal": "666.66",
        "overdue_interest": "0.00",
        "overdue_fee": "30.00",
        "outstanding_penalty": "8.71",
        "total_overdue": "705.37",
        "outstanding_principal": "2000.00",
        "accrued_interest": "0.00",
        "payoff_amount": "2038.71",
        "penalty_capped": False,
        "days_past_due": 40,
        "bucket": "M2",
        "classification": "special_mention",
        "next_due_date": "2026-06-10",
        "next_payment": "348.33",
    }


def test_huabei_partial_payment_lowers_the_overdue_amount_penalty_base(client):
    """100.00 paid on 2026-04-20 on installment 1 (due 04-10): penalty 10 days × 348.33
    × 0.0005 = 1.74165 → 1.74, then fee 15.00, then principal 100.00 - 16.74 = 83.26.
    Base from 04-20: 333.33 - 83.26 = 250.07 (fee paid). As of 2026-05-01: accrual
    1.74165 + 11 days × 250.07 × 0.0005 (1.375385) = 3.117035 → 3.12, paid 1.74, open 1.38.
    total_overdue 250.07 + 1.38 = 251.45; payoff = 251.45 + 2000.00 - 333.33 = 1918.12.
    21 days past due (04-10 → 05-01): M1.
    """
    body = {
        "loan": HUABEI_LOAN,
        "as_of": "2026-05-01",
        "penalty": HUABEI_PENALTY,
        "payments": [{"date": "2026-04-20", "amount": "100.00", "reference": "hb"}],
    }

    position = _position(client, body)

    assert position["payments"][0]["allocations"] == [
        {"number": 1, "component": "penalty", "amount": "1.74"},
        {"number": 1, "component": "fee", "amount": "15.00"},
        {"number": 1, "component": "principal", "amount": "83.26"},
    ]
    first = position["installments"][0]
    assert (
        first["penalty_accrued"],
        first["paid_penalty"],
        first["outstanding_penalty"],
        first["outstanding_principal"],
        first["outstanding_fee"],
    ) == ("3.12", "1.74", "1.38", "250.07", "0.00")
    assert position["summary"] == {
        "overdue_principal": "250.07",
        "overdue_interest": "0.00",
        "overdue_fee": "0.00",
        "outstanding_penalty": "1.38",
        "total_overdue": "251.45",
        "outstanding_principal": "1916.74",
        "accrued_interest": "0.00",
        "payoff_amount": "1918.12",
        "penalty_capped": False,
        "days_past_due": 21,
        "bucket": "M1",
        "classification": "special_mention",
        "next_due_date": "2026-05-10",
        "next_payment": "348.33",
    }


def test_huabei_early_settlement_cancels_the_remaining_fees(client):
    """Before any due date (2026-04-01) the payoff is the principal 2000.00 (no interest on
    flat_fee); paying it settles every installment and cancels each 15.00 fee."""
    body = {"loan": HUABEI_LOAN, "as_of": "2026-04-01", "penalty": HUABEI_PENALTY}
    assert _position(client, body)["summary"]["payoff_amount"] == "2000.00"

    body["payments"] = [{"date": "2026-04-01", "amount": "2000.00", "reference": "es"}]
    position = _position(client, body)

    assert position["payments"][0]["unapplied"] == "0.00"
    assert [a["amount"] for a in position["payments"][0]["allocations"]] == [
        "333.33",
        "333.33",
        "333.33",
        "333.33",
        "333.33",
        "333.35",
    ]
    assert {
        (r["status"], r["settled_on"], r["cancelled_fee"], r["outstanding_fee"])
        for r in position["installments"]
    } == {("paid", "2026-04-01", "15.00", "0.00")}
    assert position["summary"] == NOTHING_OWED


@pytest.mark.parametrize(
    ("rate", "penalty", "accrued", "total", "payoff"),
    [
        # 0.0005/day: penalty 10 × 1000.00 × 0.00075 = 7.50; accrued 10 × 1000.00 × 0.0005 = 5.00
        ({"daily_rate": "0.0005"}, "7.50", "5.00", "1023.00", "2028.00"),
        # 0.365 / 365 = 0.001/day: penalty 10 × 1000.00 × 0.0015 = 15.00; accrued 10 × 1000 × 0.001
        ({"annual_rate": "0.365", "day_count": 365}, "15.00", "10.00", "1030.50", "2040.50"),
    ],
    ids=["daily-360", "annual-365"],
)
def test_explicit_schedule(client, rate, penalty, accrued, total, payoff):
    """Two installments given explicitly: 1000.00 + 15.50 due 02-01, 1000.00 + 14.00 + fee 5.00
    due 03-01. As of 2026-02-11, installment 1 is 10 days overdue ([02-01, 02-11)).
    total_overdue = 1000.00 + 15.50 + penalty; payoff = total + 1000.00 + accrued;
    next payment 1000.00 + 14.00 + 5.00 = 1019.00."""
    schedule = {
        "start_date": "2026-01-01",
        **rate,
        "installments": [
            {"due_date": "2026-02-01", "principal": "1000.00", "interest": "15.50", "fee": "0.00"},
            {"due_date": "2026-03-01", "principal": "1000.00", "interest": "14.00", "fee": "5.00"},
        ],
    }

    position = _position(client, {"schedule": schedule, "as_of": "2026-02-11"})

    assert [(r["number"], r["payment"]) for r in position["installments"]] == [
        (1, "1015.50"),
        (2, "1019.00"),
    ]
    assert position["summary"] == {
        "overdue_principal": "1000.00",
        "overdue_interest": "15.50",
        "overdue_fee": "0.00",
        "outstanding_penalty": penalty,
        "total_overdue": total,
        "outstanding_principal": "2000.00",
        "accrued_interest": accrued,
        "payoff_amount": payoff,
        "penalty_capped": False,
        "days_past_due": 10,
        "bucket": "M1",
        "classification": "special_mention",
        "next_due_date": "2026-03-01",
        "next_payment": "1019.00",
    }


@pytest.mark.parametrize(
    ("as_of", "days", "bucket", "label"),
    [
        ("2026-04-01", 90, "M3", "special_mention"),
        ("2026-04-02", 91, "M4", "substandard"),
        ("2026-09-28", 270, "M7+", "substandard"),
        ("2026-09-29", 271, "M7+", "doubtful"),
        ("2026-12-27", 360, "M7+", "doubtful"),
        ("2026-12-28", 361, "M7+", "loss"),
    ],
)
def test_bucket_and_classification_in_the_response(client, as_of, days, bucket, label):
    """One installment due 2026-01-01 never paid: days past due = as_of - 2026-01-01
    (Jan 31 + Feb 28 + Mar 31 = 90 to 04-01; 2026 has 365 days, so 12-27 is day 360)."""
    schedule = {
        "start_date": "2025-12-01",
        "daily_rate": "0.0005",
        "installments": [{"due_date": "2026-01-01", "principal": "1000.00"}],
    }

    summary = _position(client, {"schedule": schedule, "as_of": as_of})["summary"]

    assert (summary["days_past_due"], summary["bucket"], summary["classification"]) == (
        days,
        bucket,
        label,
    )


# --- bad input: 422 application/problem+json, never a 5xx ------------------------------------


def _payment(on: str, amount: str = "100.00") -> dict:
    return {"date": on, "amount": amount, "reference": "p"}


def _schedule(*rows: tuple[str, str]) -> dict:
    return {
        "start_date": "2026-01-01",
        "daily_rate": "0.0005",
        "installments": [{"due_date": due, "principal": principal} for due, principal in rows],
    }


BASE = {"loan": CASE_STUDY_LOAN, "as_of": "2026-05-10"}
# name: (body, what the problem's detail names)
INVALID = {
    "payment-before-start-date": (
        {**BASE, "payments": [_payment("2026-01-14")]},
        "payments.0.date",
    ),
    "payment-after-as-of": ({**BASE, "payments": [_payment("2026-05-11")]}, "payments.0.date"),
    "as-of-before-start-date": ({**BASE, "as_of": "2026-01-14"}, "as_of"),
    "1001-payments": ({**BASE, "payments": [_payment("2026-02-15", "0.01")] * 1001}, "payments"),
    "both-loan-and-schedule": (
        {**BASE, "schedule": _schedule(("2026-02-01", "100.00"))},
        "loan or schedule",
    ),
    "neither-loan-nor-schedule": ({"as_of": "2026-05-10"}, "loan or schedule"),
    "due-dates-equal": (
        {
            "as_of": "2026-05-10",
            "schedule": _schedule(("2026-02-01", "100.00"), ("2026-02-01", "100.00")),
        },
        "due dates",
    ),
    "due-dates-decreasing": (
        {
            "as_of": "2026-05-10",
            "schedule": _schedule(("2026-03-01", "100.00"), ("2026-02-01", "100.00")),
        },
        "due dates",
    ),
    "first-due-date-on-start-date": (
        {"as_of": "2026-05-10", "schedule": _schedule(("2026-01-01", "100.00"))},
        "due dates",
    ),
    "negative-payment": (
        {**BASE, "payments": [_payment("2026-02-15", "-1.00")]},
        "payments.0.amount",
    ),
    "negative-principal": (
        {"as_of": "2026-05-10", "schedule": _schedule(("2026-02-01", "-1.00"))},
        "installments.0.principal",
    ),
    "negative-interest": (
        {
            "as_of": "2026-05-10",
            "schedule": {
                **_schedule(),
                "installments": [
                    {"due_date": "2026-02-01", "principal": "100.00", "interest": "-0.01"}
                ],
            },
        },
        "installments.0.interest",
    ),
    "amount-as-json-number": (
        {**BASE, "payments": [{"date": "2026-02-15", "amount": 2509.07, "reference": "p"}]},
        "string",
    ),
    "three-decimals-in-cny": (
        {**BASE, "payments": [_payment("2026-02-15", "1.001")]},
        "decimal places",
    ),
    "unknown-top-level-field": ({**BASE, "waive_everything": True}, "waive_everything"),
    "unknown-payment-field": (
        {**BASE, "payments": [{**_payment("2026-02-15"), "channel": "app"}]},
        "channel",
    ),
    "unknown-penalty-field": ({**BASE, "penalty": {"rate": "0.001"}}, "penalty.rate"),
    "unknown-allocation-field": (
        {**BASE, "allocation": {"strategy": "installment_first", "x": 1}},
        "allocation.x",
    ),
    "unknown-installment-field": (
        {
            "as_of": "2026-05-10",
            "schedule": {
                **_schedule(),
                "installments": [
                    {"due_date": "2026-02-01", "principal": "100.00", "penalty": "1.00"}
                ],
            },
        },
        "installments.0.penalty",
    ),
    "capitalizing-grace-loan": (
        {
            **BASE,
            "loan": {
                **CASE_STUDY_LOAN,
                "term_months": 6,
                "grace_months": 1,
                "grace_type": "capitalize",
            },
        },
        "capitalizing",
    ),
    # at rate 0 nothing is capitalized (0.00), but the schedule still has such a period
    "capitalizing-grace-at-rate-0": (
        {
            **BASE,
            "loan": {
                "principal": "1200.00",
                "term_months": 3,
                "start_date": "2026-01-15",
                "annual_rate": "0",
                "grace_months": 1,
                "grace_type": "capitalize",
            },
        },
        "capitalizing",
    ),
    "penalty-multiplier-and-daily-rate": (
        {**BASE, "penalty": {"rate_multiplier": "1.5", "daily_rate": "0.0005"}},
        "rate_multiplier",
    ),
    "allocation-order-repeats": (
        {**BASE, "allocation": {"order": ["penalty", "penalty", "interest", "principal"]}},
        "order",
    ),
    "unknown-strategy": (
        {**BASE, "allocation": {"strategy": "largest_first"}},
        "allocation.strategy",
    ),
}


@pytest.mark.parametrize(("body", "named"), INVALID.values(), ids=INVALID.keys())
def test_bad_input_is_a_422_problem(client, body, named):
    response = client.post("/v1/positions", json=body)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 422
    assert problem["title"]
    assert named in problem["detail"]
    assert problem["errors"]
    assert all({"loc", "msg", "type"} <= set(e) for e in problem["errors"])


def test_one_thousand_payments_are_accepted(client):
    """The limit is inclusive (SPEC §8): 1,000 payments of 0.01 on 2026-02-15 go to
    installment 1's interest, 10.00 in all."""
    body = {**BASE, "payments": [_payment("2026-02-15", "0.01")] * 1000}

    position = _position(client, body)

    assert len(position["payments"]) == 1000
    assert position["installments"][0]["paid_interest"] == "10.00"


@pytest.mark.parametrize(
    "body",
    [
        {"loan": CASE_STUDY_LOAN, "payments": ON_TIME, "as_of": "2026-07-01"},
        {"loan": CASE_STUDY_LOAN, "payments": [], "as_of": "2026-01-20"},
        {"loan": HUABEI_LOAN, "payments": [], "as_of": "2026-06-01", "penalty": HUABEI_PENALTY},
        {
            "loan": {**CASE_STUDY_LOAN, "currency": "JPY", "principal": "12000"},
            "payments": [{"date": "2026-02-15", "amount": "2509", "reference": "jp-1"}],
            "as_of": "2026-04-20",
        },
    ],
    ids=["case-study-july", "before-the-first-due-date", "huabei", "jpy"],
)
def test_the_printed_position_is_exactly_its_published_model(client, body):
    """The route prints plain dicts (position_document); what it prints must be a
    PositionResponse field for field, with nothing that validation would change."""
    from app.api.schemas.positions import PositionResponse

    response = client.post("/v1/positions", json=body)
    assert response.status_code == 200, response.text
    model = PositionResponse.model_validate_json(response.content)
    assert model.model_dump(mode="json") == response.json()
    assert response.json()["installments"]
