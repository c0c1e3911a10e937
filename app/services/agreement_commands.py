"""The API's agreement commands: each one service call that honours `Idempotency-Key`.

Creation, accept, activate, cancel and evaluate (SPEC §7): the same key with the same request
replays the first response byte for byte (a retried action is not a 409), the same key with
another request is a 422. `render` is the API's serializer: the response it returns is what a
replay sends again, so it is stored with the key in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import asdict
from datetime import date, datetime

from sqlalchemy.orm import Session

from app.agreement_states import AgreementAction
from app.services import agreements, evaluation
from app.services.agreement_views import AgreementView
from app.services.api_keys import Principal
from app.services.idempotency import IdempotencyKey, StoredResponse, run_once

RenderAgreement = Callable[[AgreementView], StoredResponse]
RenderEvaluation = Callable[[evaluation.Evaluation], StoredResponse]


def create(
    session: Session,
    *,
    principal: Principal,
    draft: agreements.AgreementDraft,
    idempotency: IdempotencyKey | None,
    now: datetime,
    render: RenderAgreement,
) -> StoredResponse:
    return run_once(
        session,
        tenant=principal.tenant,
        idempotency=idempotency,
        request=draft.request,  # the body alone, as keys stored before actions had them
        now=now,
        action=lambda: agreements.create_agreement(
            session, principal=principal, draft=draft, now=now
        ),
        render=render,
    )


def act(
    session: Session,
    *,
    principal: Principal,
    agreement_id: str,
    action: AgreementAction,
    consent: agreements.Consent | None = None,
    reason: str | None = None,
    expected_versions: Collection[int] | None,
    idempotency: IdempotencyKey | None,
    now: datetime,
    render: RenderAgreement,
) -> StoredResponse:
    request = {
        str(action): agreement_id,
        "consent": None if consent is None else asdict(consent),
        "reason": reason,
    }
    return run_once(
        session,
        tenant=principal.tenant,
        idempotency=idempotency,
        request=request,
        now=now,
        action=lambda: agreements.act_on_agreement(
            session,
            principal=principal,
            agreement_id=agreement_id,
            action=action,
            consent=consent,
            reason=reason,
            expected_versions=expected_versions,
            now=now,
        ),
        render=render,
    )


def evaluate(
    session: Session,
    *,
    principal: Principal,
    as_of: date | None,
    idempotency: IdempotencyKey | None,
    now: datetime,
    render: RenderEvaluation,
) -> StoredResponse:
    """Evaluate as of `as_of` (default: `now`'s date). A retry of a request that named no date
    replays the first answer even on a later day: the request, not the date, is compared."""
    return run_once(
        session,
        tenant=principal.tenant,
        idempotency=idempotency,
        request={"evaluate": None if as_of is None else as_of.isoformat()},
        now=now,
        action=lambda: evaluation.evaluate_agreements(
            session, principal=principal, as_of=as_of or now.date(), now=now
        ),
        render=render,
    )
