# app/engine/_kernels.c: certified annualized rates (see that file and certified_rates.py)
from collections.abc import Sequence

def certified_micro(
    times: Sequence[int] | None,
    amounts: Sequence[int],
    per_year: int,
    days_in_year: int,
    guess: float,
) -> int | None: ...
