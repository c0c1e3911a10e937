"""POST /v1/restructuring/options over HTTP (SPEC §6, §8): exact strings and problem+json.

Case study (SPEC §10): 12,000.00 at daily_rate 0.0005, 5 × equal_installment from 2026-01-15,
2509.07 paid on Feb 15, Mar 15 and Apr 15; on 2026-06-20 payoff 5093.17 of which penalty 75.03,
so B0 = 5018.14 (working in tests/engine/test_restructuring_case_study.py).
"""

from __future__ import annotations

import pytest

URL = "/v1/restructuring/options"
PROBLEM_JSON = "application/problem+json"
LOAN = {
    "principal": "12000.00",
    "term_months": 5,
    "method": "equal_installment",
    "start_date": "2026-01-15",
    "daily_rate": "0.0005",
}
PAID = ["2026-02-15", "2026-03-15", "2026-04-15", "2026-05-15", "2026-06-15"]


def case_study(**changes) -> dict:
    body = {
        "loan": LOAN,
        "payments": [
            {"date": day, "amount": "2509.07", "reference": f"cs-{n}"}
            for n, day in enumerate(PAID[:3], start=1)
        ],
        "as_of": "2026-06-20",
        "capacity": "900.00",
    }
    return {**body, **changes}


def test_case_study_options_are_exact_strings(client):
    """reinstallment-6: A = 5018.14 × 0.015 × 1.015^6 / (1.015^6 − 1) = 880.8101 → 880.81, six
    times: 5284.86, cost 5284.86 − 4907.45 = 377.41; capacity 900.00 → affordable, recommended."""
    response = client.post(URL, json=case_study())

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["recommended"] == "reinstallment-6"
    assert body["position"]["payoff_amount"] == "5093.17"
    assert body["position"]["outstanding_penalty"] == "75.03"
    options = {o["id"]: o for o in body["options"]}
    six = options["reinstallment-6"]
    assert {
        k: six[k]
        for k in (
            "kind",
            "term_months",
            "first_payment",
            "max_payment",
            "total_payable",
            "total_cost",
            "waived",
            "apr",
            "affordable",
            "compliant",
        )
    } == {
        "kind": "reinstallment",
        "term_months": 6,
        "first_payment": "880.81",
        "max_payment": "880.81",
        "total_payable": "5284.86",
        "total_cost": "377.41",
        "waived": {"penalty": "75.03", "interest": "0.00"},
        "apr": "0.180000",
        "affordable": True,
        "compliant": True,
    }
    assert six["schedule"]["installment_amount"] == "880.81"
    assert six["schedule"]["installments"][0]["opening_principal"] == "5018.14"
    assert six["notes"][0] == "6 monthly payments of 880.81 CNY / 分6期，每期880.81元"
    assert options["settle_now"]["first_payment"] == "5018.14"
    assert options["settle_now"]["schedule"] is None
    assert options["settle_now"]["apr"] is None


def test_without_capacity_affordable_is_null_and_reinstallment_3_is_recommended(client):
    """Candidates: first payment ≤ 2509.07; the cheapest is reinstallment-3 (total 5169.43,
    cost 261.98 < deferral-1's 299.15)."""
    body = client.post(URL, json=case_study(capacity=None)).json()

    assert {o["affordable"] for o in body["options"]} == {None}
    assert not any(o["id"].startswith("capacity_plan") for o in body["options"])
    assert body["recommended"] == "reinstallment-3"


def test_a_later_first_due_date_moves_the_plan_but_not_its_periodic_figures(client):
    """first_due_date 2026-07-05: due dates 07-05 … 12-05; on the periodic basis interest is
    opening × 0.015 whatever the period's length, so the 880.81 rows stay the same."""
    body = client.post(URL, json=case_study(first_due_date="2026-07-05")).json()

    six = next(o for o in body["options"] if o["id"] == "reinstallment-6")
    rows = six["schedule"]["installments"]
    assert [r["due_date"] for r in rows] == [f"2026-{m:02d}-05" for m in range(7, 13)]
    assert {r["payment"] for r in rows} == {"880.81"}


def test_a_loan_paid_in_full_has_empty_options_and_null_recommendation(client):
    """All five installments paid on their due dates: payoff 0.00."""
    payments = [
        {"date": day, "amount": "2509.07", "reference": f"cs-{n}"}
        for n, day in enumerate(PAID, start=1)
    ]
    response = client.post(URL, json=case_study(payments=payments))

    assert response.status_code == 200
    body = response.json()
    assert body["position"]["payoff_amount"] == "0.00"
    assert (body["options"], body["recommended"]) == ([], None)


def test_policy_fraction_bounds_are_inclusive(client):
    """Waivers and discount of exactly 0 and 1 are accepted; max_term_months 600 too."""
    policy = {
        "penalty_waiver": "0",
        "interest_waiver": "1",
        "settlement_discount": "1",
        "max_term_months": 600,
    }
    response = client.post(URL, json=case_study(policy=policy))

    assert response.status_code == 200
    settle = next(o for o in response.json()["options"] if o["id"] == "settle_now")
    # B0 = 5093.17 − 0 − 110.69 = 4982.48; interest left in it 0 → nothing more to discount
    assert settle["first_payment"] == "4982.48"
    assert settle["waived"] == {"penalty": "0.00", "interest": "110.69"}


BAD_REQUESTS = {
    "penalty_waiver above 1": {"policy": {"penalty_waiver": "1.5"}},
    "interest_waiver above 1": {"policy": {"interest_waiver": "2"}},
    "settlement_discount above 1": {"policy": {"settlement_discount": "1.01"}},
    "negative waiver": {"policy": {"penalty_waiver": "-0.1"}},
    "negative discount": {"policy": {"settlement_discount": "-0.5"}},
    "empty installment_terms": {"policy": {"installment_terms": []}},
    "empty deferral_months": {"policy": {"deferral_months": []}},
    "zero installment term": {"policy": {"installment_terms": [6, 0]}},
    "negative installment term": {"policy": {"installment_terms": [-3]}},
    "zero deferral": {"policy": {"deferral_months": [0]}},
    "max_term_months above 600": {"policy": {"max_term_months": 601}},
    "max_term_months 0": {"policy": {"max_term_months": 0}},
    "capacity 0": {"capacity": "0"},
    "capacity 0.00": {"capacity": "0.00"},
    "capacity as a JSON number": {"capacity": 900},
    "first_due_date on as_of": {"first_due_date": "2026-06-20"},
    "first_due_date before as_of": {"first_due_date": "2026-06-01"},
    "unknown policy field": {"policy": {"max_term": 24}},
    "unknown top-level field": {"recommend": True},
}


@pytest.mark.parametrize("changes", BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
def test_bad_input_is_a_422_problem(client, changes):
    response = client.post(URL, json=case_study(**changes))

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["status"] == 422
    assert {"type", "title", "detail"} <= problem.keys()
    assert problem["errors"]
    for error in problem["errors"]:
        assert set(error) == {"loc", "msg", "type"}
        assert isinstance(error["loc"], list)
        assert isinstance(error["msg"], str)
        assert isinstance(error["type"], str)


def test_a_waiver_problem_names_the_field(client):
    problem = client.post(URL, json=case_study(policy={"interest_waiver": "2"})).json()

    assert "interest_waiver" in problem["detail"]
    assert problem["errors"][0]["loc"][:2] == ["body", "policy"]


def test_a_first_due_date_not_after_as_of_names_the_field(client):
    problem = client.post(URL, json=case_study(first_due_date="2026-06-20")).json()

    assert problem["errors"][0]["loc"] == ["body", "first_due_date"]


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"capacity": None},
        {
            "loan": {**LOAN, "currency": "JPY", "principal": "12000"},
            "payments": [],
            "capacity": "900",
        },
        {"policy": {"settlement_discount": "0.5", "interest_waiver": "1"}},
        {"as_of": "2026-08-20", "first_due_date": "2026-09-30"},
    ],
    ids=["case-study", "no-capacity", "jpy", "waivers", "later"],
)
def test_the_printed_options_are_exactly_their_published_model(client, changes):
    """The route prints plain dicts (options_document); what it prints must be an
    OptionsResponse field for field, with nothing that validation would change."""
    from app.api.schemas.restructuring import OptionsResponse

    body = {k: v for k, v in case_study(**changes).items() if v is not None}
    response = client.post(URL, json=body)
    assert response.status_code == 200, response.text
    model = OptionsResponse.model_validate_json(response.content)
    assert model.model_dump(mode="json") == response.json()
    assert response.json()["options"], "every variant lists options"
