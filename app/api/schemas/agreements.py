"""/v1/agreements: requests and responses (SPEC §7)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
)
from pydantic_core import PydanticCustomError

from app.agreement_states import (
    AcceptanceChannel,
    AgreementStatus,
    EventAction,
    InstallmentStanding,
)
from app.api.schemas.common import (
    MAX_DATE,
    MIN_DATE,
    AmountOut,
    DateIn,
    PaymentAmountIn,
    RequestModel,
)
from app.api.schemas.examples import CASE_STUDY_OPTION_ID, CASE_STUDY_OPTIONS
from app.api.schemas.restructuring import OptionsRequest
from app.engine.money import format_amount
from app.engine.option import OptionKind
from app.services.agreement_views import AgreementPage, AgreementView, EventPage, EventView
from app.services.agreements import AgreementDraft, Consent
from app.services.evaluation import Evaluation

REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
# 居民身份证号 (18 characters, or the old 15 digits): never accepted as a borrower_ref
_ID_CARD = re.compile(r"^([0-9]{17}[0-9Xx]|[0-9]{15})$")

CASE_STUDY_AGREEMENT: dict[str, Any] = {
    "loan_ref": "JB-2026-0001",
    "borrower_ref": "b-7f3a9c",
    "options_request": CASE_STUDY_OPTIONS,
    "option_id": CASE_STUDY_OPTION_ID,
}


Ref = Annotated[str, Field(pattern=REF_PATTERN, examples=["JB-2026-0001"])]


# RFC 3339 §5.6 date-time: seconds required, offset Z or ±hh:mm (T and Z may be lower case)
_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def _rfc3339_string(value: Any) -> Any:
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise PydanticCustomError(
            "datetime_type", 'send an RFC 3339 date-time string, e.g. "2026-06-21T09:30:00+08:00"'
        )
    return value


def _within_date_limits(value: datetime) -> datetime:
    """SPEC §8 date limits, 1900-01-01 to 2200-12-31 (this also keeps UTC conversion in range)."""
    if not MIN_DATE <= value.date() <= MAX_DATE:
        raise PydanticCustomError("datetime_range", "the date-time must be from 1900 to 2200")
    return value


Rfc3339 = Annotated[
    AwareDatetime, BeforeValidator(_rfc3339_string), AfterValidator(_within_date_limits)
]


class AgreementCreateRequest(RequestModel):
    """Record the option a borrower chose; the server recomputes it from `options_request`."""

    loan_ref: Ref = Field(description="The lender's loan reference")
    borrower_ref: Ref = Field(
        description="An opaque borrower reference: never a name or an ID-card number (身份证号)"
    )
    options_request: OptionsRequest = Field(
        description="The body of POST /v1/restructuring/options that produced the option"
    )
    option_id: Annotated[str, Field(min_length=1, max_length=64, examples=["reinstallment-6"])]
    breach_after_days: Annotated[int, Field(ge=1, le=3650, strict=True)] = Field(
        30, description="Days an installment may stay unpaid past due before `breached`"
    )

    model_config = ConfigDict(json_schema_extra={"examples": [CASE_STUDY_AGREEMENT]})

    def to_draft(self) -> AgreementDraft:
        return AgreementDraft(
            loan_ref=self.loan_ref,
            borrower_ref=self.borrower_ref,
            options_request=self.options_request,
            option_id=self.option_id,
            breach_after_days=self.breach_after_days,
            terms=self.options_request.model_dump(mode="json", exclude_unset=True),
            request=self.model_dump(mode="json"),
        )

    @field_validator("borrower_ref")
    @classmethod
    def _not_an_id_card(cls, value: str) -> str:
        if _ID_CARD.fullmatch(value):
            raise PydanticCustomError(
                "borrower_ref", "borrower_ref must be an opaque reference, not an ID-card number"
            )
        return value


class AcceptRequest(RequestModel):
    """The borrower's consent (协议确认)."""

    channel: AcceptanceChannel
    accepted_at: Rfc3339 = Field(examples=["2026-06-21T09:30:00+08:00"])

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"channel": "app", "accepted_at": "2026-06-21T09:30:00+08:00"}]
        }
    )

    def to_consent(self) -> Consent:
        return Consent(self.channel, self.accepted_at)


class ReasonRequest(RequestModel):
    """An optional reason, kept in the audit trail."""

    reason: Annotated[str, Field(min_length=1, max_length=500)] | None = None

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "borrower asked by phone"}]}
    )


class PaymentRequest(RequestModel):
    """A payment received; the same `reference` again with the same content is a replay."""

    reference: Ref = Field(description="The payment's unique reference (per agreement)")
    date: DateIn
    amount: PaymentAmountIn

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"reference": "pay-2026-07-20", "date": "2026-07-20", "amount": "880.81"}]
        }
    )


class ReversalRequest(RequestModel):
    """A returned or bounced payment: undone on `date` (on or after the payment's date)."""

    date: DateIn
    reason: Annotated[str, Field(min_length=1, max_length=500)]

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"date": "2026-07-23", "reason": "returned by the bank"}]}
    )


class EvaluateRequest(RequestModel):
    """Record breaches and completions of the tenant's active agreements as of `as_of`."""

    as_of: DateIn | None = Field(None, description="Default: today (UTC)")

    model_config = ConfigDict(json_schema_extra={"examples": [{"as_of": "2026-08-20"}]})


class EvaluateResponse(BaseModel):
    as_of: date
    evaluated: int = Field(description="Active agreements evaluated")
    breached: int = Field(description="Of those, recorded as breached by this request")
    completed: int = Field(description="Of those, recorded as completed by this request")

    @classmethod
    def from_evaluation(cls, evaluation: Evaluation) -> EvaluateResponse:
        # field for field the service's Evaluation
        return cls.model_validate(evaluation, from_attributes=True)


class AgreementInstallmentOut(BaseModel):
    number: int
    due_date: date
    principal: AmountOut
    interest: AmountOut
    fee: AmountOut
    payment: AmountOut
    paid: AmountOut
    outstanding: AmountOut
    status: InstallmentStanding = Field(description="paid, overdue (due before as_of) or pending")


class AgreementStandingOut(BaseModel):
    as_of: date
    paid_to_date: AmountOut
    overdue_amount: AmountOut
    days_past_due: int
    next_due_date: date | None
    next_amount: AmountOut | None
    unapplied: AmountOut = Field(
        description="Money received by as_of beyond everything due: a credit, never refused"
    )
    status: AgreementStatus = Field(
        description="The status the agreement would have on as_of; `status` is the stored one"
    )


class AgreementAcceptanceOut(BaseModel):
    channel: AcceptanceChannel
    accepted_at: datetime


class AgreementResponse(BaseModel):
    id: str
    loan_ref: str
    borrower_ref: str
    currency: str
    kind: OptionKind
    option_id: str
    terms: dict[str, Any] = Field(description="The options request that produced the agreement")
    breach_after_days: int
    status: AgreementStatus
    version: int
    unapplied: AmountOut = Field(description="Money received beyond everything due (a credit)")
    acceptance: AgreementAcceptanceOut | None
    created_at: datetime
    updated_at: datetime
    installments: list[AgreementInstallmentOut]
    standing: AgreementStandingOut

    @classmethod
    def from_view(cls, view: AgreementView) -> AgreementResponse:
        currency = view.currency

        def money(amount: Any) -> str:
            return format_amount(amount, currency)

        standing = view.standing
        return cls(
            id=view.id,
            loan_ref=view.loan_ref,
            borrower_ref=view.borrower_ref,
            currency=currency.code,
            kind=view.kind,
            option_id=view.option_id,
            terms=view.terms,
            breach_after_days=view.breach_after_days,
            status=view.status,
            version=view.version,
            unapplied=money(view.unapplied),
            acceptance=None
            if view.accepted_at is None or view.accepted_channel is None
            else AgreementAcceptanceOut(
                channel=AcceptanceChannel(view.accepted_channel), accepted_at=view.accepted_at
            ),
            created_at=view.created_at,
            updated_at=view.updated_at,
            installments=[
                AgreementInstallmentOut(
                    number=i.number,
                    due_date=i.due_date,
                    principal=money(i.principal),
                    interest=money(i.interest),
                    fee=money(i.fee),
                    payment=money(i.payment),
                    paid=money(i.paid),
                    outstanding=money(i.outstanding),
                    status=i.status,
                )
                for i in view.installments
            ],
            standing=AgreementStandingOut(
                as_of=standing.as_of,
                paid_to_date=money(standing.paid_to_date),
                overdue_amount=money(standing.overdue_amount),
                days_past_due=standing.days_past_due,
                next_due_date=standing.next_due_date,
                next_amount=None if standing.next_amount is None else money(standing.next_amount),
                unapplied=money(standing.unapplied),
                status=standing.status,
            ),
        )


# both paged lists end with the cursor of their next page
NextCursor = Annotated[
    str | None, Field(description="Pass as `cursor` for the next page; null at the end")
]


class AgreementListResponse(BaseModel):
    items: list[AgreementResponse]
    next_cursor: NextCursor

    @classmethod
    def from_page(cls, page: AgreementPage) -> AgreementListResponse:
        return cls(
            items=[AgreementResponse.from_view(v) for v in page.items],
            next_cursor=page.next_cursor,
        )


class AgreementEventOut(BaseModel):
    at: datetime
    actor: str = Field(description="The API key id that made the change")
    action: EventAction
    from_status: AgreementStatus | None
    to_status: AgreementStatus | None
    details: dict[str, Any]

    @classmethod
    def from_view(cls, view: EventView) -> AgreementEventOut:
        # field for field the service's EventView
        return cls.model_validate(view, from_attributes=True)


class AgreementEventsResponse(BaseModel):
    events: list[AgreementEventOut]
    next_cursor: NextCursor

    @classmethod
    def from_page(cls, page: EventPage) -> AgreementEventsResponse:
        return cls(
            events=[AgreementEventOut.from_view(e) for e in page.events],
            next_cursor=page.next_cursor,
        )
