"""wrk against the service and the bare reference app, side by side, in turns (bench/run.py)."""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # loopback only: never point this at another address
UVICORN_FLAGS = ["--loop", "uvloop", "--http", "httptools", "--no-access-log"]

LUA = """
wrk.method = "{method}"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[{body}]==]

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
    .. '"non_2xx": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect, e.read, e.write, e.timeout))
end
"""


@dataclass(frozen=True)
class Target:
    name: str
    server: str  # "bare" or "service"
    method: str
    path: str
    body_file: str | None  # in the reference directory


TARGETS = (
    Target("hello", "bare", "GET", "/hello", None),
    Target("livez", "service", "GET", "/livez", None),
    Target("schedule12", "bare", "POST", "/schedule12", "schedule12.json"),
    Target("schedules-12", "service", "POST", "/v1/schedules", "sched12.json"),
    Target("schedules-360", "service", "POST", "/v1/schedules", "sched360.json"),
    Target("positions", "service", "POST", "/v1/positions", "pos.json"),
    Target("options", "service", "POST", "/v1/restructuring/options", "opt.json"),
)


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "python": platform.python_version(),
        "kernel": platform.release(),
        "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def ensure_wrk() -> str | None:
    """The wrk binary, installing the Debian package when possible (as root); None if not."""
    found = shutil.which("wrk")
    if found or not (shutil.which("apt-get") and os.geteuid() == 0):
        return found
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    if subprocess.run(install, check=False, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], check=False, stdout=subprocess.DEVNULL)
        subprocess.run(install, check=False, stdout=subprocess.DEVNULL)
    return shutil.which("wrk")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Server:
    """A server process on 127.0.0.1 at a free port, up once `probe` answers 200."""

    def __init__(self, command: list[str], probe: str, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.probe = probe
        self.log = log.open("wb")
        command = [*command, "--host", HOST, "--port", str(self.port)]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with urllib.request.urlopen(self.url + self.probe, timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"the server did not start; see {self.log.name}")

    def __exit__(self, *_: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def run_wrk(wrk: str, url: str, method: str, body: str, seconds: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA.format(method=method, body=body))
    try:
        command = [wrk, "-t1", "-c32", f"-d{seconds}s", "--timeout", "5s", "-s", script.name, url]
        completed = subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=seconds + 60
        )
    finally:
        os.unlink(script.name)
    line = next(x for x in completed.stdout.splitlines() if x.startswith("BENCH_JSON "))
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "requests": raw["requests"],
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "non_2xx": raw["non_2xx"],
        "socket_errors": raw["connect"] + raw["read"] + raw["write"] + raw["timeout"],
    }


def server_env(database_dir: str) -> dict[str, str]:
    env = {**os.environ, "LOG_LEVEL": "INFO"}  # the access log on, as in production
    env.setdefault("DATABASE_URL", f"sqlite:///{database_dir}/bench.db")
    alembic = Path(sys.executable).with_name("alembic")
    subprocess.run(
        [str(alembic), "upgrade", "head"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    return env


def load_test(wrk: str, bodies: Path, seconds: int, rounds: int, out: Path) -> list[dict[str, Any]]:
    """Every target in turns, `rounds` times, both servers up throughout."""
    out.mkdir(parents=True, exist_ok=True)
    service = [sys.executable, "-m", "app.server", "--log-level", "warning"]
    bare = [sys.executable, "-m", "uvicorn", "bare_app:app", "--app-dir", str(bodies)]
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as database_dir:
        env = server_env(database_dir)
        with (
            Server(service, "/livez", env, out / "service.log") as ours,
            Server([*bare, *UVICORN_FLAGS], "/hello", env, out / "bare.log") as theirs,
        ):
            urls = {"service": ours.url, "bare": theirs.url}
            for target in TARGETS:  # warm-up: imports, lazily built handlers, caches
                run_wrk(wrk, urls[target.server] + target.path, *request_of(target, bodies), 1)
            for round_ in range(1, rounds + 1):
                for target in TARGETS:
                    print(f"  round {round_}: wrk {seconds}s {target.method} {target.path}")
                    url = urls[target.server] + target.path
                    figures = run_wrk(wrk, url, *request_of(target, bodies), seconds)
                    results.append({"target": target.name, "round": round_, **figures})
    return results


def request_of(target: Target, bodies: Path) -> tuple[str, str]:
    body = "" if target.body_file is None else (bodies / target.body_file).read_text().strip()
    return target.method, body
