"""RFC 9457 problem details: one renderer for every error the API returns (SPEC §8).

Validation errors are 422 with `errors: [{loc, msg, type}]` and never echo the input;
malformed JSON is 400; engine errors (CalculationError) are 422 with the field they name.
An error answer is never much larger than a normal one (SPEC §8): at most MAX_ERRORS errors,
`more_errors` saying how many were left out, and each name in a `loc` cut to LOC_NAME_CHARS
(an unknown field's name is the client's and may be a megabyte long).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError, ProgrammingError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.engine.errors import CalculationError
from app.services import errors as service_errors

_log = logging.getLogger("app.problems")

PROBLEM_JSON = "application/problem+json"
# RFC 9110 names where Python's http module still has the older ones
_TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}
MAX_ERRORS = 20
LOC_NAME_CHARS = 64


class ProblemError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[ProblemError] | None = Field(None, max_length=MAX_ERRORS)
    more_errors: int | None = Field(
        None, description="How many more errors there were than the ones listed"
    )


def problem_response(description: str) -> dict[str, Any]:
    """A declared problem response: `model` puts Problem in the components, `content` gives the
    media type actually served (application/problem+json) that schema."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {
        "model": Problem,
        "content": {PROBLEM_JSON: {"schema": schema}},
        "description": description,
    }


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: problem_response("Malformed JSON"),
    413: problem_response("Body over MAX_BODY_BYTES (1 MiB), refused before parsing"),
    422: problem_response("Invalid input"),
}


def problem(
    status: int,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    more_errors: int = 0,
) -> JSONResponse:
    """Render one problem+json response."""
    body = problem_document(status, detail, errors, more_errors)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def problem_document(
    status: int, detail: str, errors: list[dict[str, Any]] | None = None, more_errors: int = 0
) -> dict[str, Any]:
    """The JSON object of a problem (also one line's error in POST /v1/positions/batch)."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _TITLES.get(status) or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    if more_errors:
        body["more_errors"] = more_errors
    return body


def validation_document(raw: list[Any], cut: int = 0) -> dict[str, Any]:
    """The 422 problem of validation errors: at most MAX_ERRORS listed, and how many more
    (SPEC §8); `cut`: errors a large body's pruning left out uncounted (large_bodies.py)."""
    errors = [_clean(e) for e in raw[:MAX_ERRORS]]
    if not errors:
        errors = [{"loc": ["body"], "msg": "invalid request", "type": "value_error"}]
    total = len(raw) + cut
    more = max(total - len(errors), 0)
    detail = _describe(errors[0])
    if more:
        detail += f" ({total} errors; the first {len(errors)} are listed)"
    return problem_document(422, detail, errors, more)


def calculation_document(exc: CalculationError) -> dict[str, Any]:
    """The 422 problem of an engine refusal, at the field it names."""
    loc = ["body", *(int(p) if p.isdigit() else p for p in exc.field.split("."))]
    error = {"loc": loc, "msg": exc.reason, "type": type(exc).__name__}
    return problem_document(422, f"{exc.field}: {exc.reason}", [error])


def _name(part: Any) -> str | int:
    if isinstance(part, int):
        return part
    text = str(part)
    return text if len(text) <= LOC_NAME_CHARS else text[: LOC_NAME_CHARS - 1] + "…"


def _clean(error: dict[str, Any]) -> dict[str, Any]:
    return {
        "loc": [_name(p) for p in error.get("loc", ())],
        "msg": str(error.get("msg", "invalid"))[:300],
        "type": str(error.get("type", "value_error"))[:100],
    }


def _describe(error: dict[str, Any]) -> str:
    # money fields say "send the amount as a string" themselves; a reference field given a
    # number says only that it needs a string (it is no decimal)
    field = ".".join(str(p) for p in error["loc"][1:]) or "body"
    return f"{field}: {error['msg']}"


async def validation_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    raw = list(exc.errors())
    if any(e.get("type") in ("json_invalid", "json_type") for e in raw):
        # a route that needs a key has checked it already, before the body (deps.key_first)
        return problem(400, "the body is not valid JSON")
    body = validation_document(raw, getattr(exc, "cut", 0))
    return JSONResponse(body, status_code=422, media_type=PROBLEM_JSON)


async def calculation_problem(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CalculationError)
    body = calculation_document(exc)
    return JSONResponse(body, status_code=422, media_type=PROBLEM_JSON)


async def too_deep_problem(_: Request, __: Exception) -> JSONResponse:
    return problem(400, "the body is nested too deeply to parse")


async def http_problem(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:
        detail = "the body is not valid JSON"
    else:
        detail = str(exc.detail)
    return problem(exc.status_code, detail, headers=getattr(exc, "headers", None))


# service errors (app/services/errors.py), most specific first
_SERVICE_STATUS: tuple[tuple[type[service_errors.ServiceError], int], ...] = (
    (service_errors.InvalidApiKey, 401),
    (service_errors.AgreementNotFound, 404),
    (service_errors.IllegalTransition, 409),
    (service_errors.PaymentReferenceConflict, 409),
    (service_errors.IdempotencyKeyInProgress, 409),
    (service_errors.VersionMismatch, 412),
    (service_errors.InvalidRequest, 422),
)


async def service_problem(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, service_errors.ServiceError)
    status = next((s for cls, s in _SERVICE_STATUS if isinstance(exc, cls)), 500)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, service_errors.IdempotencyKeyInProgress):
        headers = {"Retry-After": "1"}
    errors = None
    if isinstance(exc, service_errors.InvalidRequest):
        errors = [{"loc": list(exc.loc), "msg": exc.reason, "type": type(exc).__name__}]
    return problem(status, exc.detail, errors, headers)


async def database_problem(_: Request, exc: Exception) -> JSONResponse:
    """The database is down or not migrated: the same 503 as /readyz, not a 500.

    An unmigrated database answers "no such table" (SQLite: OperationalError) or "relation does
    not exist" (PostgreSQL: ProgrammingError). The cause goes to the log, not to the client.
    """
    _log.warning("database error answered 503: %s", (str(exc).splitlines() or [""])[0])
    detail = "the database is unavailable or not migrated; see /readyz"
    return problem(503, detail, headers={"Retry-After": "5"})


def install(app: FastAPI) -> None:
    for database_error in (OperationalError, ProgrammingError):
        app.add_exception_handler(database_error, database_problem)
    app.add_exception_handler(service_errors.ServiceError, service_problem)
    app.add_exception_handler(RequestValidationError, validation_problem)
    app.add_exception_handler(CalculationError, calculation_problem)
    app.add_exception_handler(RecursionError, too_deep_problem)
    app.add_exception_handler(StarletteHTTPException, http_problem)
