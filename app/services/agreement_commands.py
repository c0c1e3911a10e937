"""The API's agreement commands: each one service call that honours `Idempotency-Key`.

Creation, accept, activate, cancel and evaluate (SPEC §7): the same key with the same request
replays the first response byte for byte (a retried action is not a 409), the same key with
another request is a 422. `render` is the API's serializer: the response it returns is what a
replay sends again, so it is stored with the key in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from app.agreement_states import AgreementAction
from app.services import agreements, evaluation
from app.services.agreement_views import AgreementView
from app.services.api_keys import Principal
from app.services.idempotency import IdempotencyKey, StoredResponse, run_once

RenderAgreement = Callable[[AgreementView], StoredResponse]
RenderEvaluation = Callable[[evaluation.Evaluation], StoredResponse]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CommandContext:
    """What every command runs with: the request's transaction, its caller, its time and its
    `Idempotency-Key` (None without the header). The API builds one per request."""

    session: Session
    principal: Principal
    now: datetime
    idempotency: IdempotencyKey | None


def _once(
    context: CommandContext,
    request: Mapping[str, Any],
    action: Callable[[], T],
    render: Callable[[T], StoredResponse],
) -> StoredResponse:
    """`run_once` in the context's transaction, for its tenant and key."""
    return run_once(
        context.session,
        tenant=context.principal.tenant,
        idempotency=context.idempotency,
        request=request,
        now=context.now,
        action=action,
        render=render,
    )


def create(
    context: CommandContext, *, draft: agreements.AgreementDraft, render: RenderAgreement
) -> StoredResponse:
    # the body alone is compared, as keys stored before actions had them
    return _once(
        context,
        draft.request,
        lambda: agreements.create_agreement(
            context.session, principal=context.principal, draft=draft, now=context.now
        ),
        render,
    )


def act(
    context: CommandContext,
    *,
    agreement_id: str,
    action: AgreementAction,
    consent: agreements.Consent | None = None,
    reason: str | None = None,
    expected_versions: Collection[int] | None,
    render: RenderAgreement,
) -> StoredResponse:
    request = {
        str(action): agreement_id,
        "consent": None if consent is None else asdict(consent),
        "reason": reason,
    }
    return _once(
        context,
        request,
        lambda: agreements.act_on_agreement(
            context.session,
            principal=context.principal,
            agreement_id=agreement_id,
            action=action,
            consent=consent,
            reason=reason,
            expected_versions=expected_versions,
            now=context.now,
        ),
        render,
    )


def evaluate(
    context: CommandContext, *, as_of: date | None, render: RenderEvaluation
) -> StoredResponse:
    """Evaluate as of `as_of` (default: `now`'s date). A retry of a request that named no date
    replays the first answer even on a later day: the request, not the date, is compared."""
    now = context.now
    return _once(
        context,
        {"evaluate": None if as_of is None else as_of.isoformat()},
        lambda: evaluation.evaluate_agreements(
            context.session, principal=context.principal, as_of=as_of or now.date(), now=now
        ),
        render,
    )
