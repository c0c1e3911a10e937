"""`make bench`: SPEC §11's speed ratios against the bare reference app, and where time goes.

1. In process: what the request path costs (the whole middleware, and each of its parts), the
   stages of POST /v1/schedules, /v1/positions and /v1/restructuring/options, each route called
   straight through ASGI, and bench/compare.py's engine-against-packages table.
2. wrk on 127.0.0.1: the service as `make run` starts it (app/server.py: one uvicorn worker,
   uvloop, httptools, uvicorn's access log off, ours on) beside ../shared/bench/bare_app.py
   (BENCH_REFERENCE_DIR overrides; one uvicorn worker, `--loop uvloop --http httptools
   --no-access-log`), both running at once; each target in turns, round after round (two), the
   best round of each; `wrk -t1 -c32`; bodies from the reference directory (its README.md).

Writes only its own part of bench/RESULTS.md, between SECTION_START and SECTION_END (other
scripts add their sections the same way), and bench/out/results.json. Every run is bounded in
time and only ever targets 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.compare import compare, interleaved_us, markdown  # noqa: E402
from bench.inprocess import in_process_tables  # noqa: E402
from bench.load import TARGETS, Target, ensure_wrk, load_test, machine  # noqa: E402

OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION_START, SECTION_END = "<!-- service:start -->", "<!-- service:end -->"
# (label, numerator target, denominator target, SPEC §11's least ratio)
RATIOS = (
    ("GET /livez ÷ bare GET /hello", "livez", "hello", 0.8),
    ("POST /v1/schedules (12) ÷ bare POST /schedule12", "schedules-12", "schedule12", 0.9),
    ("POST /v1/positions ÷ bare POST /schedule12", "positions", "schedule12", 0.5),
    ("POST /v1/restructuring/options ÷ bare POST /schedule12", "options", "schedule12", 0.15),
    ("POST /v1/schedules, 360 rows ÷ 12 rows", "schedules-360", "schedules-12", 0.3),
)


def reference_dir() -> Path:
    """../shared/bench beside the project, or BENCH_REFERENCE_DIR."""
    configured = os.environ.get("BENCH_REFERENCE_DIR")
    return Path(configured) if configured else ROOT.parent / "shared" / "bench"


def write_section(path: Path, section: str) -> None:
    """Put `section` between the markers in `path`, keeping everything else in the file."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    block = f"{SECTION_START}\n{section.rstrip()}\n{SECTION_END}"
    start, end = text.find(SECTION_START), text.find(SECTION_END)
    if 0 <= start < end:
        text = text[:start] + block + text[end + len(SECTION_END) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def table(rows: dict[str, float], unit: str = "µs per call") -> list[str]:
    return [f"| what | {unit} |", "|---|---|", *(f"| {k} | {v:,.1f} |" for k, v in rows.items())]


def ratio_lines(best: dict[str, float]) -> list[str]:
    lines = ["| ratio (req/s) | measured | SPEC §11 | |", "|---|---|---|---|"]
    for label, top, bottom, least in RATIOS:
        if top not in best or bottom not in best or not best[bottom]:
            lines.append(f"| {label} | not measured | ≥ {least} | |")
            continue
        value = best[top] / best[bottom]
        lines.append(
            f"| {label} | {value:.2f} | ≥ {least} | {'met' if value >= least else '**missed**'} |"
        )
    return lines


def wrk_lines(results: list[dict[str, Any]], targets: tuple[Target, ...]) -> list[str]:
    lines = [
        "| target | server | request | round | req/s | p50 ms | p99 ms | non-2xx | socket errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    by_name = {t.name: t for t in targets}
    for r in results:
        t = by_name[r["target"]]
        lines.append(
            f"| {t.name} | {t.server} | {t.method} {t.path} | {r['round']} | {r['rps']:,.0f} "
            f"| {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['non_2xx']} | {r['socket_errors']} |"
        )
    return lines


def report(
    command: str,
    info: dict[str, str],
    tables: dict[str, dict[str, float]],
    comparison: dict[int, dict[str, float]] | None,
    results: list[dict[str, Any]] | None,
    skipped: str | None,
    seconds: int,
) -> str:
    lines = [
        "## The service against the bare reference app (SPEC §11)",
        "",
        f"Written by `{command}` on {info['date']}. Machine: {info['nproc']} cores "
        f"({info['cpu']}), Python {info['python']}, Linux {info['kernel']}; load average (1, 5, "
        f"15 min) {info['load_before']} before, {info.get('load_after', '?')} after. wrk, both "
        "servers and anything else running share these cores: compare ratios within one run.",
        "",
    ]
    if results is None:
        lines += [f"wrk: skipped ({skipped})."]
    else:
        best: dict[str, float] = {}
        for r in results:
            if r["non_2xx"] == 0 and r["socket_errors"] == 0:
                best[r["target"]] = max(best.get(r["target"], 0.0), r["rps"])
        lines += [
            f"Both servers run at once, one uvicorn worker each; every target {seconds} s at "
            "a time in turns, two rounds, the best round of each (a round with a non-2xx or a "
            "socket error does not count). Each run is `wrk -t1 -c32 -d<s>s --timeout 5s -s "
            "<script.lua> http://127.0.0.1:<port><path>` (the script sets the method and body "
            "and prints the figures).",
            "",
            *ratio_lines(best),
            "",
            *wrk_lines(results, TARGETS),
        ]
    for title, rows in tables.items():
        lines += ["", f"### {title}", "", *table(rows)]
    if comparison:
        lines += [
            "",
            "### The engine's table against `amortization` and numpy-financial (bench/compare.py)",
            "",
            *markdown(comparison),
        ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="each wrk run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-wrk", action="store_true", help="the in-process tables only")
    args = parser.parse_args()
    if not 1 <= args.seconds <= 60 or not 1 <= args.rounds <= 5:
        parser.error("runs are bounded: 1 to 60 seconds, 1 to 5 rounds")
    command = (
        "make bench" if len(sys.argv) == 1 else "python bench/run.py " + " ".join(sys.argv[1:])
    )
    bodies = reference_dir()
    if not (bodies / "bare_app.py").is_file():
        parser.error(f"no bare_app.py in {bodies}: set BENCH_REFERENCE_DIR")
    info = machine()
    print(f"machine: {info}")
    tables = in_process_tables(bodies)
    for title, rows in tables.items():
        print(title, *(f"  {k}: {v:,.1f}" for k, v in rows.items()), sep="\n")
    comparison = compare(interleaved_us)
    print("\n".join(markdown(comparison)))
    results, skipped = None, "--no-wrk given" if args.no_wrk else None
    wrk = None if args.no_wrk else ensure_wrk()
    if wrk is None and skipped is None:
        skipped = "wrk is not installed and apt-get could not install it"
    if wrk is not None:
        results = load_test(wrk, bodies, args.seconds, args.rounds, OUT)
    info["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    text = report(command, info, tables, comparison, results, skipped, args.seconds)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(
        json.dumps({"machine": info, "in_process_us": tables, "wrk": results}, indent=2)
    )
    write_section(RESULTS, text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
