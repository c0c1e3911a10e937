"""`make bench` is not run by CI, so its in-process parts are called once here: a change to an
engine signature once left `make bench` failing while every test passed."""

from __future__ import annotations

from bench import compare
from bench import run as bench_run


def test_every_timed_call_of_the_engine_benchmark_runs(monkeypatch):
    calls = []

    def once(call, min_seconds: float = 0.5) -> float:
        call()
        calls.append(call)
        return 1.0

    monkeypatch.setattr(bench_run, "_per_call_us", once)
    figures = bench_run.engine_benchmark()
    assert len(calls) == len(figures) >= 8
    assert all(value == 1.0 for value in figures.values())


def test_the_comparison_runs_ours_at_every_size():
    """The packages compared against are bench-only dependencies: timed when installed."""

    def once_each(calls):
        return {name: (call(), 1.0)[1] for name, call in calls.items()}

    figures = compare.compare(once_each)
    assert sorted(figures) == list(compare.SIZES)
    for row in figures.values():
        assert row["ours: amortize_units (exact integer table)"] == 1.0
        assert row["ours: build_schedule (+ totals, apr, XIRR)"] == 1.0
