"""Issue 3's engine comparison: our schedule against numpy-financial and amortization.

All three amortize 1,000,000 at 4.9 % a year, monthly, over 12, 60 and 360 installments.
`amortization` (floats, rounded rows) and numpy-financial (pmt/ipmt/ppmt arrays) do only the
table; our `amortize_units` does the same table exactly in integers of minor units (SPEC §11),
and `build_schedule` adds what the API returns on top: totals, the IRR-based `apr` and the
XIRR `effective_annual_rate`.
Both packages are bench-only dependencies (`pip install -e '.[bench]'`).
"""

from __future__ import annotations

import decimal
import timeit
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

SIZES = (12, 60, 360)
PRINCIPAL = 1_000_000
ANNUAL_RATE = "0.049"


def _ours(months: int) -> tuple[Callable[[], Any], Callable[[], Any]]:
    from app.engine.contract_rate import ContractRate
    from app.engine.dates import DayCount
    from app.engine.money import CNY
    from app.engine.schedule import LoanTerms, amortize_units, build_schedule

    terms = LoanTerms(
        principal=Decimal(PRINCIPAL),
        currency=CNY,
        rate=ContractRate.from_annual(Decimal(ANNUAL_RATE), DayCount.D360),
        term_months=months,
        start_date=date(2026, 1, 15),
    )
    return (lambda: amortize_units(terms)), (lambda: build_schedule(terms))


def _decimal_floor(months: int) -> Callable[[], Any]:
    """The least any exact-Decimal table can do per row: the level loop's arithmetic and row
    tuple alone, with no checks, grace, fees or branching (its rows are not a schedule's; it is
    timed to show how far any Decimal engine can get against `amortization`'s floats)."""
    from app.engine.amortize import level_payment
    from app.engine.money import ENGINE_CONTEXT, exact
    from app.engine.schedule import Installment

    with decimal.localcontext(ENGINE_CONTEXT):
        annual, unit = Decimal(ANNUAL_RATE), Decimal("0.01")
        rate = Decimal(ANNUAL_RATE).as_integer_ratio()
        level = Decimal(level_payment(PRINCIPAL * 100, *rate, months, False)).scaleb(-2)
    due, zero, new_row = date(2026, 2, 15), Decimal("0.00"), tuple.__new__

    @exact
    def rows() -> list[Installment]:
        out, balance = [], Decimal(PRINCIPAL).quantize(unit)
        for number in range(1, months + 1):
            interest = (balance * annual / 12).quantize(unit, decimal.ROUND_HALF_UP)
            closing = balance - (level - interest)
            row = (number, due, 30, balance, level - interest, interest, zero, zero, closing)
            out.append(new_row(Installment, row))
            balance = closing
        return out

    return rows


def _theirs(months: int) -> dict[str, Callable[[], Any]]:
    calls: dict[str, Callable[[], Any]] = {}
    try:
        from amortization.schedule import amortization_schedule

        calls["amortization"] = lambda: list(
            amortization_schedule(PRINCIPAL, float(ANNUAL_RATE), months)
        )
    except ImportError:
        pass
    try:
        import numpy as np
        import numpy_financial as npf

        rate = float(ANNUAL_RATE) / 12
        periods = np.arange(1, months + 1)

        def numpy_financial() -> Any:
            return (
                npf.pmt(rate, months, -PRINCIPAL),
                npf.ipmt(rate, periods, months, -PRINCIPAL),
                npf.ppmt(rate, periods, months, -PRINCIPAL),
            )

        calls["numpy-financial"] = numpy_financial
    except ImportError:
        pass
    return calls


Timer = Callable[[dict[str, Callable[[], Any]]], dict[str, float]]


def compare(time_calls: Timer) -> dict[int, dict[str, float]]:
    """µs per call for each size and implementation; `time_calls` times one size's calls
    together (interleaved, see `interleaved_us`)."""
    figures: dict[int, dict[str, float]] = {}
    for months in SIZES:
        table, schedule = _ours(months)
        calls = {
            "ours: amortize_units (exact integer table)": table,
            "ours: build_schedule (+ totals, apr, XIRR)": schedule,
            "Decimal floor (row arithmetic alone)": _decimal_floor(months),
            **_theirs(months),
        }
        figures[months] = time_calls(calls)
    return figures


def interleaved_us(calls: dict[str, Callable[[], Any]], rounds: int = 9) -> dict[str, float]:
    """µs per call of each, the best of `rounds` rounds that each time every call in turn.

    Two shared, noisy cores: timed one after another, a burst of load that hits only one
    implementation's runs moved the ratio from 1.05× to 0.74× between runs. Taken in turns,
    round after round, the best round of each sees the same quiet moments.
    """
    numbers = {name: max(timeit.Timer(call).autorange()[0] // 4, 1) for name, call in calls.items()}
    best = dict.fromkeys(calls, float("inf"))
    for _ in range(rounds):
        for name, call in calls.items():
            seconds = timeit.Timer(call).timeit(numbers[name]) / numbers[name]
            best[name] = min(best[name], seconds)
    return {name: seconds * 1e6 for name, seconds in best.items()}


def markdown(figures: dict[int, dict[str, float]]) -> list[str]:
    names = list(next(iter(figures.values())))
    lines = [
        "| installments | "
        + " | ".join(f"{n} µs" for n in names)
        + " | amortization ÷ ours (table) | amortization ÷ Decimal floor |",
        "|---" * (len(names) + 3) + "|",
    ]
    for months, row in figures.items():
        ratios = ["n/a", "n/a"]
        if "amortization" in row:
            ratios = [
                f"{row['amortization'] / row[name]:.2f}×"
                for name in (
                    "ours: amortize_units (exact integer table)",
                    "Decimal floor (row arithmetic alone)",
                )
            ]
        cells = " | ".join(f"{row[n]:,.0f}" for n in names)
        lines.append(f"| {months} | {cells} | {' | '.join(ratios)} |")
    return lines
