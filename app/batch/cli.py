"""`python -m app batch positions|sample` (SPEC §12), wired into app/__main__.py.

Exit codes: 0 the run finished (rows in error included); 2 it could not run (bad arguments,
input or rules), with a one-line reason on stderr; 1 it failed while running (a worker or the
cluster failed, the output could not be written).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

from app.batch import limits
from app.batch.refusals import RunRefused

EXIT_REFUSED = 2
EXIT_FAILED = 1


def _date(text: str) -> date:
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date (2026-06-30)") from None
    if not limits.MIN_DATE <= value <= limits.MAX_DATE:
        raise argparse.ArgumentTypeError(f"{text} is outside {limits.MIN_DATE}..{limits.MAX_DATE}")
    return value


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 0")
    return int(text)


def add_commands(commands: Any) -> None:
    batch = commands.add_parser("batch", help="portfolio runs on Parquet (SPEC §12)")
    actions = batch.add_subparsers(dest="action", required=True)
    positions = actions.add_parser("positions", help="every loan's position as of a date")
    positions.add_argument("input", type=Path, help="a Parquet file or a folder of them")
    positions.add_argument("output", type=Path, help="the folder to write parts and manifest to")
    positions.add_argument("--as-of", type=_date, required=True, help="the position date")
    positions.add_argument("--rules", type=Path, help='JSON {"penalty": {}, "allocation": {}}')
    where = positions.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=_count,
        default=os.cpu_count() or 1,
        help="local Dask worker processes (default: the cores); 0 runs in this process",
    )
    where.add_argument("--scheduler", help="an existing Dask scheduler, tcp://HOST:PORT")
    sample = actions.add_parser("sample", help="write a synthetic portfolio")
    sample.add_argument("output", type=Path, help="the Parquet file to write")
    sample.add_argument("--loans", type=_count, required=True)
    sample.add_argument("--seed", type=int, default=1)
    sample.add_argument("--as-of", type=_date, help="the date the portfolio is seen from")


def run_command(args: argparse.Namespace) -> int:
    try:
        if args.action == "sample":
            from app.batch.sample import DEFAULT_AS_OF, write_sample

            write_sample(args.output, args.loans, seed=args.seed, as_of=args.as_of or DEFAULT_AS_OF)
            print(f"Wrote {args.loans:,} loans to {args.output}.")
            return 0
        return _positions(args)
    except RunRefused as refused:
        print(f"error: {refused}", file=sys.stderr)
        return EXIT_REFUSED
    except Exception as error:  # one line for the operator, not a traceback
        print(f"error: the run failed: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_FAILED


def _positions(args: argparse.Namespace) -> int:
    from app.batch.rules import load_rules
    from app.batch.run import run_positions

    manifest = run_positions(
        args.input,
        args.output,
        args.as_of,
        load_rules(args.rules),
        workers=args.workers,
        scheduler=args.scheduler,
    )
    print(
        f"{manifest['loans']:,} loans as of {manifest['as_of']}: {manifest['computed']:,} "
        f"computed, {manifest['errors']:,} in error; {len(manifest['parts'])} parts in "
        f"{args.output}"
    )
    return 0
