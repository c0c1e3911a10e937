"""When an active agreement is breached or completed (SPEC §7), as of a date; pure rules.

Breached: an installment unpaid more than `breach_after_days` past its due date. Completed:
nothing left outstanding. Only `active` agreements move; every other status stays as stored,
except on a date before a recorded completion or breach, when the agreement was still running.
Reads show the result in `standing.status`; evaluate records both, a payment only the completion
it makes (SPEC §7).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from app.agreement_states import AgreementStatus
from app.engine.standing import standing_as_of
from app.persistence.models import AgreementRow
from app.services.ledger import Ledger


def breach_as_of(row: AgreementRow, ledger: Ledger, as_of: date) -> dict[str, Any] | None:
    """The breach's audit details when an installment is unpaid > breach_after_days on as_of,
    counting the entries dated on or before it."""
    units = standing_as_of(as_of, ledger.dues, ledger.entries)
    if units.days_past_due <= row.breach_after_days:
        return None
    return {
        "as_of": as_of.isoformat(),
        "installment": units.oldest_overdue_number,
        "days_past_due": units.days_past_due,
        "breach_after_days": row.breach_after_days,
    }


def status_on(
    row: AgreementRow, ledger: Ledger, as_of: date, breached_on: date | None = None
) -> AgreementStatus:
    """The status the agreement would have on `as_of` (breach first, as evaluate checks it).

    A recorded `completed` or `breached` holds from its date on; before it (a completion whose
    money is dated after `as_of`, a breach found on `breached_on` > `as_of`) the agreement was
    still running, so the rules decide, as for an active one. Once past, a breach stays.
    """
    status = AgreementStatus(row.status)
    if status is AgreementStatus.COMPLETED and ledger.outstanding(as_of) > 0:
        status = AgreementStatus.ACTIVE
    if status is AgreementStatus.BREACHED and breached_on is not None and as_of < breached_on:
        status = AgreementStatus.ACTIVE
    if status is not AgreementStatus.ACTIVE:
        return status
    if breach_as_of(row, ledger, as_of) is not None:
        return AgreementStatus.BREACHED
    if ledger.outstanding(as_of) == 0:
        return AgreementStatus.COMPLETED
    return status
