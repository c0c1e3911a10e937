"""POST /v1/accruals (SPEC §4)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from app.api.schemas.common import (
    MAX_PRINCIPAL,
    AmountIn,
    AmountOut,
    DateIn,
    RequestModel,
    SignedAmountIn,
    check_minor_digits,
)
from app.api.schemas.schedules import RateTerms
from app.engine.accrual import Accrual, BalanceEvent
from app.engine.money import format_amount


class BalanceEventIn(RequestModel):
    date: DateIn
    principal_change: SignedAmountIn = Field(
        description="Signed change of the balance from this day on"
    )


class AccrualRequest(RateTerms):
    """Interest on a balance over [from_date, to_date) (算头不算尾)."""

    principal: AmountIn = Field(description="Opening balance, >= 0")
    from_date: DateIn
    to_date: DateIn
    events: Annotated[list[BalanceEventIn], Field(max_length=1000)] = Field(
        default_factory=list, json_schema_extra={"default": []}
    )
    detail: bool = False

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "principal": "2000.00",
                    "from_date": "2026-05-15",
                    "to_date": "2026-06-14",
                    "daily_rate": "0.0005",
                }
            ]
        }
    )

    @model_validator(mode="after")
    def _check(self) -> AccrualRequest:
        currency = self.money
        check_minor_digits("principal", self.principal, currency)
        if self.principal > MAX_PRINCIPAL:
            raise PydanticCustomError("principal", "principal may be at most 10^12")
        for event in self.events:
            check_minor_digits("principal_change", event.principal_change, currency)
            if abs(event.principal_change) > MAX_PRINCIPAL:
                raise PydanticCustomError("principal_change", "a change may be at most 10^12")
        if self.to_date < self.from_date:
            raise PydanticCustomError("to_date", "to_date must be on or after from_date")
        self.contract_rate()
        return self

    def engine_events(self) -> list[BalanceEvent]:
        return [BalanceEvent(e.date, e.principal_change) for e in self.events]


class AccrualRowOut(BaseModel):
    date: str
    balance: AmountOut
    interest: Annotated[str, Field(pattern=r"^-?[0-9]+\.[0-9]{6}$")]
    cumulative: AmountOut


class AccrualResponse(BaseModel):
    currency: str
    days: int
    interest: AmountOut
    rows: list[AccrualRowOut] | None = None

    @classmethod
    def from_engine(cls, accrual: Accrual) -> AccrualResponse:
        c = accrual.currency
        rows = None
        if accrual.rows is not None:
            rows = [
                AccrualRowOut(
                    date=r.date.isoformat(),
                    balance=format_amount(r.balance, c),
                    interest=format(r.interest, "f"),
                    cumulative=format_amount(r.cumulative, c),
                )
                for r in accrual.rows
            ]
        return cls(
            currency=c.code,
            days=accrual.days,
            interest=format_amount(accrual.interest, c),
            rows=rows,
        )
