"""The compiled kernels (SPEC §11, issue 13); all other metadata is in pyproject.toml.

Each kernel is a C transcription of exact Python code that stays in the tree: the engine and the
API use the kernel when it imported and the Python otherwise, and tests require both to agree.
`optional=True`: a machine without a C compiler still installs and computes the same figures,
only slower; under CI=true, tests/install fails when a kernel is missing.
"""

from setuptools import Extension, setup

FLAGS = ["-O2", "-std=c11", "-Wall", "-Wextra"]

setup(
    ext_modules=[
        Extension(
            "app.engine._kernels",
            sources=["app/engine/_kernels.c"],
            extra_compile_args=FLAGS,
            optional=True,
        ),
        Extension(
            "app.api._rows_json",
            sources=["app/api/_rows_json.c"],
            extra_compile_args=FLAGS,
            optional=True,
        ),
    ]
)
