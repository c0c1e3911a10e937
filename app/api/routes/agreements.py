"""/v1/agreements (SPEC §7–8): negotiated agreements, behind tenant API keys.

Every route needs `Authorization: Bearer KEY_ID.SECRET`; another tenant's agreement is a 404.
Writes return the agreement with its `ETag` (the version); `If-Match` guards them (412).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Response
from sqlalchemy.orm import Session

from app.api.deps import Clock, ClockDep, DbDep, SettingsDep, TenantDep
from app.api.problems import PROBLEM_JSON, Problem
from app.api.schemas.agreements import (
    REF_PATTERN,
    AcceptRequest,
    AgreementCreateRequest,
    AgreementEventOut,
    AgreementEventsResponse,
    AgreementListResponse,
    AgreementResponse,
    AgreementStatus,
    PaymentRequest,
    ReasonRequest,
)
from app.api.schemas.common import DateIn
from app.engine.errors import CalculationError
from app.engine.option import Option
from app.engine.restructuring import restructuring_options
from app.services import agreements
from app.services.agreement_views import AgreementView
from app.services.api_keys import Principal
from app.services.errors import OptionNotOffered
from app.services.idempotency import (
    StoredResponse,
    claim_idempotency_key,
    store_idempotent_response,
)

router = APIRouter(prefix="/v1/agreements", tags=["agreements"])

_DESCRIPTIONS = {
    400: "Malformed JSON",
    401: "Missing, unknown or revoked API key",
    404: "No such agreement for this tenant",
    409: "Illegal transition, reused payment reference, or Idempotency-Key in progress",
    412: "If-Match does not match the current ETag",
    422: "Invalid input",
}


def _problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {
            "model": Problem,
            "content": {PROBLEM_JSON: {}},
            "description": _DESCRIPTIONS[status],
        }
        for status in statuses
    }


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Same key and body: the first response again; kept 24 hours per tenant",
    ),
]
IfMatch = Annotated[
    str | None, Header(alias="If-Match", description="The ETag the change is based on")
]
# DateIn: an ISO date only (not epoch seconds, not a date-time), 1900-01-01 to 2200-12-31
AsOf = Annotated[DateIn | None, Query(description="Standing as of this date (default today)")]
_ETAG = re.compile(r'^"([0-9]{1,18})"$')


def _expected_versions(if_match: str | None) -> set[int] | None:
    """If-Match as the versions it accepts: None (no header, or *) accepts any."""
    if if_match is None or if_match.strip() == "*":
        return None
    tags = (tag.strip() for tag in if_match.split(","))
    return {int(m.group(1)) for tag in tags if (m := _ETAG.fullmatch(tag))}


def _etag(view: AgreementView) -> str:
    return f'"{view.version}"'


def _agreement_response(view: AgreementView, status_code: int = 200) -> Response:
    headers = {"ETag": _etag(view)}
    if status_code == 201:
        headers["Location"] = f"{router.prefix}/{view.id}"
    body = AgreementResponse.from_view(view).model_dump_json()
    return Response(body, status_code, headers=headers, media_type="application/json")


def _chosen_option(body: AgreementCreateRequest) -> Option:
    """Recompute the options (never trust a client's schedule) and take `option_id`."""
    try:
        result = restructuring_options(body.options_request.to_engine())
    except CalculationError as exc:
        raise type(exc)(f"options_request.{exc.field}", exc.reason) from None
    for option in result.options:
        if option.id == body.option_id:
            return option
    raise OptionNotOffered(body.option_id, [option.id for option in result.options])


def _fingerprint(body: AgreementCreateRequest) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


_CREATED = {
    201: {
        "description": "Created (or the first response again, for a repeated Idempotency-Key)",
        "headers": {
            "Location": {"description": "/v1/agreements/{id}", "schema": {"type": "string"}},
            "ETag": {"description": "The version, for If-Match", "schema": {"type": "string"}},
        },
    }
}


@router.post(
    "",
    status_code=201,
    response_model=AgreementResponse,
    responses={**_CREATED, **_problems(400, 401, 409, 422)},
)
def create_agreement(
    body: AgreementCreateRequest,
    principal: TenantDep,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Record the option a borrower chose (协商还款协议) as a `proposed` agreement."""
    now = clock.now()
    if idempotency_key is not None:
        stored = claim_idempotency_key(
            db,
            tenant=principal.tenant,
            key=idempotency_key,
            request_sha256=_fingerprint(body),
            now=now,
            wait_seconds=settings.idempotency_wait_seconds,
        )
        if stored is not None:
            return Response(stored.body, stored.status, headers=stored.headers,
                            media_type="application/json")  # fmt: skip
    view = agreements.create_agreement(
        db,
        principal=principal,
        loan_ref=body.loan_ref,
        borrower_ref=body.borrower_ref,
        option=_chosen_option(body),
        terms=body.options_request.model_dump(mode="json", exclude_unset=True),
        breach_after_days=body.breach_after_days,
        now=now,
        as_of=now.date(),
    )
    response = _agreement_response(view, 201)
    if idempotency_key is not None:
        headers = {"ETag": response.headers["ETag"], "Location": response.headers["Location"]}
        stored = StoredResponse(201, headers, bytes(response.body).decode())
        store_idempotent_response(db, tenant=principal.tenant, key=idempotency_key, response=stored)
    return response


@router.get("", responses=_problems(401, 422))
def list_agreements(
    principal: TenantDep,
    db: DbDep,
    clock: ClockDep,
    loan_ref: Annotated[str | None, Query(pattern=REF_PATTERN)] = None,
    borrower_ref: Annotated[str | None, Query(pattern=REF_PATTERN)] = None,
    status: AgreementStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    as_of: AsOf = None,
) -> AgreementListResponse:
    """The tenant's agreements, newest first, a page at a time (`next_cursor`)."""
    page = agreements.list_agreements(
        db,
        principal=principal,
        loan_ref=loan_ref,
        borrower_ref=borrower_ref,
        status=None if status is None else status.value,
        limit=limit,
        cursor=cursor,
        as_of=as_of or clock.today(),
    )
    return AgreementListResponse.from_page(page)


@router.get("/{agreement_id}", response_model=AgreementResponse, responses=_problems(401, 404, 422))
def get_agreement(
    agreement_id: str, principal: TenantDep, db: DbDep, clock: ClockDep, as_of: AsOf = None
) -> Response:
    """The agreement and its standing; naming `as_of` also evaluates the breach on that date."""
    view = agreements.get_agreement(
        db,
        principal=principal,
        agreement_id=agreement_id,
        as_of=as_of or clock.today(),
        evaluate_breach=as_of is not None,
        now=clock.now(),
    )
    return _agreement_response(view)


_ACTION_PROBLEMS = _problems(400, 401, 404, 409, 412, 422)


@router.post("/{agreement_id}/accept", response_model=AgreementResponse, responses=_ACTION_PROBLEMS)
def accept_agreement(
    agreement_id: str,
    body: AcceptRequest,
    principal: TenantDep,
    db: DbDep,
    clock: ClockDep,
    if_match: IfMatch = None,
) -> Response:
    """The borrower's consent: proposed → accepted."""
    now = clock.now()
    view = agreements.accept_agreement(
        db,
        principal=principal,
        agreement_id=agreement_id,
        channel=body.channel.value,
        accepted_at=body.accepted_at,
        expected_versions=_expected_versions(if_match),
        now=now,
        as_of=now.date(),
    )
    return _agreement_response(view)


def _change_status(
    action: Literal["activate", "cancel"],
    agreement_id: str,
    principal: Principal,
    db: Session,
    clock: Clock,
    body: ReasonRequest | None,
    if_match: str | None,
) -> Response:
    now = clock.now()
    view = agreements.change_status(
        db,
        principal=principal,
        agreement_id=agreement_id,
        action=action,
        reason=None if body is None else body.reason,
        expected_versions=_expected_versions(if_match),
        now=now,
        as_of=now.date(),
    )
    return _agreement_response(view)


@router.post(
    "/{agreement_id}/activate", response_model=AgreementResponse, responses=_ACTION_PROBLEMS
)
def activate_agreement(
    agreement_id: str,
    principal: TenantDep,
    db: DbDep,
    clock: ClockDep,
    body: ReasonRequest | None = None,
    if_match: IfMatch = None,
) -> Response:
    """accepted → active."""
    return _change_status("activate", agreement_id, principal, db, clock, body, if_match)


@router.post("/{agreement_id}/cancel", response_model=AgreementResponse, responses=_ACTION_PROBLEMS)
def cancel_agreement(
    agreement_id: str,
    principal: TenantDep,
    db: DbDep,
    clock: ClockDep,
    body: ReasonRequest | None = None,
    if_match: IfMatch = None,
) -> Response:
    """proposed or accepted → cancelled."""
    return _change_status("cancel", agreement_id, principal, db, clock, body, if_match)


@router.post(
    "/{agreement_id}/payments", response_model=AgreementResponse, responses=_ACTION_PROBLEMS
)
def record_payment(
    agreement_id: str,
    body: PaymentRequest,
    principal: TenantDep,
    db: DbDep,
    clock: ClockDep,
    if_match: IfMatch = None,
    as_of: AsOf = None,
) -> Response:
    """Allocate a payment oldest installment first; the same reference again is a replay."""
    now = clock.now()
    view = agreements.record_payment(
        db,
        principal=principal,
        agreement_id=agreement_id,
        reference=body.reference,
        payment_date=body.date,
        amount=body.amount,
        expected_versions=_expected_versions(if_match),
        now=now,
        as_of=as_of or now.date(),
    )
    return _agreement_response(view)


@router.get("/{agreement_id}/events", responses=_problems(401, 404))
def list_agreement_events(
    agreement_id: str, principal: TenantDep, db: DbDep
) -> AgreementEventsResponse:
    """The append-only audit trail, oldest first."""
    events = agreements.list_agreement_events(db, principal=principal, agreement_id=agreement_id)
    return AgreementEventsResponse(events=[AgreementEventOut.from_view(e) for e in events])
