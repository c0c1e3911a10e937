"""The one place the batch calls the engine: its inputs built, its answer made columns.

It calls exactly what POST /v1/positions calls (app/api/routes/positions.py): the loan's
contract from its terms (`loan_contract`: the rows without the annualized rates a position
never shows), then `position_as_of` with the payments, `as_of` and the
penalty and allocation rules. Should the engine's types change (integer minor units), this
module alone adapts them: the rest of app/batch sees Decimals, ints, bools, strings, dates
(and the rules file, rules.py, builds the engine's PenaltyRule and AllocationRule).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from app.batch.loan_input import LoanInput
from app.batch.rules import Rules
from app.engine.allocation import Payment
from app.engine.loan_contract import loan_contract
from app.engine.position import SUMMARY_AMOUNTS, position_as_of
from app.engine.rounding import units_to_decimal
from app.engine.schedule import ContractRate, LoanTerms

# the summary of SPEC §5, in its order (the engine's amounts first); the amounts among them
SUMMARY_COLUMNS = (
    *SUMMARY_AMOUNTS,
    "penalty_capped",
    "days_past_due",
    "bucket",
    "classification",
    "next_due_date",
    "next_payment",
)
AMOUNT_COLUMNS = frozenset((*SUMMARY_AMOUNTS, "next_payment"))


def loan_terms(loan: LoanInput) -> LoanTerms:
    """The engine's terms, built as ScheduleRequest.to_terms builds them (app/api/schemas)."""
    if loan.daily_rate is not None:
        rate = ContractRate.from_daily(loan.daily_rate, loan.day_count)
    else:  # flat_fee may have no rate: 0
        rate = ContractRate.from_annual(loan.annual_rate or Decimal(0), loan.day_count)
    return LoanTerms(
        principal=loan.principal,
        currency=loan.currency,
        rate=rate,
        term_months=loan.term_months,
        start_date=loan.start_date,
        method=loan.method,
        first_due_date=loan.first_due_date,
        interest_basis=loan.interest_basis,
        grace_months=loan.grace_months,
        grace_type=loan.grace_type,
        fee_rate=loan.fee_rate,
        fee_rate_per_period=loan.fee_rate_per_period,
        rounding=loan.rounding,
    )


def position_columns(loan: LoanInput, as_of: date, rules: Rules) -> dict[str, Any]:
    """The loan's summary as of `as_of`, column by column: amounts as Decimals with the
    currency's minor digits, dates as dates. Raises the engine's CalculationError."""
    contract = loan_contract(loan_terms(loan))
    position = position_as_of(
        contract,
        [Payment(p.date, p.amount, p.reference) for p in loan.payments],
        as_of,
        penalty=rules.penalty,
        allocation=rules.allocation,
    )
    digits = contract.currency.minor_digits
    s = position.summary
    columns: dict[str, Any] = {
        name: units_to_decimal(units, digits)
        for name, units in zip(SUMMARY_AMOUNTS, s.amounts, strict=True)
    }
    columns["penalty_capped"] = s.penalty_capped
    columns["days_past_due"] = s.days_past_due
    columns["bucket"] = s.bucket
    columns["classification"] = s.classification
    columns["next_due_date"] = s.next_due_date
    units = s.next_payment_units
    columns["next_payment"] = None if units is None else units_to_decimal(units, digits)
    return columns
