"""Debian's Chromium driven by Playwright (from PyPI, no downloaded browser), offline.

Every request a page makes to a host other than the loopback server is aborted and recorded,
so a test can assert that none was attempted. Under CI=true a missing browser fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]"}


def require_chromium() -> None:
    """Fail under CI=true, skip (saying why) elsewhere, when the browser cannot run."""
    missing = None
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        missing = f"{CHROMIUM} is missing: apt-get install chromium (.ci/run installs it)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "playwright is not installed: make install"
    if missing is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser test cannot run under CI: {missing}")
    print(f"SKIP browser test: {missing}")
    pytest.skip(missing)


@dataclass
class Offline:
    """What the pages asked of other hosts (aborted) and what the browser's console said."""

    blocked: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def route(self, route) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    @property
    def csp_violations(self) -> list[str]:
        return [m for m in self.console if "Content Security Policy" in m]


@contextmanager
def offline_context(browser, *, javascript: bool = True, **options) -> Iterator[tuple]:
    """A fresh browser context (its own cookies: a new session) with the network cut."""
    context = browser.new_context(java_script_enabled=javascript, **options)
    offline = Offline()
    context.route("**/*", offline.route)
    context.on("page", lambda page: page.on("console", lambda m: offline.console.append(m.text)))
    try:
        yield context, offline
    finally:
        context.close()
