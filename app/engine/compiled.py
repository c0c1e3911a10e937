"""The compiled kernels (setup.py builds app/engine/_kernels.c), or None.

A machine that installed without a C compiler has no `_kernels`: every caller then runs the
exact Python the kernel transcribes, with the same answers (docs/decisions.md, "Compiled
kernels"). Callers bind KERNEL by name, so a test can set theirs to None to run the Python.
"""

from __future__ import annotations

from types import ModuleType

try:
    from app.engine import _kernels

    KERNEL: ModuleType | None = _kernels
except ImportError:  # no compiler at install time
    KERNEL = None
