"""POST /v1/restructuring/options: request and response (SPEC §6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from app.api.schemas.common import (
    MAX_ANNUAL_RATE,
    MAX_PRINCIPAL,
    AmountIn,
    AmountOut,
    DateIn,
    RateIn,
    RateOut,
    RequestModel,
    check_minor_digits,
    shared_default,
)
from app.api.schemas.examples import CASE_STUDY_OPTIONS
from app.api.schemas.positions import (
    PositionRequest,
    PositionSummaryOut,
    summary_document,
)
from app.api.schemas.schedules import ScheduleResponse, schedule_body, schedule_document
from app.engine.option import Option, OptionKind
from app.engine.restructuring import Restructuring, RestructuringPolicy, RestructuringRequest
from app.engine.schedule import Schedule

Term = Annotated[int, Field(ge=1, le=600, strict=True)]
_DEFAULT = RestructuringPolicy()  # SPEC §6's defaults: the engine's


class PolicyIn(RequestModel):
    """The lender's restructuring policy; every field has the SPEC §6 default."""

    max_term_months: Term = Field(
        _DEFAULT.max_term_months, description="Longest plan (credit-card rule: 5 years)"
    )
    restructure_annual_rate: RateIn | None = Field(
        _DEFAULT.restructure_annual_rate, description="Default: the contract rate"
    )
    penalty_waiver: RateIn = Field(
        _DEFAULT.penalty_waiver, description="Fraction 0–1 of the penalty forgiven"
    )
    interest_waiver: RateIn = Field(
        _DEFAULT.interest_waiver, description="Fraction 0–1 of the overdue interest forgiven"
    )
    settlement_discount: RateIn = Field(
        _DEFAULT.settlement_discount,
        description="Fraction 0–1 of the interest forgiven for a lump-sum payoff",
    )
    deferral_months: Annotated[list[Term], Field(min_length=1, max_length=60)] = Field(
        default_factory=lambda: list(_DEFAULT.deferral_months),
        json_schema_extra={"default": list(_DEFAULT.deferral_months)},
    )
    installment_terms: Annotated[list[Term], Field(min_length=1, max_length=60)] = Field(
        default_factory=lambda: list(_DEFAULT.installment_terms),
        json_schema_extra={"default": list(_DEFAULT.installment_terms)},
    )
    rate_cap: RateIn = Field(
        _DEFAULT.rate_cap, description="Highest compliant APR (court cap 4 × LPR / 24 %)"
    )

    @model_validator(mode="after")
    def _check(self) -> PolicyIn:
        for name in ("penalty_waiver", "interest_waiver", "settlement_discount"):
            if getattr(self, name) > 1:
                raise PydanticCustomError("fraction", f"{name} must be between 0 and 1")
        for name in ("restructure_annual_rate", "rate_cap"):
            value = getattr(self, name)
            if value is not None and value > MAX_ANNUAL_RATE:
                raise PydanticCustomError("rate", f"{name} may be at most 10 (1000 %)")
        return self

    def to_engine(self) -> RestructuringPolicy:
        return RestructuringPolicy(
            max_term_months=self.max_term_months,
            restructure_annual_rate=self.restructure_annual_rate,
            penalty_waiver=self.penalty_waiver,
            interest_waiver=self.interest_waiver,
            settlement_discount=self.settlement_discount,
            deferral_months=tuple(self.deferral_months),
            installment_terms=tuple(self.installment_terms),
            rate_cap=self.rate_cap,
        )


class OptionsRequest(PositionRequest):
    """A position request plus the borrower's monthly capacity and the lender's policy."""

    capacity: AmountIn | None = Field(None, description="Monthly amount the borrower can pay, > 0")
    first_due_date: DateIn | None = Field(None, description="First due date of a new plan")
    policy: PolicyIn = shared_default(PolicyIn())

    model_config = ConfigDict(json_schema_extra={"examples": [CASE_STUDY_OPTIONS]})

    @model_validator(mode="after")
    def _check_capacity(self) -> OptionsRequest:
        if self.capacity is not None:
            check_minor_digits("capacity", self.capacity, self.currency)
            if not 0 < self.capacity <= MAX_PRINCIPAL:
                raise PydanticCustomError("capacity", "capacity must be above 0 and at most 10^12")
        return self

    def to_engine(self) -> RestructuringRequest:
        return RestructuringRequest(
            contract=self.contract(),
            payments=self.engine_payments(),
            as_of=self.as_of,
            penalty=self.penalty.to_engine(),
            allocation=self.allocation.to_engine(),
            capacity=self.capacity,
            first_due_date=self.first_due_date,
            policy=self.policy.to_engine(),
        )


class WaivedOut(BaseModel):
    penalty: AmountOut
    interest: AmountOut


class OptionOut(BaseModel):
    id: str
    kind: OptionKind
    term_months: int
    schedule: ScheduleResponse | None
    first_payment: AmountOut
    max_payment: AmountOut
    total_payable: AmountOut
    total_cost: AmountOut
    waived: WaivedOut
    apr: RateOut | None
    affordable: bool | None
    compliant: bool
    notes: list[str]


def option_document(
    option: Option, schedule_of: Callable[[Schedule], dict[str, Any]] = schedule_document
) -> dict[str, Any]:
    """The JSON object of an OptionOut, built straight from the engine's option: a request
    lists ~17 plans with their schedules, which a model would validate string by string.
    schedule_of: schedule_body for a response body (its rows as JSON bytes already)."""
    unit = option.currency.minor_unit  # amount_formatter's `str(quantize)`, without a call each
    first, most, payable, cost, penalty, interest = [
        str(amount.quantize(unit))
        for amount in (
            option.first_payment,
            option.max_payment,
            option.total_payable,
            option.total_cost,
            option.waived_penalty,
            option.waived_interest,
        )
    ]
    return {
        "id": option.id,
        "kind": str(option.kind),  # a StrEnum's str is its value, without the enum property
        "term_months": option.term_months,
        "schedule": schedule_of(option.schedule) if option.schedule else None,
        "first_payment": first,
        "max_payment": most,
        "total_payable": payable,
        "total_cost": cost,
        "waived": {"penalty": penalty, "interest": interest},
        "apr": str(option.apr) if option.apr is not None else None,
        "affordable": option.affordable,
        "compliant": option.compliant,
        "notes": list(option.notes),
    }


class OptionsResponse(BaseModel):
    position: PositionSummaryOut
    options: list[OptionOut]
    recommended: str | None


def options_document(
    result: Restructuring, schedule_of: Callable[[Schedule], dict[str, Any]] = schedule_document
) -> dict[str, Any]:
    """The JSON object of an OptionsResponse (see option_document)."""
    position = result.position
    return {
        "position": summary_document(position.summary, position.contract.currency),
        "options": [option_document(o, schedule_of) for o in result.options],
        "recommended": result.recommended,
    }


def options_body(result: Restructuring) -> dict[str, Any]:
    """options_document for a response body only (json_document): see schedule_body."""
    return options_document(result, schedule_body)
