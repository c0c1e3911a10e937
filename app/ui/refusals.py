"""What the page refuses, and how: a status and messages shown on the page, never a 5xx.

The API's refusals (pydantic validation, engine and service errors) become a PageError with
the status the API would answer; work that refuses is rolled back whole.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.engine.errors import CalculationError
from app.services import errors as service_errors

T = TypeVar("T")

_SERVICE_STATUS = (
    (service_errors.InvalidApiKey, 401),
    (service_errors.AgreementNotFound, 404),
    (service_errors.IdempotencyKeyInProgress, 409),
    (service_errors.IllegalTransition, 409),
    (service_errors.InvalidRequest, 422),
)


class PageError(Exception):
    """A refusal to show on the page: its status and its messages."""

    def __init__(self, status: int, messages: list[str]) -> None:
        super().__init__(messages)
        self.status = status
        self.messages = messages


def refusal(exc: Exception) -> PageError:
    if isinstance(exc, ValidationError):
        return PageError(422, [_describe(e) for e in exc.errors()[:20]])
    if isinstance(exc, CalculationError):
        return PageError(422, [f"{exc.field}: {exc.reason}"])
    assert isinstance(exc, service_errors.ServiceError)
    status = next((s for cls, s in _SERVICE_STATUS if isinstance(exc, cls)), 400)
    return PageError(status, [exc.detail])


def _describe(error: Any) -> str:
    field = ".".join(str(p) for p in error.get("loc", ())) or "form"
    return f"{field}: {error.get('msg', 'invalid')}"


REFUSED = (ValidationError, CalculationError, service_errors.ServiceError)


def in_transaction(database: Any, work: Callable[[Session], T]) -> T:
    """Run `work` in one transaction, rolled back (nothing half-written) when it refuses."""
    try:
        with database.transaction() as db:
            return work(db)
    except REFUSED as exc:
        raise refusal(exc) from None
