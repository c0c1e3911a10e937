"""Calculation errors (SPEC §8: bad input is a 422, never a 5xx).

    CalculationError          any request the engine cannot compute
    ├── InvalidTerms          the terms break a rule of the contract (field, reason)
    └── NoRateSolution        no internal rate of return exists or none was found

There are no HTTP codes here: `app/api/problems.py` maps these to problem+json.
"""

from __future__ import annotations


class CalculationError(ValueError):
    """Base of every error the engine raises on purpose."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class InvalidTerms(CalculationError):
    """The request is well-formed but breaks a rule of SPEC.md."""


class NoRateSolution(CalculationError):
    """Cash flows without a sign change, or for which the solver finds no rate."""
