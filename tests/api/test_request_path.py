"""The calculation routes' request path, trimmed for speed (issue 13), answers as before.

- check_minor_digits reads the digits from `str` where it can: it must refuse exactly what
  Currency.allows refuses, special values and exponents included;
- parse_currency hands out one Currency per code: equal to currency_of's, refusals unchanged;
- a validated ScheduleRequest keeps its engine terms outside pydantic's fields;
- a JsonBodyRoute added to an app answers without FastAPI's per-request wrapper; included in
  a router (FastAPI's own wrapper around get_route_handler) it answers the same bytes, and an
  engine refusal raised past the route still gets the app's problem+json.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date
from decimal import Decimal

import orjson
import pytest
from fastapi import FastAPI, Response
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter
from pydantic_core import PydanticCustomError

from app.api import problems
from app.api.responses import json_document
from app.api.routes import schedules
from app.api.schemas.common import SignedAmountIn, check_minor_digits, parse_currency
from app.api.schemas.schedules import ScheduleRequest
from app.engine.money import CURRENCY_DIGITS, currency_of
from app.main import create_app

CURRENCIES = [currency_of(code) for code in ("JPY", "CNY", "KWD")]  # 0, 2 and 3 digits

decimals = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(places=4, min_value=-(10**20), max_value=10**20),
    st.builds(
        Decimal,
        st.from_regex(r"-?[0-9]{1,22}(\.[0-9]{0,9})?([eE][-+]?[0-9]{1,3})?", fullmatch=True),
    ),
)


@settings(max_examples=500, deadline=None)
@given(decimals, st.sampled_from(CURRENCIES))
def test_minor_digits_refuse_what_currency_allows_refuses(amount, currency):
    try:
        check_minor_digits("amount", amount, currency)
        accepted = True
    except PydanticCustomError:
        accepted = False
    assert accepted == currency.allows(amount)


@pytest.mark.parametrize(
    ("text", "digits", "accepted"),
    [  # by hand: the exponent as written decides, not the value
        ("12000.00", 2, True),
        ("12000.000", 2, False),  # "1.000" is not CNY even though it equals 1.00
        ("12000", 0, True),
        ("12000.0", 0, False),
        ("1E+3", 0, True),  # 1000, no fraction digits
        ("1E-7", 3, False),  # str prints 1E-7: seven digits after the point
        ("0.005", 3, True),
        ("-0.05", 2, True),
        ("NaN", 2, False),
        ("Infinity", 2, False),
    ],
)
def test_minor_digits_by_hand(text, digits, accepted):
    currency = next(c for c in CURRENCIES if c.minor_digits == digits)
    if accepted:
        check_minor_digits("amount", Decimal(text), currency)
    else:
        with pytest.raises(PydanticCustomError):
            check_minor_digits("amount", Decimal(text), currency)
    check_minor_digits("amount", None, currency)  # nothing sent: nothing to refuse


def test_parse_currency_is_currency_of():
    for code in CURRENCY_DIGITS:
        assert parse_currency(code) == currency_of(code)
        assert parse_currency(code) is parse_currency(code)
    for code in ("XXX", "CLF", "cny", ""):
        with pytest.raises(PydanticCustomError):
            parse_currency(code)


SCHEDULE = {
    "principal": "12000.00",
    "term_months": 12,
    "start_date": "2026-01-15",
    "annual_rate": "0.18",
}


def test_a_validated_request_keeps_its_terms_outside_the_fields():
    request = ScheduleRequest.model_validate(SCHEDULE)
    terms = request.to_terms()
    assert terms is request.to_terms()  # built once, when the body was validated
    assert terms == request._build_terms()
    assert (terms.principal, terms.term_months, terms.start_date) == (
        Decimal("12000.00"),
        12,
        date(2026, 1, 15),
    )
    assert terms.rate.annual_rate == Decimal("0.18")
    assert "_engine_terms" not in request.model_dump()
    assert "_engine_terms" not in request.model_dump_json()
    assert request == ScheduleRequest.model_validate(SCHEDULE)
    # a model made without validation builds them when asked
    unchecked = ScheduleRequest.model_construct(**dict(request))
    assert unchecked.to_terms() == terms


@pytest.fixture(scope="module")
def included() -> TestClient:
    """The schedules router included in a plain app: FastAPI's wrapper around the route's
    handler (get_route_handler), not the route's own ASGI app."""
    app = FastAPI()
    problems.install(app)
    app.include_router(schedules.router)
    return TestClient(app)


@pytest.mark.parametrize(
    "body",
    [
        SCHEDULE,
        {**SCHEDULE, "principal": "12000.001"},  # refused while validating: 422
        {**SCHEDULE, "term_months": "12"},
        {**SCHEDULE, "method": "bullet", "first_due_date": "2026-02-15"},  # refused by rules
        {
            **SCHEDULE,
            "annual_rate": "10",
            "grace_months": 599,
            "term_months": 600,
            "grace_type": "capitalize",
        },  # refused by the engine while computing: 422
    ],
)
def test_added_and_included_routes_answer_alike(client, included, body):
    direct = client.post("/v1/schedules", json=body)
    wrapped = included.post("/v1/schedules", json=body)
    assert direct.status_code == wrapped.status_code
    assert direct.status_code in (200, 422)
    assert direct.headers["content-type"] == wrapped.headers["content-type"]
    assert direct.content == wrapped.content


def test_the_direct_route_replays_the_body_to_the_standard_path():
    """An invalid body was read by the fast path; FastAPI's standard path reads it again (a
    replay) and words the 422 itself, with the field's location."""
    client = TestClient(create_app())
    response = client.post("/v1/schedules", json={**SCHEDULE, "term_months": "twelve"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "term_months" in response.text


async def _call(app, body_pieces: list[bytes]) -> tuple[int, bytes]:
    """POST /v1/schedules straight into the ASGI app, the body in the given pieces."""
    messages = [
        {"type": "http.request", "body": piece, "more_body": n < len(body_pieces) - 1}
        for n, piece in enumerate(body_pieces)
    ]
    sent: list[dict] = []

    async def receive() -> dict:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/schedules",
        "raw_path": b"/v1/schedules",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"test"), (b"content-type", b"application/json")],
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 1),
    }
    await app(scope, receive, send)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body


@pytest.mark.parametrize("valid", [True, False])
def test_a_body_in_pieces_gets_the_answer_of_the_whole(valid):
    """Chunked (no Content-Length): the direct route reads the pieces as Starlette does; an
    invalid body's pieces reach the standard path's 422 too."""
    app = create_app()
    body = json.dumps(SCHEDULE if valid else {**SCHEDULE, "term_months": "twelve"}).encode()
    pieces = [body[:7], body[7:30], body[30:]]
    whole = asyncio.run(_call(app, [body]))
    assert whole[0] == (200 if valid else 422)
    assert asyncio.run(_call(app, pieces)) == whole


@pytest.mark.parametrize(
    ("amount", "refusal"),
    [  # by hand: at most 20 integer digits pass to the bound checks, sign and fraction aside
        ("1" * 20, "string"),
        ("1" * 20 + ".50", "string"),
        ("1" * 21, "too large"),
        ("1" * 21 + ".5", "too large"),
        ("-" + "1" * 20, "pattern"),  # a schedule's principal has no sign
    ],
)
def test_the_digit_limit_counts_the_integer_digits(client, amount, refusal):
    body = {**SCHEDULE, "principal": amount}
    response = client.post("/v1/schedules", json=body)
    assert response.status_code == 422
    text = response.json()["detail"]
    if refusal == "string":  # past the parser: refused by the bound (at most 10^12)
        assert "principal must be above 0 and at most 10^12" in text
    elif refusal == "too large":
        assert "the amount is too large" in text
    else:
        assert "must match" in text


@pytest.mark.parametrize(
    ("amount", "accepted"),
    [("-" + "9" * 20 + ".5", True), ("-" + "9" * 21, False), ("9" * 20, True)],
)
def test_the_digit_limit_of_signed_amounts(amount, accepted):
    adapter = TypeAdapter(SignedAmountIn)
    if accepted:
        assert adapter.validate_python(amount) == Decimal(amount)
    else:
        with pytest.raises(ValueError, match="too large"):
            adapter.validate_python(amount)


@pytest.mark.parametrize("status", [200, 201, 204, 304, 400, 422])
@pytest.mark.parametrize("document", [{}, {"a": "12000.00", "b": [1, None]}, "文本"])
def test_json_document_is_the_response_starlette_builds(document, status):
    """The same body, status and headers (names, values, order) as Starlette's Response for
    the same bytes; a 204 or 304 has no Content-Length there, so none here either."""
    ours = json_document(document, status)
    theirs = Response(orjson.dumps(document), status_code=status, media_type="application/json")
    assert (ours.status_code, ours.body, ours.raw_headers) == (
        theirs.status_code,
        theirs.body,
        theirs.raw_headers,
    )
    assert ours.headers["content-type"] == "application/json"
    assert ours.background is None
