"""A synthetic portfolio in the input format of SPEC §12, for benchmarks and tests.

Every method, both rate kinds (decimal128 `annual_rate`, string `daily_rate`), a few
currencies (JPY with no minor digits, KWD with three), grace, first due dates, the actual
basis, 365-day years and half-even rounding; borrowers who pay on time, late, stop paying
(overdue) or settle early. Payments are the estimated installment, not the exact one: a little
over, so a loan paid on time stays current. Seeded: the same arguments write the same file.
"""

from __future__ import annotations

import os
import random
from datetime import date, timedelta
from decimal import Decimal, localcontext
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from app.engine.dates import add_months

ROW_GROUP = 10_000
DEFAULT_AS_OF = date(2026, 6, 30)
METHODS = (
    ("equal_installment", 40),
    ("equal_principal", 20),
    ("interest_only", 10),
    ("bullet", 10),
    ("flat_fee", 20),
)
CURRENCIES = (("CNY", 90), ("USD", 4), ("HKD", 3), ("JPY", 2), ("KWD", 1))
MONEY = pa.decimal128(20, 2)
PAYMENT = pa.struct([("date", pa.date32()), ("amount", MONEY), ("reference", pa.string())])
SCHEMA = pa.schema(
    [
        ("loan_id", pa.string()),
        ("principal", MONEY),
        ("currency", pa.string()),
        ("annual_rate", pa.decimal128(12, 6)),
        ("daily_rate", pa.string()),
        ("day_count", pa.int16()),
        ("term_months", pa.int16()),
        ("method", pa.string()),
        ("start_date", pa.date32()),
        ("first_due_date", pa.date32()),
        ("interest_basis", pa.string()),
        ("grace_months", pa.int16()),
        ("fee_rate_per_period", pa.string()),
        ("rounding", pa.string()),
        ("payments", pa.list_(PAYMENT)),
    ]
)


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _loan(rng: random.Random, number: int, as_of: date) -> dict[str, object]:
    method = _pick(rng, METHODS)
    currency = _pick(rng, CURRENCIES)
    term = rng.choice((3, 6, 12, 12, 24, 36))
    whole = currency == "JPY"
    principal = Decimal(rng.randrange(10, 2000) * (10_000 if whole else 100))
    loan: dict[str, object] = {
        "loan_id": f"L{number:09d}",
        "principal": principal,
        "currency": currency,
        "term_months": term,
        "method": method,
        "start_date": as_of - timedelta(days=rng.randrange(0, 31 * term + 120)),
    }
    if method == "flat_fee":
        loan["fee_rate_per_period"] = rng.choice(("0.006", "0.0075"))
    elif rng.random() < 0.5:
        loan["annual_rate"] = Decimal(rng.choice(("0.0435", "0.12", "0.18", "0.24")))
    else:
        loan["daily_rate"] = rng.choice(("0.0002", "0.0003", "0.0005"))
    if rng.random() < 0.1:
        loan["day_count"] = 365
    if method != "bullet" and rng.random() < 0.1:
        loan["first_due_date"] = add_months(loan["start_date"], 1) + timedelta(days=5)  # type: ignore[arg-type]
    if method not in ("flat_fee", "bullet") and rng.random() < 0.1:
        loan["interest_basis"] = "actual"
    if method == "equal_installment" and term > 3 and rng.random() < 0.05:
        loan["grace_months"] = 1
    if rng.random() < 0.05:
        loan["rounding"] = "half_even"
    loan["payments"] = _payments(rng, loan, as_of)
    return loan


def _installment(loan: dict[str, object]) -> Decimal:
    """An estimate of the level payment, a little over (exactness is the engine's job)."""
    principal: Decimal = loan["principal"]  # type: ignore[assignment]
    term: int = loan["term_months"]  # type: ignore[assignment]
    if "annual_rate" in loan:
        monthly = loan["annual_rate"] / 12  # type: ignore[operator]
    elif "daily_rate" in loan:
        monthly = Decimal(loan["daily_rate"]) * int(loan.get("day_count", 360)) / 12  # type: ignore[arg-type]
    else:
        monthly = Decimal(loan["fee_rate_per_period"])  # type: ignore[arg-type]
    with localcontext() as ctx:
        ctx.prec = 28
        if loan["method"] == "bullet":
            payment = principal * (1 + monthly * term)
        elif loan["method"] == "interest_only":
            payment = principal * monthly
        elif loan["method"] == "equal_installment" and monthly:
            payment = principal * monthly / (1 - (1 + monthly) ** -term)
        else:
            payment = principal / term + principal * monthly
        payment *= Decimal("1.01")
    step = Decimal(1) if loan["currency"] == "JPY" else Decimal("0.01")
    return payment.quantize(step, rounding="ROUND_UP")


def _payments(rng: random.Random, loan: dict[str, object], as_of: date) -> list[tuple]:
    start: date = loan["start_date"]  # type: ignore[assignment]
    term: int = loan["term_months"]  # type: ignore[assignment]
    first: date = loan.get("first_due_date") or add_months(start, 1)  # type: ignore[assignment]
    dues = [add_months(first, k, first.day) for k in range(term)]
    if loan["method"] == "bullet":
        dues = [add_months(start, term)]
    amount = _installment(loan)
    behaviour = rng.random()
    stop = rng.randrange(0, len(dues)) if behaviour < 0.2 else len(dues)
    late = rng.randrange(1, 40) if 0.2 <= behaviour < 0.3 else 0
    settle = rng.randrange(0, len(dues)) if behaviour >= 0.9 else None
    out = []
    for k, due in enumerate(dues[:stop]):
        paid_on = min(due + timedelta(days=late), as_of)
        if paid_on < start or due > as_of:
            break
        last = loan["method"] == "interest_only" and k == len(dues) - 1
        value = amount + (loan["principal"] if last else 0)  # type: ignore[operator]
        out.append((paid_on, value, f"{loan['loan_id']}-{k + 1}"))
        if settle is not None and k == settle:
            payoff = (loan["principal"] * Decimal("1.1")).quantize(Decimal(1))  # type: ignore[operator]
            out.append((paid_on, payoff, f"{loan['loan_id']}-payoff"))
            break
    return out


def sample_table(first: int, count: int, rng: random.Random, as_of: date) -> pa.Table:
    loans = [_loan(rng, number, as_of) for number in range(first, first + count)]
    offsets, dates, amounts, references = [0], [], [], []
    for loan in loans:
        for paid_on, value, reference in loan.pop("payments"):  # type: ignore[attr-defined]
            dates.append(paid_on)
            amounts.append(value)
            references.append(reference)
        offsets.append(len(dates))
    columns = {
        f.name: pa.array([ln.get(f.name) for ln in loans], f.type) for f in list(SCHEMA)[:-1]
    }
    structs = pa.StructArray.from_arrays(
        [pa.array(dates, pa.date32()), pa.array(amounts, MONEY), pa.array(references)],
        fields=list(PAYMENT),
    )
    columns["payments"] = pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), structs)
    return pa.Table.from_pydict(columns, schema=SCHEMA)


def write_sample(output: Path, loans: int, *, seed: int = 1, as_of: date = DEFAULT_AS_OF) -> None:
    """`loans` synthetic loans in row groups of ROW_GROUP, written aside then renamed."""
    rng = random.Random(seed)
    output.parent.mkdir(parents=True, exist_ok=True)
    aside = output.with_name(f".{output.name}.tmp")
    with pq.ParquetWriter(aside, SCHEMA, compression="zstd") as writer:
        for first in range(0, loans, ROW_GROUP):
            count = min(ROW_GROUP, loans - first)
            writer.write_table(sample_table(first, count, rng, as_of), row_group_size=ROW_GROUP)
    os.replace(aside, output)
