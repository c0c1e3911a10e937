"""Payments on an agreement (SPEC §7): never refused once the plan runs, never rewritten.

A payment is allocated oldest installment first; what no installment needs is `unapplied` (a
credit). A bounced or returned payment is undone by a reversal entry, after which what remains
is allocated again from the start. Payment and reversal rows are insert-only (database
triggers); what each installment has received is recomputed from them (ledger.py).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from app.agreement_states import TAKES_PAYMENTS, AgreementStatus, EventAction
from app.engine.money import currency_of, format_amount
from app.persistence import repositories
from app.persistence.models import AgreementPaymentReversalRow, AgreementPaymentRow, AgreementRow
from app.persistence.types import from_minor, storable, to_minor
from app.services.agreement_views import AgreementView, agreement_view
from app.services.api_keys import Principal
from app.services.errors import (
    AmountBeyondStorage,
    IllegalTransition,
    InvalidPayment,
    PaymentNotFound,
    PaymentReferenceConflict,
    ReversalConflict,
)
from app.services.ledger import allocation_change
from app.services.lifecycle import (
    add_event,
    agreement_view_of,
    breached_on,
    change_status,
    check_version,
    keep_paid_in_step,
    ledger_of,
    lock_agreement,
    record_completion_if_paid,
)


def record_payment(
    session: Session,
    *,
    principal: Principal,
    agreement_id: str,
    reference: str,
    payment_date: date,
    amount: Decimal,
    expected_versions: Collection[int] | None,
    now: datetime,
    as_of: date,
) -> AgreementView:
    """Record money received; a replayed reference changes nothing.

    Accepted while `active`, `breached` or `completed` (money received is always recorded; what
    is not owed is `unapplied`), 409 before the plan runs or once cancelled. Once nothing is
    outstanding an active agreement is `completed`. A payment never records a breach, however
    late (SPEC §7: breaches are recorded by evaluate only); reads show it in `standing.status`.
    """
    row = lock_agreement(session, principal, agreement_id)
    units = _payment_units(amount, row)
    existing = repositories.find_payment(session, row.pk, reference)
    if existing is not None:
        if existing.payment_date != payment_date or existing.amount != units:
            raise PaymentReferenceConflict(reference)
        return agreement_view_of(session, row, as_of)
    check_version(row, expected_versions)
    if row.status not in TAKES_PAYMENTS:
        raise IllegalTransition("record a payment on", row.status)
    before = ledger_of(session, row)
    repositories.add_payment(
        session,
        AgreementPaymentRow(
            agreement_pk=row.pk, reference=reference, payment_date=payment_date, amount=units,
            recorded_by=principal.key_id, recorded_at=now,
        ),
    )  # fmt: skip
    after = before.with_entry(payment_date, units)
    keep_paid_in_step(row, after)
    row.updated_at = now
    allocations = allocation_change(before, after)
    details = {
        "reference": reference,
        "date": payment_date.isoformat(),
        "amount": _money(units, row),
        "allocations": [{"number": n, "amount": _money(a, row)} for n, a in allocations],
        "unapplied": _money(units - sum(a for _, a in allocations), row),
    }
    add_event(
        session, row, actor=principal.key_id, action=EventAction.PAYMENT_RECORDED,
        from_status=row.status, to_status=row.status, details=details, now=now,
    )  # fmt: skip
    last_entry = max(on for on, _ in after.entries)
    record_completion_if_paid(session, row, after, last_entry, principal.key_id, now)
    # the entries read above and this one: no second read of what was just written
    return agreement_view(row, after.entries, as_of, breached_on(session, row))


def reverse_payment(
    session: Session,
    *,
    principal: Principal,
    agreement_id: str,
    reference: str,
    reversal_date: date,
    reason: str,
    expected_versions: Collection[int] | None,
    now: datetime,
    as_of: date,
) -> AgreementView:
    """Undo a returned or bounced payment on `reversal_date` and allocate what remains again.

    The same reversal again is a replay; another date or reason for a reversed payment is 409.
    A completed agreement that owes again on the reversal is `active` again (the completion
    rested on money that did not arrive); a breached one stays breached.
    """
    row = lock_agreement(session, principal, agreement_id)
    payment = repositories.find_payment(session, row.pk, reference)
    if payment is None:
        raise PaymentNotFound(agreement_id)
    existing = repositories.find_reversal(session, payment.pk)
    if existing is not None:
        if existing.reversal_date != reversal_date or existing.reason != reason:
            raise ReversalConflict(reference)
        return agreement_view_of(session, row, as_of)
    check_version(row, expected_versions)
    if reversal_date < payment.payment_date:
        raise InvalidPayment("date", f"is before the payment's date {payment.payment_date}")
    before = ledger_of(session, row)
    repositories.add_reversal(
        session,
        AgreementPaymentReversalRow(
            agreement_pk=row.pk, payment_pk=payment.pk, reversal_date=reversal_date,
            reason=reason, recorded_by=principal.key_id, recorded_at=now,
        ),
    )  # fmt: skip
    after = before.with_entry(reversal_date, -payment.amount)
    keep_paid_in_step(row, after)
    row.updated_at = now
    details = {
        "reference": reference,
        "date": reversal_date.isoformat(),
        "payment_date": payment.payment_date.isoformat(),
        "amount": _money(payment.amount, row),
        "reason": reason,
        "allocations": [
            {"number": n, "amount": _money(a, row)} for n, a in allocation_change(before, after)
        ],
    }
    reopened = row.status == AgreementStatus.COMPLETED and after.outstanding() > 0
    to_status = AgreementStatus.ACTIVE if reopened else AgreementStatus(row.status)
    change_status(
        session, row, to_status, actor=principal.key_id, action=EventAction.PAYMENT_REVERSED,
        details=details, now=now,
    )  # fmt: skip
    return agreement_view(row, after.entries, as_of, breached_on(session, row))


def _payment_units(amount: Decimal, row: AgreementRow) -> int:
    currency = currency_of(row.currency)
    # digits as sent, as on the calculation endpoints: "1.000" is refused for CNY, too
    if not currency.allows(amount):
        raise InvalidPayment(
            "amount", f"has more than {currency.minor_digits} decimal places for {currency.code}"
        )
    units = to_minor(amount, currency)
    if units <= 0:
        raise InvalidPayment("amount", "must be more than 0")
    if not storable(units):
        raise AmountBeyondStorage(("body", "amount"), f"{amount} {currency.code}")
    return units


def _money(units: int, row: AgreementRow) -> str:
    currency = currency_of(row.currency)
    return format_amount(from_minor(units, currency), currency)
