"""Parity (SPEC §12): every computed row equals POST /v1/positions' `summary` for the same loan,
payments, as_of and rules, and every row in error carries the problem the API gives (its first
error's type, its detail), for every method and rule option. The expected figures are the
API's answers, a second path through the service, never the batch's own output."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.batch.sample import write_sample
from tests.batch.portfolio import compare_with_api, input_table, run, write_input

METHODS = ("equal_installment", "equal_principal", "interest_only", "bullet", "flat_fee")
AS_OF = date(2026, 6, 30)
EARLIEST_AS_OF = AS_OF - timedelta(days=365)

amounts = st.sampled_from(["500.00", "1200.5", "12000", "999.99", "30000.00", "7"])
yen = st.sampled_from(["500", "12000", "7", "999.99"])  # mostly whole: JPY has no minor unit
bad_amounts = st.sampled_from(["0", "1.0001", "abc", "-5", "1" * 21, "10000000000000"])


@st.composite
def payments(draw: st.DrawFn, start: date, amounts: st.SearchStrategy[str]) -> list[dict]:
    count = draw(st.integers(0, 6))
    latest = (EARLIEST_AS_OF - start).days  # on or before any as_of drawn
    days = sorted(draw(st.lists(st.integers(0, latest), min_size=count, max_size=count)))
    out = [
        {
            "date": (start + timedelta(days=d)).isoformat(),
            "amount": draw(amounts),
            "reference": f"p{i}",
        }
        for i, d in enumerate(days)
    ]
    if out and draw(st.integers(0, 9)) == 0:  # refused: before the start, or after as_of
        out[0]["date"] = draw(st.sampled_from(["1999-01-01", "2027-01-01"]))
    return out


@st.composite
def loans(draw: st.DrawFn, invalid: bool = True) -> dict:
    method = draw(st.sampled_from(METHODS))
    start = date(2024, 1, 1) + timedelta(days=draw(st.integers(0, 500)))
    currency = draw(st.sampled_from([None, "CNY", "USD", "JPY", "KWD"]))
    loan: dict = {
        "principal": draw(yen if currency == "JPY" else amounts),
        "term_months": draw(st.integers(1, 24)),
        "method": method,
        "start_date": start.isoformat(),
        "currency": currency,
        "day_count": draw(st.sampled_from([None, 360, 365])),
        "rounding": draw(st.sampled_from([None, "half_up", "half_even"])),
    }
    if method == "flat_fee":
        loan[draw(st.sampled_from(["fee_rate", "fee_rate_per_period"]))] = draw(
            st.sampled_from(["0.006", "0.04", "0.0075"])
        )
    else:
        rate = draw(st.sampled_from(["annual_rate", "daily_rate"]))
        loan[rate] = draw(
            st.sampled_from(["0.18", "0.0435", "0"])
            if rate == "annual_rate"
            else st.sampled_from(["0.0005", "0.0002"])
        )
        loan["interest_basis"] = draw(st.sampled_from([None, "periodic", "actual"]))
        if method != "bullet" and draw(st.booleans()):
            loan["first_due_date"] = (start + timedelta(days=draw(st.integers(20, 45)))).isoformat()
        if method != "bullet" and draw(st.integers(0, 4)) == 0:
            loan["grace_months"] = draw(st.integers(1, 2))
            loan["grace_type"] = draw(st.sampled_from(["interest_only", "capitalize"]))
    loan["payments"] = draw(payments(start, yen if currency == "JPY" else amounts))
    if invalid and draw(st.integers(0, 3)) == 0:  # one thing the API refuses
        field, value = draw(
            st.sampled_from(
                [
                    ("principal", draw(bad_amounts)),
                    ("currency", "XAU"),
                    ("currency", "usd"),
                    ("method", "balloon"),
                    ("day_count", 100),
                    ("term_months", 0),
                    ("term_months", 601),
                    ("grace_months", 600),
                    ("start_date", "1850-01-01"),
                    ("rounding", "down"),
                    ("annual_rate", "11"),
                    ("annual_rate", "0.1234567890123"),
                    ("daily_rate", "0.05"),
                    ("first_due_date", "2300-01-01"),
                    ("payments", [{"date": loan["start_date"], "amount": "1.005"}]),
                    ("payments", [{"date": loan["start_date"], "amount": "x"}]),
                    (
                        "payments",
                        [{"date": loan["start_date"], "amount": "1", "reference": "r" * 201}],
                    ),
                ]
            )
        )
        loan[field] = value
    return loan


rules = st.fixed_dictionaries(
    {},
    optional={
        "penalty": st.fixed_dictionaries(
            {},
            optional={
                "rate_multiplier": st.sampled_from(["1.3", "1.5"]),
                "base": st.sampled_from(["overdue_principal", "overdue_amount"]),
                "compound": st.booleans(),
                "grace_days": st.integers(0, 5),
                "cap_annual_rate": st.sampled_from(["0.24", "0.36"]),
            },
        )
        | st.fixed_dictionaries({"daily_rate": st.sampled_from(["0.0005", "0.001"])}),
        "allocation": st.fixed_dictionaries(
            {},
            optional={
                "order": st.permutations(["penalty", "fee", "interest", "principal"]),
                "strategy": st.sampled_from(["installment_first", "component_first"]),
            },
        ),
    },
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    portfolio=st.lists(loans(), min_size=1, max_size=6), rule=rules, as_of_days=st.integers(0, 400)
)
def test_every_row_equals_the_api_for_strings(
    client, tmp_path_factory, portfolio, rule, as_of_days
):
    folder = tmp_path_factory.mktemp("parity")
    as_of = AS_OF - timedelta(days=as_of_days)
    source = write_input(folder / "in.parquet", input_table(portfolio))
    run(source, folder / "out", as_of, rule)
    compare_with_api(client, source, folder / "out", as_of, rule)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(portfolio=st.lists(loans(invalid=False), min_size=1, max_size=6), rule=rules)
def test_every_row_equals_the_api_for_decimal_columns(client, tmp_path_factory, portfolio, rule):
    """decimal128 money and rate columns: a value is its number, whatever the column's scale."""
    folder = tmp_path_factory.mktemp("parity")
    source = write_input(folder / "in.parquet", input_table(portfolio, decimals=True))
    run(source, folder / "out", AS_OF, rule)
    compare_with_api(client, source, folder / "out", AS_OF, rule)


def test_a_generated_portfolio_equals_the_api_under_each_rule(client, tmp_path: Path):
    """`batch sample`: every method, overdue and early-settled loans; three rule sets."""
    source = tmp_path / "sample.parquet"
    write_sample(source, 150, seed=7, as_of=AS_OF)
    rule_sets = [
        {},
        {"penalty": {"base": "overdue_amount", "grace_days": 3, "cap_annual_rate": "0.24"}},
        {
            "penalty": {"daily_rate": "0.0005", "compound": True},
            "allocation": {
                "order": ["principal", "interest", "fee", "penalty"],
                "strategy": "component_first",
            },
        },
    ]
    for index, rule in enumerate(rule_sets):
        output = tmp_path / f"out{index}"
        run(source, output, AS_OF, rule)
        assert compare_with_api(client, source, output, AS_OF, rule) == 0
