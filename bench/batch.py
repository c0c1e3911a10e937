"""`make bench`, part 2: the portfolio batch (SPEC §12) and its NDJSON endpoint.

1. `python -m app batch sample` writes N loans (default 1,000,000);
2. `python -m app batch positions` on them with `--workers 1`, then `--workers 2`: loans/s on
   the wall clock including Dask's start-up, the 1 -> 2 scaling and the peak RSS of the whole
   process tree (the command, the nanny and worker processes), sampled every 0.1 s;
3. one uvicorn worker streams POST /v1/positions/batch of the first 100,000 sampled loans
   (sent and read at once, as a client must): loans/s and the server's RSS growth.

Targets (issue 14, this 2-core machine): >= 3,000 loans/s with 2 workers, scaling >= 1.6x,
peak RSS <= 1.5 GiB; NDJSON >= 1,000 loans/s with growth <= 100 MiB. The figures go to
bench/RESULTS.md between the `batch` markers (the rest of the file is kept).

    python bench/batch.py                      # what `make bench` runs (1,000,000 loans)
    python bench/batch.py --loans 100000       # a shorter run
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import h11
import orjson
import psutil
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.load import HOST, Server  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
START, END = "<!-- batch:start -->", "<!-- batch:end -->"
AS_OF = "2026-06-30"
GIB = 1024**3
MIB = 1024**2


class PeakRss:
    """The largest summed RSS of a process and all its descendants, sampled in a thread."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.first = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _tree_rss(self) -> int:
        total = 0
        try:
            for process in [self.root, *self.root.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    pass
        except psutil.Error:
            pass
        return total

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._tree_rss())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRss:
        self.first = self._tree_rss()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def timed_command(args: list[str]) -> tuple[float, int]:
    """Wall seconds and peak tree RSS of `python -m app batch ...`; fails on a non-zero exit."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "app", "batch", *args], cwd=ROOT)
    with PeakRss(process.pid) as rss:
        code = process.wait()
    seconds = time.perf_counter() - started
    if code != 0:
        raise RuntimeError(f"batch {args[0]} exited {code}")
    return seconds, rss.peak


def plain(value: Any) -> Any:
    """A Parquet value as POST /v1/positions JSON: a decimal as its shortest string, a date
    as ISO (tests/batch use it to build the API request a row stands for)."""
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, date):
        return value.isoformat()
    return value


def ndjson_lines(source: Path, count: int) -> Iterator[bytes]:
    """The first `count` loans of a sample as POST /v1/positions/batch lines."""
    sent = 0
    for batch in pq.ParquetFile(source).iter_batches(batch_size=2000):
        for row in batch.to_pylist():
            if sent == count:
                return
            payments = [{k: plain(v) for k, v in p.items()} for p in row.pop("payments")]
            loan_id = row.pop("loan_id")
            loan = {k: plain(v) for k, v in row.items() if v is not None}
            line = {"loan_id": loan_id, "loan": loan, "payments": payments, "as_of": AS_OF}
            yield orjson.dumps(line) + b"\n"
            sent += 1


def stream_ndjson(
    port: int, lines: list[bytes], sink: Callable[[bytes], None] | None = None
) -> tuple[float, int]:
    """Send the lines (chunked) while reading the answer on the same connection; the seconds
    and the number of answer lines (the answer's bytes go to `sink`). Sending and reading at
    once avoids the deadlock of a client that writes its whole body before it reads."""
    sock = socket.create_connection((HOST, port))
    sock.settimeout(120)  # a stalled stream fails instead of hanging
    client = h11.Connection(h11.CLIENT)
    headers = [
        ("Host", f"{HOST}:{port}"),
        ("Content-Type", "application/x-ndjson"),
        ("Transfer-Encoding", "chunked"),
    ]

    head = client.send(h11.Request(method="POST", target="/v1/positions/batch", headers=headers))
    failed: list[BaseException] = []

    def send() -> None:
        # the body is framed here, not by h11: its Connection is not shared across threads
        try:
            sock.sendall(head)
            for start in range(0, len(lines), 200):
                data = b"".join(lines[start : start + 200])
                sock.sendall(b"%x\r\n%b\r\n" % (len(data), data))
            sock.sendall(b"0\r\n\r\n")
        except BaseException as error:  # reported by the reading thread
            failed.append(error)

    started = time.perf_counter()
    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    answered = 0
    while True:
        event = client.next_event()
        if event is h11.NEED_DATA:
            client.receive_data(sock.recv(1 << 16))
        elif isinstance(event, h11.Response) and event.status_code != 200:
            raise RuntimeError(f"POST /v1/positions/batch answered {event.status_code}")
        elif isinstance(event, h11.Data):
            answered += bytes(event.data).count(b"\n")
            if sink is not None:
                sink(bytes(event.data))
        elif isinstance(event, h11.EndOfMessage):
            break
    seconds = time.perf_counter() - started
    sender.join()
    sock.close()
    if failed:
        raise RuntimeError(f"sending the lines failed: {failed[0]!r}")
    return seconds, answered


def ndjson_benchmark(source: Path, count: int) -> dict[str, float]:
    lines = list(ndjson_lines(source, count))
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    service = [sys.executable, "-m", "app.server", "--log-level", "warning"]
    log = Path(tempfile.gettempdir()) / "ndjson-server.log"
    with Server(service, "/livez", env, log) as server, PeakRss(server.process.pid, 0.05) as rss:
        seconds, answered = stream_ndjson(server.port, lines)
    if answered != len(lines):
        raise RuntimeError(f"{len(lines)} lines sent, {answered} answered")
    return {"lines": len(lines), "seconds": seconds, "growth": rss.peak - rss.first}


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def section(figures: dict[str, Any], command: str) -> str:
    one, two, nd = figures["workers1"], figures["workers2"], figures["ndjson"]
    loans = figures["loans"]
    rate1, rate2 = loans / one["seconds"], loans / two["seconds"]
    scaling = rate2 / rate1
    peak = max(one["rss"], two["rss"])
    nd_rate = nd["lines"] / nd["seconds"]
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    rows = [
        "## Portfolio batch (SPEC §12, issue 14)\n",
        f"`{command}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
        f"{os.cpu_count()} cores, load {load} after the run "
        "(the cores are shared: other work running at the same time slows every figure).\n",
        f"`batch sample`: {loans:,} loans in {figures['sample']:.1f} s.\n",
        "| run | wall s (start-up included) | loans/s | peak RSS, process tree | target |",
        "|---|---|---|---|---|",
        f"| `--workers 1` | {one['seconds']:.1f} | {rate1:,.0f} | {one['rss'] / MIB:,.0f} MiB | |",
        f"| `--workers 2` | {two['seconds']:.1f} | {rate2:,.0f} | {two['rss'] / MIB:,.0f} MiB | "
        f">= 3,000 loans/s: {verdict(rate2 >= 3000)} |",
        f"| scaling 1 -> 2 | | {scaling:.2f}x | | >= 1.6x: {verdict(scaling >= 1.6)} |",
        f"| peak RSS | | | {peak / MIB:,.0f} MiB | <= 1.5 GiB: {verdict(peak <= 1.5 * GIB)} |",
        "",
        f"POST /v1/positions/batch, one uvicorn worker, {nd['lines']:,} lines of the sample "
        f"streamed in and out at once: {nd['seconds']:.1f} s, **{nd_rate:,.0f} loans/s** "
        f"(>= 1,000: {verdict(nd_rate >= 1000)}), server RSS growth "
        f"**{nd['growth'] / MIB:,.0f} MiB** (<= 100 MiB: {verdict(nd['growth'] <= 100 * MIB)}).\n",
    ]
    return "\n".join(rows)


def write_section(text: str) -> None:
    """Replace the batch section of bench/RESULTS.md (or add it at the end); keep the rest."""
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    block = f"{START}\n{text.rstrip()}\n{END}\n"
    if START in current and END in current:
        before, rest = current.split(START, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        current = before + block + (("\n" + after) if after else "")
    else:
        current = (current.rstrip() + "\n\n" if current.strip() else "") + block
    RESULTS.write_text(current, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--ndjson-lines", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, help="default: a temporary folder, removed after")
    args = parser.parse_args()
    if not 1 <= args.loans <= 5_000_000 or not 1 <= args.ndjson_lines <= 100_000:
        parser.error("--loans 1..5,000,000 and --ndjson-lines 1..100,000")
    command = (
        "make bench" if len(sys.argv) == 1 else "python bench/batch.py " + " ".join(sys.argv[1:])
    )
    with tempfile.TemporaryDirectory(dir=args.workdir) as work:
        folder = Path(work)
        source = folder / "portfolio.parquet"
        figures: dict[str, Any] = {"loans": args.loans}
        figures["sample"], _ = timed_command(["sample", str(source), "--loans", str(args.loans)])
        print(f"sample: {args.loans:,} loans in {figures['sample']:.1f} s", flush=True)
        for workers in (1, 2):
            output = folder / f"out-{workers}"
            seconds, rss = timed_command(
                ["positions", str(source), str(output), "--as-of", AS_OF, "--workers", str(workers)]
            )
            figures[f"workers{workers}"] = {"seconds": seconds, "rss": rss}
            print(
                f"--workers {workers}: {seconds:.1f} s, {args.loans / seconds:,.0f} loans/s, "
                f"peak RSS {rss / MIB:,.0f} MiB",
                flush=True,
            )
        figures["ndjson"] = ndjson_benchmark(source, min(args.ndjson_lines, args.loans))
        print(f"ndjson: {figures['ndjson']}", flush=True)
    text = section(figures, command)
    write_section(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
