"""POST /v1/positions: request and response (SPEC §5)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from app.api.schemas.common import (
    MAX_AMOUNT,
    MAX_ANNUAL_RATE,
    AmountIn,
    AmountOut,
    DateIn,
    RateIn,
    RequestModel,
    check_minor_digits,
    shared_default,
)
from app.api.schemas.examples import CASE_STUDY_POSITION
from app.api.schemas.schedules import RateTerms, ScheduleRequest
from app.engine.allocation import DEFAULT_ORDER, AllocationRule, AppliedPayment, Payment, Strategy
from app.engine.dates import DayCount
from app.engine.ledger import COMPONENTS, Component, ScheduledInstallment
from app.engine.loan_contract import loan_contract as engine_loan_contract
from app.engine.money import Currency
from app.engine.penalty import PenaltyBase, PenaltyRule
from app.engine.position import (
    InstallmentPosition,
    InstallmentStatus,
    LoanContract,
    Position,
    PositionSummary,
    classification,
    days_past_due_bucket,
)
from app.engine.rounding import format_units

_DEFAULT_PENALTY = PenaltyRule()  # SPEC §5's default rule: the engine's


def _labels(label_of: Callable[[int], str]) -> dict[str, str]:
    """Every label the engine gives some number of days past due (ten years covers them all:
    the last threshold is a year), as enum members."""
    labels = dict.fromkeys(label_of(days) for days in range(0, 3650))
    return {label.upper().replace("+", "_PLUS"): label for label in labels}


# published as enums so clients can switch on them (逾期账龄 M0…M7+, 五级分类)
Bucket = StrEnum("Bucket", _labels(days_past_due_bucket))  # type: ignore[misc]
Classification = StrEnum("Classification", _labels(classification))  # type: ignore[misc]


class ScheduledInstallmentIn(RequestModel):
    due_date: DateIn
    principal: AmountIn
    interest: AmountIn = Decimal(0)
    fee: AmountIn = Decimal(0)


class ExplicitSchedule(RateTerms):
    """An installment list given by the caller, numbered 1..n, due dates strictly increasing."""

    start_date: DateIn
    installments: Annotated[list[ScheduledInstallmentIn], Field(min_length=1, max_length=600)]


class PaymentIn(RequestModel):
    date: DateIn
    amount: AmountIn
    reference: Annotated[str, Field(max_length=200)] | None = None


class PenaltyRuleIn(RequestModel):
    """罚息: contract daily rate × rate_multiplier (default 1.5, 借呗) or a daily_rate (花呗)."""

    rate_multiplier: RateIn | None = Field(
        None,
        description="Penalty rate ÷ contract rate; default "
        f"{_DEFAULT_PENALTY.rate_multiplier} when no daily_rate is given",
    )
    daily_rate: RateIn | None = None
    base: PenaltyBase = Field(
        _DEFAULT_PENALTY.base,
        description="overdue_principal (借呗) or overdue_amount (花呗)",
    )
    compound: bool = _DEFAULT_PENALTY.compound
    grace_days: Annotated[int, Field(ge=0, le=3650, strict=True)] = Field(
        _DEFAULT_PENALTY.grace_days, description="宽限期"
    )
    cap_annual_rate: RateIn | None = None

    def to_engine(self) -> PenaltyRule:
        if self is _UNSTATED_PENALTY:  # most requests: SPEC §5's default rule, built once
            return _DEFAULT_PENALTY
        if self.rate_multiplier is not None and self.daily_rate is not None:
            raise PydanticCustomError(
                "penalty", "give at most one of rate_multiplier or daily_rate"
            )
        for value in (self.rate_multiplier, self.cap_annual_rate):
            if value is not None and value > MAX_ANNUAL_RATE:
                raise PydanticCustomError(
                    "penalty", "penalty rates and multipliers may be at most 10"
                )
        if self.daily_rate is not None and self.daily_rate * DayCount.D360 > MAX_ANNUAL_RATE:
            raise PydanticCustomError("penalty", "the penalty daily_rate is above 1000 % a year")
        return PenaltyRule(
            rate_multiplier=None
            if self.daily_rate is not None
            else (self.rate_multiplier or _DEFAULT_PENALTY.rate_multiplier),
            daily_rate=self.daily_rate,
            base=self.base,
            compound=self.compound,
            grace_days=self.grace_days,
            cap_annual_rate=self.cap_annual_rate,
        )


class AllocationRuleIn(RequestModel):
    """还款冲抵顺序: the order of components and the strategy across installments."""

    order: Annotated[list[Component], Field(min_length=4, max_length=4)] = Field(
        default_factory=lambda: list(DEFAULT_ORDER),
        json_schema_extra={"default": [c.value for c in DEFAULT_ORDER]},
    )
    strategy: Strategy = Strategy.INSTALLMENT_FIRST

    def to_engine(self) -> AllocationRule:
        if self is _UNSTATED_ALLOCATION:
            return _DEFAULT_ALLOCATION
        if len(set(self.order)) != 4:
            raise PydanticCustomError(
                "order", "order must name each of penalty, fee, interest, principal once"
            )
        return AllocationRule(tuple(self.order), self.strategy)


# the rules of a request that states none: one shared instance each (see shared_default),
# whose engine rules are the engine's defaults
_UNSTATED_PENALTY = PenaltyRuleIn()
_UNSTATED_ALLOCATION = AllocationRuleIn()
_DEFAULT_ALLOCATION = AllocationRule()


class PositionRequest(RequestModel):
    """Exactly one of `loan` (the terms of SPEC §2) or `schedule` (explicit installments)."""

    loan: ScheduleRequest | None = None
    schedule: ExplicitSchedule | None = None
    payments: Annotated[list[PaymentIn], Field(max_length=1000)] = Field(
        default_factory=list, json_schema_extra={"default": []}
    )
    as_of: DateIn
    penalty: PenaltyRuleIn = shared_default(_UNSTATED_PENALTY)
    allocation: AllocationRuleIn = shared_default(_UNSTATED_ALLOCATION)

    model_config = ConfigDict(json_schema_extra={"examples": [CASE_STUDY_POSITION]})

    @model_validator(mode="after")
    def _check(self) -> PositionRequest:
        if (self.loan is None) == (self.schedule is None):
            raise PydanticCustomError("loan_or_schedule", "give exactly one of loan or schedule")
        currency = self.currency
        for payment in self.payments:
            check_minor_digits("amount", payment.amount, currency)
            if payment.amount > MAX_AMOUNT:
                raise PydanticCustomError("amount", "a payment may be at most 10^15")
        if self.schedule is not None:
            self.schedule.contract_rate()
            for row in self.schedule.installments:
                for name in ("principal", "interest", "fee"):
                    check_minor_digits(name, getattr(row, name), currency)
                    if getattr(row, name) > MAX_AMOUNT:
                        raise PydanticCustomError(name, f"{name} may be at most 10^15")
        self.penalty.to_engine()
        self.allocation.to_engine()
        return self

    @property
    def currency(self) -> Currency:
        if self.loan is not None:
            return self.loan.to_terms().currency  # built once, when the loan was validated
        assert self.schedule is not None
        return self.schedule.money

    def contract(self) -> LoanContract:
        if self.loan is not None:
            return loan_contract(self.loan)
        assert self.schedule is not None
        s = self.schedule
        rows = tuple(
            ScheduledInstallment(n, r.due_date, r.principal, r.interest, r.fee)
            for n, r in enumerate(s.installments, start=1)
        )
        return LoanContract.of_installments(
            s.money, s.rounding, s.start_date, s.contract_rate(), rows, True, rows[0].payment
        )

    def engine_payments(self) -> list[Payment]:
        return [Payment(p.date, p.amount, p.reference) for p in self.payments]


def loan_contract(loan: ScheduleRequest) -> LoanContract:
    """The installments of a loan's schedule, as a position needs them."""
    return engine_loan_contract(loan.to_terms())


class InstallmentPositionOut(BaseModel):
    number: int
    due_date: str
    principal: AmountOut
    interest: AmountOut
    fee: AmountOut
    payment: AmountOut
    paid_principal: AmountOut
    paid_interest: AmountOut
    paid_fee: AmountOut
    paid_penalty: AmountOut
    outstanding_principal: AmountOut
    outstanding_interest: AmountOut
    outstanding_fee: AmountOut
    cancelled_interest: AmountOut
    cancelled_fee: AmountOut
    penalty_accrued: AmountOut
    outstanding_penalty: AmountOut
    days_past_due: int
    status: InstallmentStatus
    settled_on: str | None


class AllocationOut(BaseModel):
    number: int
    component: Component
    amount: AmountOut


class AppliedPaymentOut(BaseModel):
    reference: str | None
    date: str
    amount: AmountOut
    allocations: list[AllocationOut]
    unapplied: AmountOut


class PositionSummaryOut(BaseModel):
    overdue_principal: AmountOut
    overdue_interest: AmountOut
    overdue_fee: AmountOut
    outstanding_penalty: AmountOut
    total_overdue: AmountOut
    outstanding_principal: AmountOut
    accrued_interest: AmountOut
    payoff_amount: AmountOut
    penalty_capped: bool
    days_past_due: int
    bucket: Bucket
    classification: Classification
    next_due_date: str | None
    next_payment: AmountOut | None


def summary_document(s: PositionSummary, currency: Currency) -> dict[str, Any]:
    """The JSON object of a PositionSummaryOut, built straight from the engine's summary."""
    return _summary_document(s, _Printed(currency.minor_digits))


class _Printed(dict[int, str]):
    """Amounts in minor units as their JSON strings, each printed once: a position's ~100
    amounts repeat (zeros, the scheduled amounts paid in full), and a hit is a dict look-up
    with no Python call."""

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        super().__init__()
        self.digits = digits

    def __missing__(self, units: int) -> str:
        self[units] = text = format_units(units, self.digits)
        return text


def _summary_document(s: PositionSummary, printed: _Printed) -> dict[str, Any]:
    overdue_principal, overdue_interest, overdue_fee, penalty, total, principal, accrued, payoff = (
        map(printed.__getitem__, s.amounts)
    )
    units = s.next_payment_units
    return {
        "overdue_principal": overdue_principal,
        "overdue_interest": overdue_interest,
        "overdue_fee": overdue_fee,
        "outstanding_penalty": penalty,
        "total_overdue": total,
        "outstanding_principal": principal,
        "accrued_interest": accrued,
        "payoff_amount": payoff,
        "penalty_capped": s.penalty_capped,
        "days_past_due": s.days_past_due,
        "bucket": s.bucket,
        "classification": s.classification,
        "next_due_date": s.next_due_date.isoformat() if s.next_due_date else None,
        "next_payment": None if units is None else printed[units],
    }


class PositionResponse(BaseModel):
    currency: str
    as_of: str
    installments: list[InstallmentPositionOut]
    payments: list[AppliedPaymentOut]
    summary: PositionSummaryOut


def position_document(position: Position) -> dict[str, Any]:
    """The JSON object of a PositionResponse, built straight from the engine's position in
    minor units: a model would validate every one of its ~20 strings a row again."""
    currency = position.contract.currency
    printed = _Printed(currency.minor_digits)

    def row(r: InstallmentPosition) -> dict[str, Any]:
        number, due, principal, interest, fee = r.row
        (
            paid_principal,
            paid_interest,
            paid_fee,
            paid_penalty,
            outstanding_principal,
            outstanding_interest,
            outstanding_fee,
            cancelled_interest,
            cancelled_fee,
            penalty_accrued,
            outstanding_penalty,
        ) = map(printed.__getitem__, r.amounts)
        settled_on = r.settled_on
        return {
            "number": number,
            "due_date": due.isoformat(),
            "principal": printed[principal],
            "interest": printed[interest],
            "fee": printed[fee],
            "payment": printed[principal + interest + fee],
            "paid_principal": paid_principal,
            "paid_interest": paid_interest,
            "paid_fee": paid_fee,
            "paid_penalty": paid_penalty,
            "outstanding_principal": outstanding_principal,
            "outstanding_interest": outstanding_interest,
            "outstanding_fee": outstanding_fee,
            "cancelled_interest": cancelled_interest,
            "cancelled_fee": cancelled_fee,
            "penalty_accrued": penalty_accrued,
            "outstanding_penalty": outstanding_penalty,
            "days_past_due": r.days_past_due,
            "status": r.status,  # a StrEnum: a str, printed as its value
            "settled_on": None if settled_on is None else settled_on.isoformat(),
        }

    def applied(a: AppliedPayment) -> dict[str, Any]:
        return {
            "reference": a.payment.reference,
            "date": a.payment.date.isoformat(),
            "amount": printed[a.units],
            "allocations": [
                {
                    "number": x.number,
                    "component": COMPONENT_NAMES[x.slot],
                    "amount": printed[x.units],
                }
                for x in a.allocations
            ],
            "unapplied": printed[a.unapplied_units],
        }

    return {
        "currency": currency.code,
        "as_of": position.as_of.isoformat(),
        "installments": [row(r) for r in position.installments],
        "payments": [applied(a) for a in position.payments],
        "summary": _summary_document(position.summary, printed),
    }


COMPONENT_NAMES = tuple(c.value for c in COMPONENTS)

__all__ = ["PositionRequest", "PositionResponse", "loan_contract"]
