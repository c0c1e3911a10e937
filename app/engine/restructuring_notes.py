"""Plain-words notes a collector can read to a borrower, in English and Chinese (SPEC §6)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from app.engine.money import Currency, format_amount

if TYPE_CHECKING:
    from app.engine.option import OptionKind


def option_notes(
    kind: OptionKind,
    term: int,
    first: Decimal,
    largest: Decimal,
    total: Decimal,
    currency: Currency,
) -> tuple[str, ...]:
    f, m, t = (format_amount(x, currency) for x in (first, largest, total))
    code = currency.code
    yuan = "元" if code == "CNY" else f" {code}"  # the Chinese half names non-yuan currencies
    if kind == "pay_overdue_now":
        return (
            f"Pay the overdue {f} {code} now and keep the original schedule "
            f"({term} installments left) / 立即还清逾期{f}{yuan}，其余按原计划还款",
        )
    if kind == "settle_now":
        return (
            f"Pay {f} {code} today to settle the loan in full / "
            f"今日一次性还款{f}{yuan}结清全部欠款",
        )
    notes = []
    if first == largest:
        notes.append(f"{term} monthly payments of {f} {code} / 分{term}期，每期{f}{yuan}")
    else:
        notes.append(
            f"{term} monthly payments: first {f}, at most {m} {code} / "
            f"分{term}期，首期{f}{yuan}，最高{m}{yuan}"
        )
    if kind == "deferral":
        notes.append("Interest only at first, then equal installments / 前几期只还利息（延期还款）")
    if kind == "interest_freeze":
        notes.append("No interest is charged (hardship concession) / 停息挂账，不再计息")
    notes.append(f"Total to pay {t} {code} / 合计还款{t}{yuan}")
    return tuple(notes)
