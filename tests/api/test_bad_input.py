"""Bad input never yields a 5xx (SPEC §8): each probe gets the right 4xx problem+json.

Every probe asserts the status, the `application/problem+json` content type and the RFC 9457
fields (`type`, `title`, `status`, `detail`, and for a 422 a non-empty
`errors: [{loc, msg, type}]` whose `loc` starts at `body`).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

PROBLEM = "application/problem+json"
MIB = 1024 * 1024

LOAN = {
    "principal": "12000.00",
    "term_months": 5,
    "start_date": "2026-01-15",
    "daily_rate": "0.0005",
}
ACCRUAL = {
    "principal": "10000.00",
    "from_date": "2026-03-01",
    "to_date": "2026-03-11",
    "daily_rate": "0.0005",
}
FLOWS = [{"date": "2026-01-15", "amount": "-1000.00"}, {"date": "2026-02-15", "amount": "1010.00"}]


def loan(**fields: Any) -> dict[str, Any]:
    body = {**LOAN, **fields}
    return {k: v for k, v in body.items() if v is not None}


def accrual(**fields: Any) -> dict[str, Any]:
    return {**ACCRUAL, **fields}


def deep_array(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def deep_object(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


# (id, path, body: dict/list sent as JSON or bytes sent raw, allowed statuses, text that must
# appear in the loc or msg of some error, or None)
PROBES: list[tuple[str, str, Any, tuple[int, ...], str | None]] = [
    # --- not JSON, or JSON of the wrong shape --------------------------------------------
    ("malformed-json", "/v1/schedules", b'{"principal": "12000.00", ', (400,), None),
    ("malformed-json-accruals", "/v1/accruals", b"{'single': 'quotes'}", (400,), None),
    ("malformed-json-apr", "/v1/apr", b'{"cash_flows": [}', (400,), None),
    ("not-utf8", "/v1/schedules", b"\xff\xfe\x00", (400,), None),
    ("empty-body", "/v1/schedules", b"", (400, 422), None),
    ("array-body", "/v1/schedules", [LOAN], (422,), None),
    ("string-body", "/v1/schedules", "12000.00", (422,), None),
    ("null-body", "/v1/accruals", None, (422,), None),
    ("deep-array-10000", "/v1/schedules", deep_array(10_000), (400, 422), None),
    ("deep-object-10000", "/v1/apr", deep_object(10_000), (400, 422), None),
    (
        "deep-in-a-field",
        "/v1/schedules",
        b'{"principal": ' + deep_array(10_000) + b"}",
        (400, 422),
        None,
    ),
    ("oversized-body", "/v1/schedules", b'{"x": "' + b"a" * (MIB + 1) + b'"}', (413,), None),
    # --- fields ------------------------------------------------------------------------------
    ("unknown-field", "/v1/schedules", loan(borrower_name="x"), (422,), "borrower_name"),
    (
        "unknown-field-nested",
        "/v1/apr",
        {"cash_flows": [{**FLOWS[0], "memo": "x"}, FLOWS[1]]},
        (422,),
        "memo",
    ),
    ("missing-principal", "/v1/schedules", loan(principal=None), (422,), "principal"),
    ("principal-json-number", "/v1/schedules", loan(principal=12000), (422,), "string"),
    ("principal-json-float", "/v1/schedules", loan(principal=12000.5), (422,), "string"),
    ("principal-bool", "/v1/schedules", loan(principal=True), (422,), "principal"),
    ("principal-zero", "/v1/schedules", loan(principal="0"), (422,), "principal"),
    ("principal-zero-cents", "/v1/schedules", loan(principal="0.00"), (422,), "principal"),
    ("principal-negative", "/v1/schedules", loan(principal="-100.00"), (422,), "principal"),
    (
        "principal-above-1e12",
        "/v1/schedules",
        loan(principal="1000000000000.01"),
        (422,),
        "principal",
    ),
    ("principal-100-digits", "/v1/schedules", loan(principal="9" * 100), (422,), "principal"),
    ("principal-exponent", "/v1/schedules", loan(principal="1.2E+4"), (422,), "principal"),
    ("principal-spaces", "/v1/schedules", loan(principal=" 12000.00"), (422,), "principal"),
    # the whole string must match: "$" alone would let a trailing newline through
    ("principal-newline", "/v1/schedules", loan(principal="12000.00\n"), (422,), "principal"),
    ("rate-newline", "/v1/schedules", loan(daily_rate="0.0005\n"), (422,), "daily_rate"),
    (
        "principal-three-decimals-cny",
        "/v1/schedules",
        loan(principal="12000.001"),
        (422,),
        "decimal",
    ),
    (
        "principal-decimals-jpy",
        "/v1/schedules",
        loan(principal="12000.5", currency="JPY"),
        (422,),
        "decimal",
    ),
    (
        "principal-four-decimals-kwd",
        "/v1/schedules",
        loan(principal="1.0005", currency="KWD"),
        (422,),
        "principal",
    ),
    ("term-zero", "/v1/schedules", loan(term_months=0), (422,), "term_months"),
    ("term-601", "/v1/schedules", loan(term_months=601), (422,), "term_months"),
    ("term-string", "/v1/schedules", loan(term_months="5"), (422,), "term_months"),
    ("term-fraction", "/v1/schedules", loan(term_months=5.5), (422,), "term_months"),
    ("term-huge-integer", "/v1/schedules", loan(term_months=10**40), (422,), "term_months"),
    (
        "annual-rate-above-10",
        "/v1/schedules",
        loan(daily_rate=None, annual_rate="10.000000000001"),
        (422,),
        "10",
    ),
    ("daily-rate-above-10-a-year", "/v1/schedules", loan(daily_rate="0.03"), (422,), "10"),
    ("rate-json-number", "/v1/schedules", loan(daily_rate=0.0005), (422,), "string"),
    ("rate-13-decimals", "/v1/schedules", loan(daily_rate="0.0000000000001"), (422,), "daily_rate"),
    ("both-rates", "/v1/schedules", loan(annual_rate="0.18"), (422,), "exactly one"),
    ("no-rate", "/v1/schedules", loan(daily_rate=None), (422,), "exactly one"),
    ("day-count-366", "/v1/schedules", loan(day_count=366), (422,), "day_count"),
    ("unknown-method", "/v1/schedules", loan(method="annuity"), (422,), "method"),
    ("unknown-rounding", "/v1/schedules", loan(rounding="down"), (422,), "rounding"),
    ("unknown-basis", "/v1/schedules", loan(interest_basis="daily"), (422,), "interest_basis"),
    (
        "unknown-grace-type",
        "/v1/schedules",
        loan(grace_months=1, grace_type="skip"),
        (422,),
        "grace_type",
    ),
    ("currency-gold", "/v1/schedules", loan(currency="XAU"), (422,), "XAU"),
    ("currency-four-digits", "/v1/schedules", loan(currency="CLF"), (422,), "CLF"),
    ("currency-unknown", "/v1/schedules", loan(currency="ABC"), (422,), "ABC"),
    ("currency-lowercase", "/v1/schedules", loan(currency="cny"), (422,), "currency"),
    # --- dates -------------------------------------------------------------------------------
    ("start-year-2201", "/v1/schedules", loan(start_date="2201-01-01"), (422,), "start_date"),
    ("start-before-1900", "/v1/schedules", loan(start_date="1899-12-31"), (422,), "start_date"),
    (
        "first-due-year-2201",
        "/v1/schedules",
        loan(first_due_date="2201-01-01"),
        (422,),
        "first_due_date",
    ),
    ("start-feb-30", "/v1/schedules", loan(start_date="2026-02-30"), (422,), "start_date"),
    ("start-not-iso", "/v1/schedules", loan(start_date="2026-1-5"), (422,), "start_date"),
    (
        "start-with-time",
        "/v1/schedules",
        loan(start_date="2026-01-15T00:00:00"),
        (422,),
        "start_date",
    ),
    ("start-json-number", "/v1/schedules", loan(start_date=20260115), (422,), "start_date"),
    # --- rules across fields (SPEC §2) -------------------------------------------------------
    (
        "first-due-equals-start",
        "/v1/schedules",
        loan(first_due_date="2026-01-15"),
        (422,),
        "first_due_date",
    ),
    (
        "first-due-before-start",
        "/v1/schedules",
        loan(first_due_date="2026-01-01"),
        (422,),
        "first_due_date",
    ),
    (
        "bullet-first-due",
        "/v1/schedules",
        loan(method="bullet", first_due_date="2026-02-15"),
        (422,),
        "first_due_date",
    ),
    (
        "grace-on-bullet",
        "/v1/schedules",
        loan(method="bullet", grace_months=1),
        (422,),
        "grace_months",
    ),
    (
        "grace-on-flat-fee",
        "/v1/schedules",
        loan(method="flat_fee", fee_rate="0.045", grace_months=1),
        (422,),
        "grace_months",
    ),
    ("grace-equals-term", "/v1/schedules", loan(grace_months=5), (422,), "grace_months"),
    ("grace-above-term", "/v1/schedules", loan(grace_months=6), (422,), "grace_months"),
    ("grace-negative", "/v1/schedules", loan(grace_months=-1), (422,), "grace_months"),
    ("flat-fee-without-fee", "/v1/schedules", loan(method="flat_fee"), (422,), "fee_rate"),
    (
        "flat-fee-both-fees",
        "/v1/schedules",
        loan(method="flat_fee", fee_rate="0.045", fee_rate_per_period="0.006"),
        (422,),
        "fee_rate",
    ),
    ("fee-on-equal-installment", "/v1/schedules", loan(fee_rate="0.045"), (422,), "fee_rate"),
    (
        "fee-rate-above-10",
        "/v1/schedules",
        loan(method="flat_fee", fee_rate="10.5"),
        (422,),
        "fee_rate",
    ),
    (
        "tiny-principal-long-term",
        "/v1/schedules",
        loan(principal="0.10", term_months=12, method="equal_principal"),
        (422,),
        "principal",
    ),
    (
        "unbounded-negative-amortization",
        "/v1/schedules",
        loan(daily_rate=None, annual_rate="10", term_months=600, interest_basis="actual"),
        (422,),
        "balance would grow",
    ),
    (
        "unbounded-capitalization",
        "/v1/schedules",
        loan(
            daily_rate=None,
            annual_rate="10",
            term_months=600,
            grace_months=599,
            grace_type="capitalize",
        ),
        (422,),
        "balance would grow",
    ),
    # --- accruals (SPEC §4) ------------------------------------------------------------------
    ("accrual-to-before-from", "/v1/accruals", accrual(to_date="2026-02-28"), (422,), "to_date"),
    ("accrual-negative-principal", "/v1/accruals", accrual(principal="-1.00"), (422,), "principal"),
    (
        "accrual-event-before-period",
        "/v1/accruals",
        accrual(events=[{"date": "2026-02-28", "principal_change": "1.00"}]),
        (422,),
        "events",
    ),
    (
        "accrual-event-on-to-date",
        "/v1/accruals",
        accrual(events=[{"date": "2026-03-11", "principal_change": "1.00"}]),
        (422,),
        "events",
    ),
    (
        "accrual-balance-below-zero",
        "/v1/accruals",
        accrual(events=[{"date": "2026-03-05", "principal_change": "-10000.01"}]),
        (422,),
        "below 0",
    ),
    (
        "accrual-change-json-number",
        "/v1/accruals",
        accrual(events=[{"date": "2026-03-05", "principal_change": -100}]),
        (422,),
        "string",
    ),
    ("accrual-both-rates", "/v1/accruals", accrual(annual_rate="0.18"), (422,), "exactly one"),
    ("accrual-detail-not-bool", "/v1/accruals", accrual(detail="maybe"), (422,), "detail"),
    # --- apr (SPEC §3) -----------------------------------------------------------------------
    ("apr-one-flow", "/v1/apr", {"cash_flows": FLOWS[:1]}, (422,), "cash_flows"),
    ("apr-1001-flows", "/v1/apr", {"cash_flows": FLOWS * 500 + FLOWS[:1]}, (422,), "cash_flows"),
    ("apr-no-sign-change", "/v1/apr", {"cash_flows": [FLOWS[1], FLOWS[1]]}, (422,), "negative"),
    (
        "apr-amount-json-number",
        "/v1/apr",
        {"cash_flows": [{"date": "2026-01-15", "amount": -1000}, FLOWS[1]]},
        (422,),
        "string",
    ),
    (
        "apr-amount-plus-sign",
        "/v1/apr",
        {"cash_flows": [FLOWS[0], {"date": "2026-02-15", "amount": "+1010.00"}]},
        (422,),
        "amount",
    ),
    (
        "apr-date-2201",
        "/v1/apr",
        {"cash_flows": [FLOWS[0], {"date": "2201-01-01", "amount": "1010.00"}]},
        (422,),
        "date",
    ),
    (
        # XIRR 100^365 − 1 = 10^730 − 1: past every valid schedule's (was a 500)
        "apr-rate-beyond-10^400",
        "/v1/apr",
        {
            "cash_flows": [
                {"date": "2026-01-01", "amount": "-1000.00"},
                {"date": "2026-01-02", "amount": "100000.00"},
            ]
        },
        (422,),
        "10^400",
    ),
]


def send(client, path: str, body: Any):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(path, content=raw, headers={"Content-Type": "application/json"})


def test_the_table_has_at_least_30_probes():
    assert len(PROBES) >= 30


@pytest.mark.parametrize(
    ("path", "body", "statuses", "mentions"),
    [pytest.param(*probe[1:], id=probe[0]) for probe in PROBES],
)
def test_bad_input_gets_a_problem_json_4xx(client, path, body, statuses, mentions):
    response = send(client, path, body)
    assert response.status_code in statuses, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert isinstance(problem, dict)
    assert {"type", "title", "status", "detail"} <= set(problem)
    assert problem["status"] == response.status_code
    assert isinstance(problem["title"], str)
    assert isinstance(problem["detail"], str)
    assert problem["detail"]
    if response.status_code == 422:
        errors = problem["errors"]
        assert errors
        for error in errors:
            assert set(error) == {"loc", "msg", "type"}
            assert error["loc"][0] == "body"
            assert isinstance(error["msg"], str)
            assert isinstance(error["type"], str)
        if mentions is not None:
            said = (
                " ".join(" ".join(map(str, e["loc"])) + " " + e["msg"] for e in errors)
                + " "
                + problem["detail"]
            )
            assert mentions in said, said


def test_a_json_number_for_money_says_to_send_a_string(client):
    """SPEC §1: "a JSON number is rejected with a 422 that says to send a string"."""
    problem = send(client, "/v1/schedules", loan(principal=12000)).json()
    assert problem["errors"][0] == {
        "loc": ["body", "principal"],
        "msg": 'send the amount as a string, e.g. "12000.00"',
        "type": "string_type",
    }
    assert problem["detail"] == 'principal: send the amount as a string, e.g. "12000.00"'


def test_a_json_number_for_a_reference_does_not_ask_for_a_decimal(client):
    """A number where a reference string belongs is a 422 that names a string, not money."""
    body = {"cash_flows": [{"date": "2026-01-15", "amount": "-1.00"}] * 2, "currency": 156}
    problem = send(client, "/v1/apr", body).json()
    assert problem["status"] == 422
    assert problem["detail"].startswith("currency: ")
    assert "decimal" not in problem["detail"]


def test_validation_problems_never_echo_the_input(client):
    """STYLE §5: no input echoed; a secret-looking value must not come back."""
    response = send(client, "/v1/schedules", loan(principal="SECRET-123", borrower="SECRET-456"))
    assert response.status_code == 422
    assert "SECRET" not in response.text


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"principal": "1000000000000"}, 200),  # 10^12 is inside the inclusive limit
        ({"principal": "0.01", "term_months": 1}, 200),
        ({"term_months": 600}, 200),
        ({"daily_rate": None, "annual_rate": "10"}, 200),  # 1000 % is inside the limit
        ({"start_date": "1900-01-01"}, 200),
        ({"start_date": "2200-12-31", "term_months": 1}, 200),
        ({"first_due_date": "2200-12-31", "term_months": 1}, 200),
    ],
)
def test_limits_are_inclusive(client, fields, status):
    """SPEC §8: principal up to 10^12, annual rate up to 10, 600 installments, dates from
    1900-01-01 to 2200-12-31, all inclusive."""
    response = send(client, "/v1/schedules", loan(**fields))
    assert response.status_code == status, response.text
