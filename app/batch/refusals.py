"""What a batch refuses: one loan (an error row, the run goes on) or the whole run."""

from __future__ import annotations

from app.engine.errors import CalculationError


class LoanRefused(Exception):
    """A loan POST /v1/positions would answer with a 422: the first error's location (without
    the API's leading "body"), message and type, worded as the API words them."""

    def __init__(self, loc: tuple[str | int, ...], msg: str, error_type: str) -> None:
        super().__init__(msg)
        self.loc = loc
        self.msg = msg
        self.error_type = error_type

    @property
    def detail(self) -> str:
        """The problem's `detail`, as app/api/problems.py writes it: "loan.principal: ..."."""
        return f"{'.'.join(str(p) for p in self.loc) or 'body'}: {self.msg}"

    @classmethod
    def from_calculation(cls, error: CalculationError) -> LoanRefused:
        """The engine's own refusal, as the API's calculation problem words it."""
        loc = tuple(int(p) if p.isdigit() else p for p in error.field.split("."))
        return cls(loc, error.reason, type(error).__name__)


class RunRefused(Exception):
    """The run cannot start or go on (bad input file, bad rules): a one-line reason."""
