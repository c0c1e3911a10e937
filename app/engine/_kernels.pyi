# app/engine/_kernels.c: certified annualized rates (see that file and certified_rates.py)
from collections.abc import Sequence
from datetime import date

def certified_micro(
    times: Sequence[int] | None,
    amounts: Sequence[int],
    per_year: int,
    days_in_year: int,
    guess: float,
) -> int | None: ...
def level_rows(
    balance: int,
    calendar: tuple[tuple[date, int], ...],
    fees: list[int],
    start: int,
    stop: int,
    times: int,
    over: int,
    per_day: bool,
    half_even: bool,
    amount: int,
    level_payment_rows: bool,
    max_balance: int,
) -> tuple[list[tuple[int, date, int, int, int, int, int, int, int]], int, int] | None: ...
def loan_rates(
    rows: Sequence[Sequence[object]], months: int, guess: float
) -> tuple[int, int] | None: ...
