"""The case study its users know (SPEC §10), computed by the engine at request time.

A 12,000-yuan 借呗 loan in 5 monthly equal installments at 0.05 %/day (360-day year, 18 % a
year), disbursed 2026-01-15 and due on the 15th; the first three installments are paid on
time, 4 and 5 go unpaid; on 2026-06-20 the lender restructures with the borrower's capacity
of 900.00 a month and the default policy, which recommends reinstallment-6; the borrower
pays the plan on 2026-07-20, 08-20 and 09-20 and is current again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.engine.allocation import Payment
from app.engine.contract_rate import ContractRate
from app.engine.dates import DayCount
from app.engine.loan_contract import contract_of
from app.engine.money import CNY, exact
from app.engine.option import Option
from app.engine.position import Position, position_as_of
from app.engine.restructuring import Restructuring, RestructuringRequest, restructuring_options
from app.engine.schedule import LoanTerms, Method, Schedule, build_schedule

LOAN = LoanTerms(
    principal=Decimal("12000.00"),
    currency=CNY,
    rate=ContractRate.from_daily(Decimal("0.0005"), DayCount.D360),
    term_months=5,
    start_date=date(2026, 1, 15),
    method=Method.EQUAL_INSTALLMENT,
)
RESTRUCTURED_ON = date(2026, 6, 20)
CAPACITY = Decimal("900.00")
PLAN_PAYMENT_DATES = (date(2026, 7, 20), date(2026, 8, 20), date(2026, 9, 20))


@dataclass(frozen=True, slots=True)
class CaseStudy:
    schedule: Schedule
    payments: tuple[Payment, ...]
    position: Position
    restructuring: Restructuring
    chosen: Option
    plan_payments: tuple[Payment, ...]
    standing: Position


@exact
def case_study() -> CaseStudy:
    """The whole story, every figure from the engine."""
    schedule = build_schedule(LOAN)
    paid = schedule.installments[:3]
    payments = tuple(Payment(r.due_date, r.payment, f"cs-{r.number}") for r in paid)
    contract = contract_of(schedule)
    position = position_as_of(contract, payments, RESTRUCTURED_ON)
    restructuring = restructuring_options(
        RestructuringRequest(contract, payments, RESTRUCTURED_ON, capacity=CAPACITY)
    )
    chosen = next(o for o in restructuring.options if o.id == restructuring.recommended)
    assert chosen.schedule is not None, "the case study's recommendation is a plan"
    plan_rows = chosen.schedule.installments
    plan_payments = tuple(
        Payment(day, row.payment, f"plan-{row.number}")
        for day, row in zip(PLAN_PAYMENT_DATES, plan_rows, strict=False)
    )
    standing = position_as_of(contract_of(chosen.schedule), plan_payments, PLAN_PAYMENT_DATES[-1])
    return CaseStudy(schedule, payments, position, restructuring, chosen, plan_payments, standing)
