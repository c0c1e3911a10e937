"""The /v1/schedules body is printed with `str`, so every amount must already carry exactly the
currency's minor digits (SPEC §1): "0.00", never "0"; "12000", never "12000.00" in JPY."""

from __future__ import annotations

import re
from decimal import Decimal

import orjson
from hypothesis import given

from app.api.responses import json_document
from app.api.schemas.schedules import ScheduleResponse, schedule_document
from tests.api.test_calculation_api import INSTALLMENT_FIELDS
from tests.engine.test_properties import FAST, schedule_of
from tests.strategies import loan_terms

AMOUNT_FIELDS = sorted(INSTALLMENT_FIELDS - {"number", "due_date", "days"})


def amount_pattern(digits: int) -> re.Pattern[str]:
    return re.compile(r"^[0-9]+$" if digits == 0 else rf"^-?[0-9]+\.[0-9]{{{digits}}}$")


@FAST
@given(loan_terms())
def test_every_amount_is_printed_with_exactly_the_minor_digits(terms):
    schedule = schedule_of(terms)
    document = schedule_document(schedule)
    pattern = amount_pattern(terms.currency.minor_digits)
    amounts = [document["installment_amount"], *document["totals"].values()]
    amounts += [row[name] for row in document["installments"] for name in AMOUNT_FIELDS]
    assert all(pattern.match(amount) for amount in amounts), amounts
    # the printed values are the engine's, digit for digit
    first = schedule.installments[0]
    assert Decimal(document["installments"][0]["payment"]) == first.payment
    assert document["installments"][-1]["closing_principal"] == format(
        Decimal(0).scaleb(-terms.currency.minor_digits), "f"
    )
    # every row as the Decimal installments print (the printer works on minor units)
    for row, installment in zip(document["installments"], schedule.installments, strict=True):
        assert [row[name] for name in AMOUNT_FIELDS] == [
            str(getattr(installment, name)) for name in AMOUNT_FIELDS
        ]
    assert document["totals"]["payment"] == str(schedule.totals.payment)
    # printed again now that the Decimal view exists (a plan's path): the same document
    assert schedule_document(schedule) == document
    # and the bytes on the wire are that document, valid against the published model
    body = json_document(document).body
    assert orjson.loads(body) == document
    ScheduleResponse.model_validate_json(body)
