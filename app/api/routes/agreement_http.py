"""HTTP pieces of /v1/agreements: headers and query parameters, the declared problem
responses, the request contexts the write routes take as one dependency each (CommandDep for
the idempotent commands, LedgerChangeDep for payments and reversals), and the serializers the
routes (and the idempotent commands) use."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Response
from sqlalchemy.orm import Session

from app.api.deps import ClockDep, DbDep, SettingsDep, TenantDep
from app.api.problems import PROBLEM_JSON, Problem
from app.api.schemas.agreements import (
    AgreementCreateRequest,
    AgreementResponse,
    EvaluateResponse,
)
from app.api.schemas.common import DateIn
from app.services import agreement_commands
from app.services.agreement_commands import CommandContext
from app.services.agreement_views import AgreementView
from app.services.api_keys import Principal
from app.services.evaluation import Evaluation
from app.services.idempotency import IdempotencyKey, StoredResponse
from app.settings import Settings

_DESCRIPTIONS = {
    400: "Malformed JSON",
    401: "Missing, unknown or revoked API key",
    404: "No such agreement (or payment) for this tenant",
    409: "Illegal transition, reused payment reference, or Idempotency-Key in progress",
    412: "If-Match does not match the current ETag",
    422: "Invalid input",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {
            "model": Problem,
            "content": {PROBLEM_JSON: {}},
            "description": _DESCRIPTIONS[status],
        }
        for status in statuses
    }


IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Same key and request: the first response again; kept 24 hours per tenant",
    ),
]
IfMatch = Annotated[
    str | None, Header(alias="If-Match", description="The ETag the change is based on")
]
# DateIn: an ISO date only (not epoch seconds, not a date-time), 1900-01-01 to 2200-12-31
AsOf = Annotated[DateIn | None, Query(description="Standing as of this date (default today)")]
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=200)]
_ETAG = re.compile(r'^"([0-9]{1,18})"$')


def expected_versions(if_match: str | None) -> set[int] | None:
    """If-Match as the versions it accepts: None (no header, or *) accepts any."""
    if if_match is None or if_match.strip() == "*":
        return None
    tags = (tag.strip() for tag in if_match.split(","))
    return {int(m.group(1)) for tag in tags if (m := _ETAG.fullmatch(tag))}


def idempotency_of(key: str | None, settings: Settings) -> IdempotencyKey | None:
    return None if key is None else IdempotencyKey(key, settings.idempotency_wait_seconds)


def command_context(
    principal: TenantDep,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> CommandContext:
    """What an idempotent agreement command runs with, from the request (its key checked)."""
    return CommandContext(db, principal, clock.now(), idempotency_of(idempotency_key, settings))


CommandDep = Annotated[CommandContext, Depends(command_context)]


@dataclass(frozen=True, slots=True)
class LedgerChange:
    """What a payment or a reversal runs with: the request's transaction, its caller and its
    time, the versions `If-Match` accepts and the date the reply's standing is as of."""

    session: Session
    principal: Principal
    now: datetime
    expected_versions: set[int] | None
    as_of: date


def ledger_change(
    principal: TenantDep, db: DbDep, clock: ClockDep, if_match: IfMatch = None, as_of: AsOf = None
) -> LedgerChange:
    now = clock.now()
    return LedgerChange(db, principal, now, expected_versions(if_match), as_of or now.date())


LedgerChangeDep = Annotated[LedgerChange, Depends(ledger_change)]


def agreement_reply(status_code: int) -> Callable[[AgreementView], StoredResponse]:
    def render(view: AgreementView) -> StoredResponse:
        headers = {"ETag": f'"{view.version}"'}
        if status_code == 201:
            headers["Location"] = f"/v1/agreements/{view.id}"
        body = AgreementResponse.from_view(view).model_dump_json()
        return StoredResponse(status_code, headers, body)

    return render


def created_agreement(command: CommandContext, body: AgreementCreateRequest) -> StoredResponse:
    """POST /v1/agreements's reply (201, Location, ETag): the route and the collector's page
    both create agreements through it, so a key used on either replays the same bytes."""
    return agreement_commands.create(command, draft=body.to_draft(), render=agreement_reply(201))


def evaluation_reply(evaluation: Evaluation) -> StoredResponse:
    return StoredResponse(200, {}, EvaluateResponse.from_evaluation(evaluation).model_dump_json())


def send(reply: StoredResponse) -> Response:
    return Response(reply.body, reply.status, headers=reply.headers, media_type="application/json")


def send_agreement(view: AgreementView) -> Response:
    return send(agreement_reply(200)(view))
