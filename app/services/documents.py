"""The agreement document's content (SPEC §13): the stored agreement, read as GET
/v1/agreements/{id} reads it (same tenant rule: another tenant's id is AgreementNotFound), and
the position on the restructuring date recomputed from its `terms` by the engine.

The agreement stores its plan but not the debt it replaced: `terms` is the options request
that produced it, so the position summary, the waivers and the APR come from running that
request through the engine again (pure and deterministic, so the figures are those of the day
the agreement was made). The plan itself is the stored installments, never the recomputed one.
Party details (names, ID numbers) pass through to the renderer only: nothing here writes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.documents import AgreementDocument, DebtLine, Parties, PlanRow
from app.documents.content import utc_timestamp
from app.engine.money import Currency, format_amount
from app.engine.option import Option
from app.engine.position import InstallmentStatus, Position
from app.engine.restructuring import RestructuringRequest, restructuring_options
from app.services import agreements
from app.services.agreement_views import AgreementView
from app.services.api_keys import Principal

__all__ = ["agreement_document"]

# builds the engine's request from the stored `terms` (the API's own validation of section 6)
TermsParser = Callable[[Mapping[str, Any]], RestructuringRequest]
# the agreement's canonical JSON bytes (docs/decisions.md, "The agreement document")
CanonicalJson = Callable[[AgreementView], bytes]


def agreement_document(
    session: Session,
    *,
    principal: Principal,
    agreement_id: str,
    today: date,
    now: datetime,
    parse_terms: TermsParser,
    canonical_json: CanonicalJson,
    parties: Parties,
) -> AgreementDocument:
    """Everything the document shows, every figure formatted as the API prints it."""
    view = agreements.read_agreement(
        session, principal=principal, agreement_id=agreement_id, as_of=today
    )
    canonical = canonical_json(view)
    request = parse_terms(view.terms)
    restructuring = restructuring_options(request)
    option = _chosen(restructuring.options, view.option_id)
    currency = view.currency

    def money(amount: Decimal) -> str:
        return format_amount(amount, currency)

    summary = restructuring.position.summary
    plan = view.installments
    return AgreementDocument(
        agreement_id=view.id,
        loan_ref=view.loan_ref,
        borrower_ref=view.borrower_ref,
        status=view.status,
        version=view.version,
        canonical_json=canonical,
        canonical_sha256=hashlib.sha256(canonical).hexdigest(),
        created_at=view.created_at.astimezone(UTC),
        updated_at=view.updated_at.astimezone(UTC),
        currency=currency.code,
        restructured_on=request.as_of.isoformat(),
        debt_lines=_debt_lines(restructuring.position, currency),
        debt_total=money(summary.payoff_amount),
        waived_penalty=money(option.waived_penalty),
        waived_interest=money(option.waived_interest),
        balance_after_waivers=money(
            summary.payoff_amount - option.waived_penalty - option.waived_interest
        ),
        kind=view.kind,
        option_id=view.option_id,
        plan=tuple(
            PlanRow(
                number=i.number,
                due_date=i.due_date.isoformat(),
                principal=money(i.principal),
                interest=money(i.interest),
                fee=money(i.fee),
                payment=money(i.payment),
            )
            for i in plan
        ),
        total_principal=money(sum((i.principal for i in plan), Decimal(0))),
        total_interest=money(sum((i.interest for i in plan), Decimal(0))),
        total_fee=money(sum((i.fee for i in plan), Decimal(0))),
        total_payable=money(sum((i.payment for i in plan), Decimal(0))),
        plan_annual_rate=_plan_rate(option),
        apr=None if option.apr is None else str(option.apr),
        apr_percent=None if option.apr is None else f"{option.apr * 100:.4f}%",
        breach_after_days=view.breach_after_days,
        accepted_channel=view.accepted_channel if view.accepted_at else None,
        accepted_at=None if view.accepted_at is None else utc_timestamp(view.accepted_at),
        parties=parties,
    )


def _chosen(options: Sequence[Option], option_id: str) -> Option:
    for option in options:
        if option.id == option_id:
            return option
    # the engine offered this option when the agreement was made; not offering it now means
    # the engine's rules changed under a stored agreement, which no document should paper over
    raise LookupError(f"the stored terms no longer produce option {option_id}")


def _debt_lines(position: Position, currency: Currency) -> tuple[DebtLine, ...]:
    """The debt's structure; its lines add up to the payoff amount (提前结清金额, SPEC §5)."""
    summary = position.summary
    # an installment due on the restructuring date is neither overdue nor not yet due
    due_today = [i for i in position.installments if i.status is InstallmentStatus.DUE_TODAY]
    due_today_principal = sum((i.outstanding_principal for i in due_today), Decimal(0))
    lines = [
        ("逾期本金", "Overdue principal", summary.overdue_principal),
        ("逾期利息", "Overdue interest", summary.overdue_interest),
        ("罚息", "Penalty interest", summary.outstanding_penalty),
        ("逾期费用", "Overdue fees", summary.overdue_fee),
        (
            "未到期本金",
            "Principal not yet due",
            summary.outstanding_principal - summary.overdue_principal - due_today_principal,
        ),
        ("应计利息", "Accrued interest", summary.accrued_interest),
    ]
    if due_today:
        # the rest of the payoff amount: that installment's principal, interest and fee
        rest = summary.payoff_amount - sum((amount for *_, amount in lines), Decimal(0))
        lines.append(("当日到期本息及费用", "Due that day (principal, interest, fees)", rest))
    return tuple(DebtLine(zh, en, format_amount(amount, currency)) for zh, en, amount in lines)


def _plan_rate(option: Option) -> str | None:
    """The plan's annual contract rate ("0.18"), for plans built by the schedule engine."""
    if option.schedule is None:
        return None
    return format(option.schedule.terms.rate.annual_rate.normalize(), "f")
