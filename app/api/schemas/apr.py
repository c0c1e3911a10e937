"""POST /v1/apr: request and response (SPEC §3)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from app.api.schemas.common import (
    MAX_AMOUNT,
    CurrencyCode,
    DateIn,
    RateOut,
    RequestModel,
    SignedAmountIn,
    check_minor_digits,
    parse_currency,
)
from app.api.schemas.examples import CASE_STUDY_CASH_FLOWS
from app.engine.apr import AnnualizedRates, CashFlow


class CashFlowIn(RequestModel):
    date: DateIn
    amount: SignedAmountIn = Field(description="Lender's view: disbursement negative")


class AprRequest(RequestModel):
    """Annualized rates of dated cash flows (年化利率, IRR method)."""

    cash_flows: Annotated[list[CashFlowIn], Field(min_length=2, max_length=1000)]
    currency: CurrencyCode = "CNY"

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"cash_flows": CASE_STUDY_CASH_FLOWS}]}
    )

    @model_validator(mode="after")
    def _check(self) -> AprRequest:
        currency = parse_currency(self.currency)
        for flow in self.cash_flows:
            check_minor_digits("amount", flow.amount, currency)
            if abs(flow.amount) > MAX_AMOUNT:
                raise PydanticCustomError("amount", "a cash flow may be at most 10^15")
        return self

    def engine_flows(self) -> list[CashFlow]:
        return [CashFlow(f.date, f.amount) for f in self.cash_flows]


class AprResponse(BaseModel):
    apr: RateOut
    effective_annual_rate: RateOut

    @classmethod
    def from_engine(cls, rates: AnnualizedRates) -> AprResponse:
        return cls(apr=str(rates.apr), effective_annual_rate=str(rates.effective_annual_rate))
