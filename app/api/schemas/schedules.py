"""POST /v1/schedules: request and response (SPEC §2)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from app.api.rows_json import Totals, unit_rows, unit_totals, wire_rows
from app.api.schemas.common import (
    MAX_ANNUAL_RATE,
    MAX_PRINCIPAL,
    AmountIn,
    AmountOut,
    CurrencyCode,
    DateIn,
    DayCountIn,
    RateIn,
    RateOut,
    RequestModel,
    check_minor_digits,
    parse_currency,
)
from app.api.schemas.examples import CASE_STUDY_LOAN
from app.engine.contract_rate import ContractRate
from app.engine.dates import DayCount
from app.engine.money import Currency, Rounding
from app.engine.rounding import format_units
from app.engine.schedule import (
    GraceType,
    Installment,
    InterestBasis,
    LoanTerms,
    Method,
    Schedule,
)


class RateTerms(RequestModel):
    """A contract rate: exactly one of annual_rate or daily_rate (SPEC §1)."""

    annual_rate: RateIn | None = Field(None, description="Annual rate as a fraction: 0.18 is 18 %")
    daily_rate: RateIn | None = Field(
        None, description="Daily rate as a fraction (借呗 quotes 0.0005)"
    )
    day_count: DayCountIn = DayCount.D360
    currency: CurrencyCode = "CNY"
    rounding: Rounding = Field(Rounding.HALF_UP, description="half_up (default) or half_even")

    def contract_rate(self, *, rate_optional: bool = False) -> ContractRate:
        if self.annual_rate is not None and self.daily_rate is not None:
            raise PydanticCustomError("rate", "give exactly one of annual_rate or daily_rate")
        if self.daily_rate is not None:
            rate = ContractRate.from_daily(self.daily_rate, self.day_count)
        elif self.annual_rate is not None:
            rate = ContractRate.from_annual(self.annual_rate, self.day_count)
        elif rate_optional:
            rate = ContractRate.from_annual(Decimal(0), self.day_count)
        else:
            raise PydanticCustomError("rate", "give exactly one of annual_rate or daily_rate")
        if rate.annual_rate > MAX_ANNUAL_RATE:
            raise PydanticCustomError("rate", "the annual rate may be at most 10 (1000 %)")
        return rate

    @property
    def money(self) -> Currency:
        return parse_currency(self.currency)


_TERMS = "_engine_terms"  # where a validated ScheduleRequest keeps its LoanTerms


class ScheduleRequest(RateTerms):
    """A loan's terms; also the `loan` of a position request."""

    principal: AmountIn = Field(description="Amount disbursed, > 0 and at most 10^12")
    term_months: Annotated[int, Field(ge=1, le=600, strict=True)] = Field(
        description="Number of installments (bullet: months to maturity)"
    )
    method: Method = Field(
        Method.EQUAL_INSTALLMENT,
        description="equal_installment (等额本息), equal_principal (等额本金), "
        "interest_only (先息后本), bullet (到期一次还本付息), flat_fee (分期手续费, 花呗)",
    )
    start_date: DateIn = Field(description="Disbursement date")
    first_due_date: DateIn | None = None
    interest_basis: InterestBasis = Field(
        InterestBasis.PERIODIC, description="periodic (monthly rate) or actual (按日计息)"
    )
    grace_months: Annotated[int, Field(ge=0, le=599, strict=True)] = 0
    grace_type: GraceType = GraceType.INTEREST_ONLY
    fee_rate: RateIn | None = Field(None, description="flat_fee: fee rate for the whole term")
    fee_rate_per_period: RateIn | None = Field(None, description="flat_fee: fee rate per period")

    model_config = ConfigDict(json_schema_extra={"examples": [CASE_STUDY_LOAN]})

    @model_validator(mode="after")
    def _check(self) -> ScheduleRequest:
        # built once, here (what the engine refuses is the body's 422), and kept in the
        # instance's __dict__, where pydantic looks for no field: a private attribute would
        # cost ~2 µs a request in pydantic's __getattr__, a cached_property its lock
        self.__dict__[_TERMS] = self._build_terms()
        return self

    def to_terms(self) -> LoanTerms:
        terms: LoanTerms | None = self.__dict__.get(_TERMS)
        return terms if terms is not None else self._build_terms()  # model_construct: unchecked

    def _build_terms(self) -> LoanTerms:
        currency = self.money
        check_minor_digits("principal", self.principal, currency)
        if not 0 < self.principal <= MAX_PRINCIPAL:
            raise PydanticCustomError("principal", "principal must be above 0 and at most 10^12")
        for name in ("fee_rate", "fee_rate_per_period"):
            value = getattr(self, name)
            if value is not None and value > MAX_ANNUAL_RATE:
                raise PydanticCustomError("rate", f"{name} may be at most 10")
        return LoanTerms(
            principal=self.principal,
            currency=currency,
            rate=self.contract_rate(rate_optional=self.method is Method.FLAT_FEE),
            term_months=self.term_months,
            start_date=self.start_date,
            method=self.method,
            first_due_date=self.first_due_date,
            interest_basis=self.interest_basis,
            grace_months=self.grace_months,
            grace_type=self.grace_type,
            fee_rate=self.fee_rate,
            fee_rate_per_period=self.fee_rate_per_period,
            rounding=self.rounding,
        )


class InstallmentOut(BaseModel):
    number: int
    due_date: str
    days: int
    opening_principal: AmountOut
    principal: AmountOut
    interest: AmountOut
    fee: AmountOut
    payment: AmountOut
    capitalized_interest: AmountOut
    closing_principal: AmountOut


class TotalsOut(BaseModel):
    principal: AmountOut
    interest: AmountOut
    fee: AmountOut
    payment: AmountOut
    capitalized_interest: AmountOut


class ScheduleResponse(BaseModel):
    currency: str
    method: Method
    installment_amount: AmountOut
    installments: list[InstallmentOut]
    totals: TotalsOut
    apr: RateOut = Field(description="Monthly IRR × 12 (年化利率, IRR method)")
    effective_annual_rate: RateOut = Field(description="XIRR at the actual dates, 365-day year")


def schedule_document(schedule: Schedule) -> dict[str, Any]:
    """The JSON object of a ScheduleResponse as plain dicts and strings (the collector's page,
    tests), printed from the engine's rows in minor units (app/api/rows_json.py) or, when a
    caller has built the Decimal view already, from that with `str`. Dicts, not pydantic
    models, keep a 600-row document cheap."""
    digits = schedule.terms.currency.minor_digits
    built = vars(schedule).get("installments")
    # the Decimal view exists already (a plan's): C's str prints faster
    rows = _decimal_rows(built) if built is not None else unit_rows(schedule.rows, digits)
    return _document(schedule, rows, unit_totals(schedule.rows, digits))


def schedule_body(schedule: Schedule) -> dict[str, Any]:
    """schedule_document for a response body only (json_document): the installments are
    their JSON bytes already (orjson.Fragment, from the C row writer), the same bytes."""
    return _document(schedule, *wire_rows(schedule.rows, schedule.terms.currency.minor_digits))


def _decimal_rows(installments: tuple[Installment, ...]) -> list[dict[str, Any]]:
    return [
        {
            "number": number,
            "due_date": due.isoformat(),
            "days": days,
            "opening_principal": str(opening),
            "principal": str(principal),
            "interest": str(interest),
            "fee": str(fee),
            "payment": str(principal + interest + fee),
            "capitalized_interest": str(capitalized),
            "closing_principal": str(closing),
        }
        for number, due, days, opening, principal, interest, fee, capitalized, closing in (
            installments
        )
    ]


def _document(schedule: Schedule, rows: object, totals: Totals) -> dict[str, Any]:
    principal, interest, fee, payment, capitalized = totals
    return {
        "currency": schedule.terms.currency.code,
        "method": str(schedule.terms.method),  # a StrEnum: its value
        "installment_amount": format_units(
            schedule.amount_units, schedule.terms.currency.minor_digits
        ),
        "installments": rows,
        "totals": {
            "principal": principal,
            "interest": interest,
            "fee": fee,
            "payment": payment,
            "capitalized_interest": capitalized,
        },
        "apr": str(schedule.apr),
        "effective_annual_rate": str(schedule.effective_annual_rate),
    }
