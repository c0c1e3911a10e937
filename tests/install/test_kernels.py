"""The compiled kernels (setup.py) are built by `make install`; CI must run with them.

Without a C compiler the install still succeeds and every figure is the same (the Python each
kernel transcribes runs instead), so a local run only reports the missing kernel; under CI=true
it fails, so the benchmarked configuration is the tested one.
"""

import importlib
import os

import pytest

KERNELS = ("app.engine._kernels", "app.api._rows_json")


@pytest.mark.parametrize("name", KERNELS)
def test_kernel_is_built(name: str) -> None:
    try:
        module = importlib.import_module(name)
    except ImportError as missing:
        if os.environ.get("CI") == "true":
            raise AssertionError(f"{name} was not built: is gcc installed? ({missing})") from None
        pytest.skip(f"{name} not built here (no C compiler?): the Python fallback runs")
    assert module.__file__ is not None
    assert module.__file__.endswith(".so")
