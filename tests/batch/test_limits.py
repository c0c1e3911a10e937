"""app/batch mirrors the API's request bounds without importing it: the two must agree."""

from __future__ import annotations

from app.api.schemas import common
from app.api.schemas.positions import PositionRequest
from app.batch import limits


def test_the_mirrored_bounds_equal_the_apis():
    assert limits.AMOUNT_PATTERN == common.AMOUNT_PATTERN
    assert limits.RATE_PATTERN == common.RATE_PATTERN
    assert limits.MAX_PRINCIPAL == common.MAX_PRINCIPAL
    assert limits.MAX_AMOUNT == common.MAX_AMOUNT
    assert limits.MAX_ANNUAL_RATE == common.MAX_ANNUAL_RATE
    assert (limits.MIN_DATE, limits.MAX_DATE) == (common.MIN_DATE, common.MAX_DATE)
    assert limits.DIGIT_LIMIT == common._DIGIT_LIMIT


def test_the_payment_count_is_the_apis():
    schema = PositionRequest.model_json_schema()
    assert schema["properties"]["payments"]["maxItems"] == limits.MAX_PAYMENTS


def test_the_term_grace_and_reference_bounds_are_the_apis():
    defs = PositionRequest.model_json_schema()["$defs"]
    loan = defs["ScheduleRequest"]["properties"]
    assert (loan["term_months"]["minimum"], loan["term_months"]["maximum"]) == limits.TERM_MONTHS
    assert (loan["grace_months"]["minimum"], loan["grace_months"]["maximum"]) == limits.GRACE_MONTHS
    reference = defs["PaymentIn"]["properties"]["reference"]["anyOf"][0]
    assert reference["maxLength"] == limits.MAX_REFERENCE
