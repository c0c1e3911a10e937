"""The schedule's table in integers of minor units (SPEC §2): the integer core.

Amounts are integers of the currency's minor unit; the contract rate is an exact ratio
(numerator, denominator); every posted amount is an exact ratio rounded once by
`rounding.round_ratio`. Interest has one function per basis:

- periodic: balance × annual × months / 12 (a bullet's one period is its whole term);
- actual (按日计息): balance × annual × days / day_count;

both with the division last, so an exact half unit rounds as one (78.00 × 0.13 / 12 = 0.845
→ 0.85). Rows are plain tuples (number, due_date, days, opening, principal, interest, fee,
capitalized_interest, closing); schedule.py turns them into Installments at the edge.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import NamedTuple

from app.engine.compiled import KERNEL
from app.engine.errors import InvalidTerms
from app.engine.rounding import round_ratio

UnitRow = tuple[int, date, int, int, int, int, int, int, int]


class Interest(NamedTuple):
    """A period's interest: balance × times (× days when `per_day`) / over, rounded. One
    value per basis, built by `periodic_interest`, `actual_interest` or `no_interest`."""

    times: int
    over: int
    per_day: bool
    half_even: bool

    def on(self, balance: int, days: int) -> int:
        product = balance * self.times * (days if self.per_day else 1)
        return round_ratio(product, self.over, self.half_even)


def periodic_interest(numerator: int, denominator: int, months: int, half_even: bool) -> Interest:
    """balance × annual × months / 12: the same for every period, whatever its days."""
    return Interest(numerator * months, denominator * 12, False, half_even)


def actual_interest(numerator: int, denominator: int, day_count: int, half_even: bool) -> Interest:
    """balance × annual × days / day_count (按日计息)."""
    return Interest(numerator, denominator * day_count, True, half_even)


def no_interest() -> Interest:
    """flat_fee's price is its fee: no interest."""
    return Interest(0, 1, False, False)


def level_payment(
    balance: int, numerator: int, denominator: int, count: int, half_even: bool, per: int = 1
) -> int:
    """等额本息 A = P·a·(12 + a)^n / (12·((12 + a)^n − 12^n)) in minor units, P = balance / per
    minor units and a = numerator/denominator the annual rate, rounded once: with
    g = 12·den + num and h = 12·den, A = P·num·g^n / (den·12·(g^n − h^n)) exactly; P / n at
    rate 0. Written with the division by 12 last, an A that is exactly a half unit stays one
    (1237.560 over one month at 0.05 is 1242.7165, not 1242.71649…9)."""
    if numerator == 0:
        return round_ratio(balance, count * per, half_even)
    growth = (12 * denominator + numerator) ** count
    base = (12 * denominator) ** count
    over = per * denominator * 12 * (growth - base)
    return round_ratio(balance * numerator * growth, over, half_even)


def _below_zero() -> InvalidTerms:
    return InvalidTerms(
        "principal", "the balance would fall below zero before the last installment"
    )


def _too_large(number: int, grace: int) -> InvalidTerms:
    # capitalized or unpaid (negative amortization) interest compounding without bound
    return InvalidTerms(
        "grace_months" if number <= grace else "interest_basis",
        "the balance would grow above 10^24; shorten the term or lower the rate",
    )


def table(
    balance: int,
    calendar: tuple[tuple[date, int], ...],
    fees: list[int],
    interest: Interest,
    grace: int,
    capitalize: bool,
    level: Callable[[int, int], int],
    level_payment_rows: bool,
    max_balance: int,
) -> tuple[list[UnitRow], int]:
    """The rows and the level amount: grace rows, the level rows, and the last row, which takes
    the whole remaining principal. `level(balance, remaining)` is A, P / n or 0 after grace;
    `level_payment_rows`: principal = A − interest (等额本息) rather than the level itself."""
    rows: list[UnitRow] = []
    count = len(fees)
    for number in range(1, grace + 1):  # grace: interest only, or added to the balance
        due, days = calendar[number - 1]
        charged = interest.on(balance, days)
        capitalized, charged = (charged, 0) if capitalize else (0, charged)
        closing = balance + capitalized
        if closing > max_balance:
            raise _too_large(number, grace)
        rows.append(
            (number, due, days, balance, 0, charged, fees[number - 1], capitalized, closing)
        )
        balance = closing
    amount = level(balance, count - grace)
    balance = _level_rows(
        rows, balance, calendar, fees, interest, grace, amount, level_payment_rows, max_balance
    )
    due, days = calendar[-1]  # grace < count, so the last row always amortizes
    rows.append((count, due, days, balance, balance, interest.on(balance, days), fees[-1], 0, 0))
    return rows, amount


def _level_rows(
    rows: list[UnitRow],
    balance: int,
    calendar: tuple[tuple[date, int], ...],
    fees: list[int],
    interest: Interest,
    grace: int,
    amount: int,
    level_payment_rows: bool,
    max_balance: int,
) -> int:
    """The rows after grace but the last, appended to `rows`; the balance they leave. In C
    (_kernels.level_rows) where every value fits 64 bits, else the loop below."""
    count = len(fees)
    if KERNEL is not None:
        done = KERNEL.level_rows(
            balance, calendar, fees, grace + 1, count, *interest, amount,
            level_payment_rows, max_balance,
        )  # fmt: skip
        if done is not None:
            level_rows, balance, bad = done
            if bad:
                raise _too_large(bad, grace) if bad > 0 else _below_zero()
            rows += level_rows
            return balance
    append = rows.append
    # the level loop, written out with no call per row (a 600-row schedule runs it 600 times
    # a request): balances are ≥ 0 here, so half-up is floor((2·product + over) / (2·over)),
    # and half-even needs the remainder
    times, over, per_day, half_even = interest
    twice_over = 2 * over
    level_rows = zip(
        range(grace + 1, count), calendar[grace : count - 1], fees[grace : count - 1], strict=True
    )
    for number, (due, days), fee in level_rows:
        product = balance * times * days if per_day else balance * times
        if half_even:
            charged, rest = divmod(product, over)
            rest += rest
            if rest > over or (rest == over and charged & 1):
                charged += 1
        else:
            charged = (product + product + over) // twice_over
        principal = amount - charged if level_payment_rows else amount
        closing = balance - principal
        if not 0 <= closing <= max_balance:
            raise _too_large(number, grace) if closing > max_balance else _below_zero()
        append((number, due, days, balance, principal, charged, fee, 0, closing))
        balance = closing
    return balance
