"""The one place the batch calls the engine, and turns its answer into output columns.

It calls exactly what POST /v1/positions calls (app/api/routes/positions.py): the loan's
contract from its built schedule, then `position_as_of` with the payments, `as_of` and the
penalty and allocation rules. Should the engine's types change (integer minor units), this
module alone adapts them: the rest of app/batch sees Decimals, ints, bools, strings, dates.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from app.batch.loan_input import LoanInput
from app.batch.rules import Rules
from app.engine.position import contract_of, position_as_of
from app.engine.schedule import build_schedule

# the summary of SPEC §5, in its order; the amounts among them
SUMMARY_COLUMNS = (
    "overdue_principal",
    "overdue_interest",
    "overdue_fee",
    "outstanding_penalty",
    "total_overdue",
    "outstanding_principal",
    "accrued_interest",
    "payoff_amount",
    "penalty_capped",
    "days_past_due",
    "bucket",
    "classification",
    "next_due_date",
    "next_payment",
)
AMOUNT_COLUMNS = frozenset(SUMMARY_COLUMNS) - {
    "penalty_capped",
    "days_past_due",
    "bucket",
    "classification",
    "next_due_date",
}


def position_columns(loan: LoanInput, as_of: date, rules: Rules) -> dict[str, Any]:
    """The loan's summary as of `as_of`, column by column: amounts as Decimals with the
    currency's minor digits, dates as dates. Raises the engine's CalculationError."""
    contract = contract_of(build_schedule(loan.terms))
    position = position_as_of(
        contract,
        loan.payments,
        as_of,
        penalty=rules.penalty,
        allocation=rules.allocation,
    )
    unit = contract.currency.minor_unit
    s = position.summary

    def amount(value: Decimal) -> Decimal:
        return value.quantize(unit)

    return {
        "overdue_principal": amount(s.overdue_principal),
        "overdue_interest": amount(s.overdue_interest),
        "overdue_fee": amount(s.overdue_fee),
        "outstanding_penalty": amount(s.outstanding_penalty),
        "total_overdue": amount(s.total_overdue),
        "outstanding_principal": amount(s.outstanding_principal),
        "accrued_interest": amount(s.accrued_interest),
        "payoff_amount": amount(s.payoff_amount),
        "penalty_capped": s.penalty_capped,
        "days_past_due": s.days_past_due,
        "bucket": s.bucket,
        "classification": s.classification,
        "next_due_date": s.next_due_date,
        "next_payment": None if s.next_payment is None else amount(s.next_payment),
    }
