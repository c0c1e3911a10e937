"""The image's build context (.dockerignore) holds what the Dockerfile copies, and no kernel
built for the host. No Docker engine runs here, so this reads both files as Docker does for
these simple rules: the last matching line decides, "!" lets a path back in, a rule naming a
folder covers what is inside it, and "**/" matches at any depth.
"""

from __future__ import annotations

import shlex
from fnmatch import fnmatchcase
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _rules() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _matches(pattern: str, path: str) -> bool:
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    if pattern.startswith("**/"):
        tail = pattern[3:]
        return any(fnmatchcase("/".join(parts[i:]), tail) for i in range(len(parts)))
    return any(fnmatchcase(prefix, pattern) for prefix in prefixes)


def in_context(path: str) -> bool:
    sent = True
    for rule in _rules():
        if _matches(rule.lstrip("!"), path):
            sent = rule.startswith("!")
    return sent


def _copied_sources() -> list[str]:
    sources = []
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if not line.startswith("COPY "):
            continue
        words = shlex.split(line)
        if not any(word.startswith("--from") for word in words):
            sources += words[1:-1]
    return sources


def test_every_file_the_dockerfile_copies_is_in_the_build_context():
    sources = _copied_sources()
    assert "setup.py" in sources  # the build stage compiles the kernels
    for source in sources:
        assert (ROOT / source).exists(), source
        assert in_context(source), f"{source} is left out by .dockerignore"
    assert in_context("app/engine/_kernels.c")


def test_kernels_built_for_the_host_stay_out_of_the_image():
    assert not in_context("app/engine/_kernels.cpython-311-x86_64-linux-gnu.so")
    assert not in_context("app/api/__pycache__/x.cpython-311.pyc")
    assert not in_context(".venv/bin/python")
