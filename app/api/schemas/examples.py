"""The request examples of the OpenAPI document: the case study (SPEC §10), every figure taken
from the engine's own (app/engine/case_study.py), so none is written twice: the monthly payment,
for one, is computed by the engine at import, with the rest of the story."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.engine import case_study as story
from app.engine.money import format_amount

_LOAN = story.LOAN
_STORY = story.case_study()


def _amount(value: Decimal) -> str:
    return format_amount(value, _LOAN.currency)


CASE_STUDY_LOAN: dict[str, Any] = {
    "principal": _amount(_LOAN.principal),
    "term_months": _LOAN.term_months,
    "method": _LOAN.method.value,
    "start_date": _LOAN.start_date.isoformat(),
    "daily_rate": format(_LOAN.rate.daily_rate.normalize(), "f"),
}
CASE_STUDY_PAYMENTS: list[dict[str, Any]] = [
    {"date": p.date.isoformat(), "amount": _amount(p.amount), "reference": p.reference}
    for p in _STORY.payments
]
CASE_STUDY_POSITION: dict[str, Any] = {
    "loan": CASE_STUDY_LOAN,
    "payments": CASE_STUDY_PAYMENTS,
    "as_of": story.RESTRUCTURED_ON.isoformat(),
}
CASE_STUDY_OPTIONS: dict[str, Any] = {**CASE_STUDY_POSITION, "capacity": _amount(story.CAPACITY)}
CASE_STUDY_OPTION_ID: str | None = _STORY.restructuring.recommended
# the loan as its lender's cash flows: the disbursement, then every scheduled payment
CASE_STUDY_CASH_FLOWS: list[dict[str, Any]] = [
    {"date": _LOAN.start_date.isoformat(), "amount": _amount(-_LOAN.principal)},
    *(
        {"date": row.due_date.isoformat(), "amount": _amount(row.payment)}
        for row in _STORY.schedule.installments
    ),
]
