"""The agreements' vocabulary (SPEC §7), in one place for models, schemas and services.

    proposed ──accept──▶ accepted ──activate──▶ active ──▶ completed (all paid)
        │                   │                     └─────▶ breached (unpaid > breach_after_days)
        └──────cancel───────┴──▶ cancelled

The database's CHECK constraints, the published enums and the services' comparisons all read
these classes; a new status or action is added here (and in a migration) and nowhere else.
"""

from __future__ import annotations

from enum import StrEnum


class AgreementStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    ACTIVE = "active"
    COMPLETED = "completed"
    BREACHED = "breached"
    CANCELLED = "cancelled"


class InstallmentStanding(StrEnum):
    """An agreement installment's state on the read's `as_of`."""

    PAID = "paid"
    OVERDUE = "overdue"  # due before as_of and not fully paid
    PENDING = "pending"


class EventAction(StrEnum):
    CREATED = "created"
    ACCEPTED = "accepted"
    ACTIVATED = "activated"
    CANCELLED = "cancelled"
    PAYMENT_RECORDED = "payment_recorded"
    PAYMENT_REVERSED = "payment_reversed"
    COMPLETED = "completed"
    BREACHED = "breached"


class AgreementAction(StrEnum):
    """The actions a client asks for by path (`POST /v1/agreements/{id}/<action>`)."""

    ACCEPT = "accept"
    ACTIVATE = "activate"
    CANCEL = "cancel"


class AcceptanceChannel(StrEnum):
    APP = "app"
    WEB = "web"
    PHONE = "phone"
    BRANCH = "branch"
    LETTER = "letter"
    OTHER = "other"


# action: (statuses it may start from, status it leads to, the audit trail's action)
Transition = tuple[frozenset[AgreementStatus], AgreementStatus, EventAction]
TRANSITIONS: dict[AgreementAction, Transition] = {
    AgreementAction.ACCEPT: (
        frozenset({AgreementStatus.PROPOSED}),
        AgreementStatus.ACCEPTED,
        EventAction.ACCEPTED,
    ),
    AgreementAction.ACTIVATE: (
        frozenset({AgreementStatus.ACCEPTED}),
        AgreementStatus.ACTIVE,
        EventAction.ACTIVATED,
    ),
    AgreementAction.CANCEL: (
        frozenset({AgreementStatus.PROPOSED, AgreementStatus.ACCEPTED}),
        AgreementStatus.CANCELLED,
        EventAction.CANCELLED,
    ),
}
# money is recorded once the plan runs, including after it ended (SPEC §7: never refused)
TAKES_PAYMENTS = frozenset(
    {AgreementStatus.ACTIVE, AgreementStatus.COMPLETED, AgreementStatus.BREACHED}
)
