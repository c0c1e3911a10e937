"""The collector's page's one door to the engine and the services (SPEC §14).

Every figure the page shows comes from here, as the API's own JSON document: the same
`*_document` functions and the same route functions the API uses, called in process (never
over HTTP). The agreement document is the API's own render (app/api/routes/documents.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.api.deps import Clock
from app.api.routes.agreement_http import created_agreement, idempotency_of
from app.api.routes.documents import agreement_document_of
from app.api.schemas.agreements import (
    AgreementCreateRequest,
    AgreementListResponse,
    AgreementResponse,
)
from app.api.schemas.positions import position_document
from app.api.schemas.restructuring import OptionsRequest, options_document
from app.documents import Parties, render_html
from app.engine.position import position_as_of
from app.engine.restructuring import restructuring_options
from app.services import agreements
from app.services.agreement_commands import CommandContext
from app.services.api_keys import Principal, authenticate
from app.settings import Settings


@dataclass(frozen=True, slots=True)
class Calculation:
    """What POST /v1/positions and POST /v1/restructuring/options answer for one request."""

    position: dict[str, Any]
    options: dict[str, Any]


def calculate(request: OptionsRequest) -> Calculation:
    """The position (as routes/positions.py computes it) and the options (routes/restructuring)."""
    position = position_as_of(
        request.contract(),
        request.engine_payments(),
        request.as_of,
        penalty=request.penalty.to_engine(),
        allocation=request.allocation.to_engine(),
    )
    return Calculation(
        position=position_document(position),
        options=options_document(restructuring_options(request.to_engine())),
    )


def principal_of(db: Session, api_key: str | None) -> Principal:
    """The key's principal; InvalidApiKey when it is missing, unknown or revoked."""
    return authenticate(db, token=api_key)


def create_agreement(
    db: Session,
    *,
    principal: Principal,
    body: AgreementCreateRequest,
    idempotency_key: str,
    clock: Clock,
    settings: Settings,
) -> dict[str, Any]:
    """POST /v1/agreements with an Idempotency-Key: the same key and body again answer the
    first agreement and create nothing (the API's own command and serializer)."""
    command = CommandContext(db, principal, clock.now(), idempotency_of(idempotency_key, settings))
    reply = created_agreement(command, body)
    document: dict[str, Any] = json.loads(reply.body)
    return document


def get_agreement(
    db: Session, *, principal: Principal, agreement_id: str, clock: Clock
) -> dict[str, Any]:
    """GET /v1/agreements/{id} (standing as of today): AgreementNotFound for another tenant."""
    view = agreements.read_agreement(
        db, principal=principal, agreement_id=agreement_id, as_of=clock.today()
    )
    return AgreementResponse.from_view(view).model_dump(mode="json")


def list_agreements(
    db: Session, *, principal: Principal, clock: Clock, cursor: str | None
) -> dict[str, Any]:
    """GET /v1/agreements (newest first, 20 a page): `{"items", "next_cursor"}`."""
    page = agreements.list_agreements(
        db, principal=principal, limit=20, cursor=cursor, as_of=clock.today()
    )
    return AgreementListResponse.from_page(page).model_dump(mode="json")


def agreement_document_html(
    db: Session, *, principal: Principal, agreement_id: str, clock: Clock
) -> str:
    """The agreement document (SPEC §13) as HTML: the API's GET …/document, without parties."""
    return render_html(agreement_document_of(agreement_id, principal, db, clock, Parties()))
