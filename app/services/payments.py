"""Payments on an agreement (SPEC §7): allocation oldest first, replays, completion, breach."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from app.engine.money import currency_of, format_amount
from app.engine.standing import allocate
from app.persistence import repositories
from app.persistence.models import AgreementPaymentRow, AgreementRow
from app.persistence.types import from_minor, to_minor
from app.services.agreement_views import AgreementView, agreement_view, dues_of
from app.services.api_keys import Principal
from app.services.errors import IllegalTransition, InvalidPayment, PaymentReferenceConflict
from app.services.lifecycle import (
    add_event,
    agreement_view_of,
    check_version,
    lock_agreement,
    record_breach_if_due,
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
    """Allocate a payment oldest installment first; a replayed reference changes nothing.

    Accepted while `active` or `breached` (money received is always recorded). Before the
    payment applies, the breach is evaluated as of its date; once nothing is outstanding an
    active agreement is `completed`. Amounts over the outstanding balance are refused.
    """
    row = lock_agreement(session, principal, agreement_id)
    units = _payment_units(amount, row)
    existing = repositories.find_payment(session, row.pk, reference)
    if existing is not None:
        if existing.payment_date != payment_date or existing.amount != units:
            raise PaymentReferenceConflict(reference)
        return agreement_view_of(session, row, as_of)
    check_version(row, expected_versions)
    if row.status not in ("active", "breached"):
        raise IllegalTransition("record a payment on", row.status)
    dues = dues_of(row)
    paid = [i.paid for i in row.installments]
    outstanding = sum(d.amount for d in dues) - sum(paid)
    if units > outstanding:
        raise InvalidPayment("amount", f"exceeds the outstanding {_money(outstanding, row)}")
    payments = repositories.payments_by_agreement(session, [row.pk])[row.pk]
    record_breach_if_due(session, row, payments, payment_date, principal.key_id, now)
    allocations = allocate(units, dues, paid)
    by_number = {i.number: i for i in row.installments}
    for number, applied in allocations:
        by_number[number].paid += applied
    repositories.add_payment(
        session,
        AgreementPaymentRow(
            agreement_pk=row.pk, reference=reference, payment_date=payment_date, amount=units,
            recorded_by=principal.key_id, recorded_at=now,
        ),
    )  # fmt: skip
    row.updated_at = now
    details = {
        "reference": reference,
        "date": payment_date.isoformat(),
        "amount": _money(units, row),
        "allocations": [{"number": n, "amount": _money(a, row)} for n, a in allocations],
    }
    add_event(
        session, row, actor=principal.key_id, action="payment_recorded",
        from_status=row.status, to_status=row.status, details=details, now=now,
    )  # fmt: skip
    if row.status == "active" and units == outstanding:
        row.status = "completed"
        add_event(
            session, row, actor=principal.key_id, action="completed", from_status="active",
            to_status="completed", details={"date": payment_date.isoformat()}, now=now,
        )  # fmt: skip
    # the payments read above and this one: no second read of what was just written
    return agreement_view(row, [*payments, (payment_date, units)], as_of)


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
    return units


def _money(units: int, row: AgreementRow) -> str:
    currency = currency_of(row.currency)
    return format_amount(from_minor(units, currency), currency)
