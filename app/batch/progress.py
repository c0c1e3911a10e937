"""A progress bar on stderr, drawn only when stderr is a terminal (never into a log file)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 30


class Progress:
    def __init__(self, total_loans: int, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty()
        self.total = total_loans
        self.done = 0
        self.started = time.monotonic()

    def advance(self, loans: int) -> None:
        self.done += loans
        if not self.enabled:
            return
        share = self.done / self.total if self.total else 1.0
        filled = int(share * WIDTH)
        rate = self.done / max(time.monotonic() - self.started, 1e-9)
        bar = "#" * filled + "-" * (WIDTH - filled)
        self.stream.write(f"\r[{bar}] {self.done:,}/{self.total:,} loans {rate:,.0f}/s")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
