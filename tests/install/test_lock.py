"""The environment is exactly the lock (issue 18): `make install` installs requirements.lock with
hashes and nothing else, so a release of any package tomorrow cannot change what runs."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "repayment-service"
# installed by the interpreter's venv module, not by the lock
VENV_SEED = {"pip"}


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked(lock: str = "requirements.lock") -> dict[str, str]:
    """name -> version of every requirement of a lock that applies to this interpreter."""
    pins: dict[str, str] = {}
    for line in (ROOT / lock).read_text(encoding="utf-8").splitlines():
        if not line or line[0] in " #-":
            continue  # hashes, comments and options continue a requirement's entry
        requirement = Requirement(line.rstrip(" \\"))
        if requirement.marker and not requirement.marker.evaluate(default_environment()):
            continue
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", line
        pins[_normalize(requirement.name)] = specifier.version
    return pins


def _installed() -> dict[str, str]:
    found = {_normalize(d.metadata["Name"]): d.version for d in metadata.distributions()}
    return {name: v for name, v in found.items() if name not in VENV_SEED | {PROJECT}}


def test_installed_packages_are_exactly_the_locked_versions() -> None:
    locked, installed = _locked(), _installed()
    assert {n: v for n, v in installed.items() if locked.get(n) != v} == {}
    assert sorted(set(locked) - set(installed)) == []


def test_lock_covers_every_dependency_of_pyproject() -> None:
    """A dependency added to pyproject.toml without `make lock` fails here, not on a fresh
    machine."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        declared.extend(extra)
    locked = _locked()
    missing = []
    for line in declared:
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate(default_environment()):
            continue
        name = _normalize(requirement.name)
        if name not in locked or not requirement.specifier.contains(locked[name]):
            missing.append(line)
    assert missing == []


def test_runtime_lock_is_the_full_lock_without_the_extras() -> None:
    """The image installs requirements-runtime.lock (the Dockerfile): the same versions as the
    lock the suite ran on, never another resolution."""
    full = _locked()
    runtime = _locked("requirements-runtime.lock")
    assert {n: v for n, v in runtime.items() if full.get(n) != v} == {}
    assert {"fastapi", "uvicorn", "sqlalchemy"} <= set(runtime)
