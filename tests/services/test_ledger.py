"""The ledger's invariants (app/services/ledger.py), over any payments and reversals.

Checked against the definition, not the code: money received is never lost or created
(applied + unapplied = received net of reversals), no installment gets more than it is due,
and oldest first means an installment gets something only once every older one is paid.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.engine.standing import Due
from app.services.ledger import Ledger, allocation_change

START = date(2026, 7, 20)

dues = st.lists(st.integers(1, 10**6), min_size=1, max_size=8).map(
    lambda amounts: [Due(n, START + timedelta(days=30 * n), a) for n, a in enumerate(amounts, 1)]
)
# (day offset, amount, reversed on a later day offset or never)
payments = st.lists(
    st.tuples(st.integers(0, 200), st.integers(1, 10**6), st.none() | st.integers(0, 60)),
    max_size=12,
)


def _entries(paid: list[tuple[int, int, int | None]]) -> list[tuple[date, int]]:
    entries = []
    for day, amount, reversed_after in paid:
        entries.append((START + timedelta(days=day), amount))
        if reversed_after is not None:
            entries.append((START + timedelta(days=day + reversed_after), -amount))
    return entries


@given(dues, payments, st.integers(-10, 300))
def test_money_is_neither_lost_nor_created_and_goes_oldest_first(due_list, paid, as_of_day):
    ledger = Ledger(due_list, _entries(paid))
    as_of = START + timedelta(days=as_of_day)
    received = sum(a for d, a in ledger.entries if d <= as_of)
    applied = ledger.applied(as_of)
    assert received >= 0  # a reversal is never dated before its payment
    assert sum(applied) + ledger.unapplied(as_of) == received
    assert ledger.outstanding(as_of) == sum(d.amount for d in due_list) - sum(applied)
    for number, (due, got) in enumerate(zip(due_list, applied, strict=True)):
        assert 0 <= got <= due.amount
        if got > 0:
            assert all(a == d.amount for d, a in zip(due_list[:number], applied, strict=False))


@given(dues, payments, st.integers(1, 10**6))
def test_an_entry_changes_the_allocation_by_exactly_what_it_applies(due_list, paid, amount):
    before = Ledger(due_list, _entries(paid))
    after = before.with_entry(START + timedelta(days=365), amount)
    change = sum(delta for _, delta in allocation_change(before, after))
    assert change + (after.unapplied() - before.unapplied()) == amount
    undone = after.with_entry(START + timedelta(days=366), -amount)
    assert undone.applied() == before.applied()
