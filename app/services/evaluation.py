"""POST /v1/agreements/evaluate (SPEC §7): record breaches and completions as of a date.

Reads never change an agreement; a collection system runs this each night instead. Each of the
tenant's active agreements is locked and evaluated on its own, with the same rules a read shows
in `standing.status` (status_rules.py): breached first, then completed. Running it again on the
same date finds nothing active that moves, so it records nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from app.agreement_states import AgreementStatus
from app.persistence import repositories
from app.services.api_keys import Principal
from app.services.lifecycle import (
    ledger_of,
    lock_agreement,
    record_breach_if_due,
    record_completion_if_paid,
)


@dataclass(frozen=True, slots=True)
class Evaluation:
    as_of: date
    evaluated: int  # active agreements looked at
    breached: int  # of those, recorded as breached now
    completed: int  # of those, recorded as completed now


def evaluate_agreements(
    session: Session, *, principal: Principal, as_of: date, now: datetime
) -> Evaluation:
    """Record the breaches and completions of the tenant's active agreements as of `as_of`."""
    ids = repositories.agreement_ids_with_status(session, principal.tenant, AgreementStatus.ACTIVE)
    evaluated = breached = completed = 0
    for agreement_id in ids:
        row = lock_agreement(session, principal, agreement_id)
        if row.status != AgreementStatus.ACTIVE:  # changed since the ids were read
            continue
        evaluated += 1
        ledger = ledger_of(session, row)
        if record_breach_if_due(session, row, ledger, as_of, principal.key_id, now):
            breached += 1
        elif record_completion_if_paid(session, row, ledger, as_of, principal.key_id, now):
            completed += 1
    return Evaluation(as_of, evaluated, breached, completed)
