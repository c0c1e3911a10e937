"""/v1/agreements (SPEC §7–8): negotiated agreements, behind tenant API keys.

Every route needs `Authorization: Bearer KEY_ID.SECRET`; another tenant's agreement is a 404.
Writes return the agreement with its `ETag` (the version); `If-Match` guards them (412). Each
route parses, makes one service call and serializes; the rules live in app/services.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from app.agreement_states import AgreementAction, AgreementStatus
from app.api.deps import ClockDep, DbDep, TenantDep
from app.api.routes.agreement_http import (
    AsOf,
    CommandDep,
    Cursor,
    IfMatch,
    LedgerChangeDep,
    Limit,
    agreement_reply,
    created_agreement,
    evaluation_reply,
    expected_versions,
    problems,
    send,
    send_agreement,
)
from app.api.schemas.agreements import (
    REF_PATTERN,
    AcceptRequest,
    AgreementCreateRequest,
    AgreementEventsResponse,
    AgreementListResponse,
    AgreementResponse,
    EvaluateRequest,
    EvaluateResponse,
    PaymentRequest,
    ReasonRequest,
    ReversalRequest,
)
from app.services import agreement_commands, agreements
from app.services.agreement_commands import CommandContext
from app.services.agreements import Consent

router = APIRouter(prefix="/v1/agreements", tags=["agreements"])

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
    responses={**_CREATED, **problems(400, 401, 409, 422)},
)
def create_agreement(body: AgreementCreateRequest, command: CommandDep) -> Response:
    """Record the option a borrower chose (协商还款协议) as a `proposed` agreement."""
    return send(created_agreement(command, body))


@router.get("", responses=problems(401, 422))
def list_agreements(
    principal: TenantDep,
    db: DbDep,
    clock: ClockDep,
    loan_ref: Annotated[str | None, Query(pattern=REF_PATTERN)] = None,
    borrower_ref: Annotated[str | None, Query(pattern=REF_PATTERN)] = None,
    status: AgreementStatus | None = None,
    limit: Limit = 20,
    cursor: Cursor = None,
    as_of: AsOf = None,
) -> AgreementListResponse:
    """The tenant's agreements, newest first, a page at a time (`next_cursor`)."""
    page = agreements.list_agreements(
        db,
        principal=principal,
        loan_ref=loan_ref,
        borrower_ref=borrower_ref,
        status=status,
        limit=limit,
        cursor=cursor,
        as_of=as_of or clock.today(),
    )
    return AgreementListResponse.from_page(page)


@router.post("/evaluate", response_model=EvaluateResponse, responses=problems(400, 401, 409, 422))
def evaluate_agreements(command: CommandDep, body: EvaluateRequest | None = None) -> Response:
    """Record the breaches and completions of the tenant's active agreements as of `as_of`."""
    as_of = None if body is None else body.as_of
    return send(agreement_commands.evaluate(command, as_of=as_of, render=evaluation_reply))


@router.get("/{agreement_id}", response_model=AgreementResponse, responses=problems(401, 404, 422))
def get_agreement(
    agreement_id: str, principal: TenantDep, db: DbDep, clock: ClockDep, as_of: AsOf = None
) -> Response:
    """The agreement and its standing as of `as_of`; a read changes nothing (`standing.status`
    is the status it would have on that date)."""
    view = agreements.read_agreement(
        db, principal=principal, agreement_id=agreement_id, as_of=as_of or clock.today()
    )
    return send_agreement(view)


_ACTION_PROBLEMS = problems(400, 401, 404, 409, 412, 422)


def _act(
    command: CommandContext,
    agreement_id: str,
    action: AgreementAction,
    if_match: str | None,
    consent: Consent | None = None,
    reason: str | None = None,
) -> Response:
    """The one service call of every status route: accept, activate and cancel."""
    return send(
        agreement_commands.act(
            command,
            agreement_id=agreement_id,
            action=action,
            consent=consent,
            reason=reason,
            expected_versions=expected_versions(if_match),
            render=agreement_reply(200),
        )
    )


@router.post("/{agreement_id}/accept", response_model=AgreementResponse, responses=_ACTION_PROBLEMS)
def accept_agreement(
    agreement_id: str, body: AcceptRequest, command: CommandDep, if_match: IfMatch = None
) -> Response:
    """The borrower's consent: proposed → accepted."""
    return _act(command, agreement_id, AgreementAction.ACCEPT, if_match, consent=body.to_consent())


def _status_route(action: AgreementAction, summary: str) -> None:
    """POST /{agreement_id}/<action> for the actions whose body is an optional reason."""

    def change_status(
        agreement_id: str,
        command: CommandDep,
        body: ReasonRequest | None = None,
        if_match: IfMatch = None,
    ) -> Response:
        reason = None if body is None else body.reason
        return _act(command, agreement_id, action, if_match, reason=reason)

    router.add_api_route(
        f"/{{agreement_id}}/{action}",
        change_status,
        methods=["POST"],
        name=f"{action}_agreement",
        description=summary,
        response_model=AgreementResponse,
        responses=_ACTION_PROBLEMS,
    )


_status_route(AgreementAction.ACTIVATE, "accepted → active.")
_status_route(AgreementAction.CANCEL, "proposed or accepted → cancelled.")


@router.post(
    "/{agreement_id}/payments", response_model=AgreementResponse, responses=_ACTION_PROBLEMS
)
def record_payment(agreement_id: str, body: PaymentRequest, change: LedgerChangeDep) -> Response:
    """Record money received, allocated oldest installment first (any excess is `unapplied`);
    the same reference again is a replay."""
    view = agreements.record_payment(
        change.session,
        principal=change.principal,
        agreement_id=agreement_id,
        reference=body.reference,
        payment_date=body.date,
        amount=body.amount,
        expected_versions=change.expected_versions,
        now=change.now,
        as_of=change.as_of,
    )
    return send_agreement(view)


@router.post(
    "/{agreement_id}/payments/{reference}/reverse",
    response_model=AgreementResponse,
    responses=_ACTION_PROBLEMS,
)
def reverse_payment(
    agreement_id: str,
    reference: Annotated[str, Path(pattern=REF_PATTERN)],
    body: ReversalRequest,
    change: LedgerChangeDep,
) -> Response:
    """Undo a returned or bounced payment and allocate what remains again; the same reversal
    again is a replay."""
    view = agreements.reverse_payment(
        change.session,
        principal=change.principal,
        agreement_id=agreement_id,
        reference=reference,
        reversal_date=body.date,
        reason=body.reason,
        expected_versions=change.expected_versions,
        now=change.now,
        as_of=change.as_of,
    )
    return send_agreement(view)


@router.get("/{agreement_id}/events", responses=problems(401, 404, 422))
def list_agreement_events(
    agreement_id: str,
    principal: TenantDep,
    db: DbDep,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> AgreementEventsResponse:
    """The append-only audit trail, oldest first, a page at a time (`next_cursor`)."""
    page = agreements.list_agreement_events(
        db, principal=principal, agreement_id=agreement_id, limit=limit, cursor=cursor
    )
    return AgreementEventsResponse.from_page(page)
