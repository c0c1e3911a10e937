"""An agreement's money: its dues and its ledger entries, in minor units (SPEC §7).

Entries are (date, amount): each payment on its date, each reversal as the payment's amount
negated on the reversal's date. Nothing is ever rewritten, so what each installment has received
is recomputed from the entries: payments go oldest installment first, so that is the
"waterfall" of the net total over the amounts due, and whatever is left over once every
installment is paid is `unapplied` (a credit; money received is never refused).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from app.engine.standing import Due, waterfall
from app.persistence.models import AgreementRow


def dues_of(row: AgreementRow) -> list[Due]:
    return [Due(i.number, i.due_date, i.amount_due) for i in row.installments]


@dataclass(frozen=True, slots=True)
class Ledger:
    dues: Sequence[Due]
    entries: Sequence[tuple[date, int]]

    @classmethod
    def of(cls, row: AgreementRow, entries: Sequence[tuple[date, int]]) -> Ledger:
        return cls(dues_of(row), tuple(entries))

    def with_entry(self, entry_date: date, amount: int) -> Ledger:
        return Ledger(self.dues, (*self.entries, (entry_date, amount)))

    @property
    def total_due(self) -> int:
        return sum(due.amount for due in self.dues)

    def received(self, as_of: date | None = None) -> int:
        """Net money received (payments less reversals) dated on or before `as_of` (or ever)."""
        return sum(amount for on, amount in self.entries if as_of is None or on <= as_of)

    def applied(self, as_of: date | None = None) -> list[int]:
        """What each installment, in number order, has received."""
        return waterfall(self.received(as_of), self.dues)

    def outstanding(self, as_of: date | None = None) -> int:
        return self.total_due - sum(self.applied(as_of))

    def unapplied(self, as_of: date | None = None) -> int:
        return max(0, self.received(as_of) - self.total_due)


def allocation_change(before: Ledger, after: Ledger) -> list[tuple[int, int]]:
    """(installment number, change in what it received) where an entry changed something."""
    changes = zip(before.dues, before.applied(), after.applied(), strict=True)
    return [(due.number, new - old) for due, old, new in changes if new != old]
