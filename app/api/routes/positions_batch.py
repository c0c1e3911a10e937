"""POST /v1/positions/batch (SPEC §12): NDJSON in, NDJSON out, streamed line by line.

Each input line is a POST /v1/positions body plus its `loan_id`; each output line, in input
order, is `{"loan_id", "summary"}` (the summary that route gives) or `{"loan_id", "error":
{problem}}` (the problem it would give: 422 for invalid input, 400 for a line that is not
JSON). Memory stays bounded: the body is read as it arrives (the body-limit middleware lets
this route through, app/api/middleware.py STREAMED_PATHS), a line may be at most the body
limit, and lines are answered a received chunk at a time, off the event loop. After
MAX_LINES lines, one 413 error line ends the answer and the rest is not read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope, Send

from app.api.deps import CALCULATION_GUARD
from app.api.problems import (
    PROBLEM_RESPONSES,
    calculation_document,
    problem,
    problem_document,
    validation_document,
)
from app.api.routes.positions import position_of
from app.api.schemas.positions import PositionRequest, summary_document
from app.engine.errors import CalculationError
from app.settings import get_settings

NDJSON = "application/x-ndjson"
MAX_LINES = 100_000
ANSWER_BATCH = 256  # lines answered per trip to the thread pool

router = APIRouter(prefix="/v1/positions", tags=["positions"], dependencies=CALCULATION_GUARD)


class NdjsonStream(StreamingResponse):
    """A streamed answer that leaves the request's `receive` to the body stream.

    Starlette's StreamingResponse, on servers speaking ASGI < 2.4 (uvicorn), also listens for
    a disconnect by calling `receive`, which would take the request body's chunks from under
    the stream reading them. The stream itself sees a disconnect (ClientDisconnect) and ends.
    """

    media_type = NDJSON

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.stream_response(send)


def _error(loan_id: Any, document: dict[str, Any]) -> dict[str, Any]:
    return {"loan_id": loan_id if isinstance(loan_id, str) else None, "error": document}


def answer_line(raw: bytes | None) -> dict[str, Any]:
    """One line's answer: the summary POST /v1/positions gives, or the problem it gives
    (None: a line longer than the body limit, skipped unread)."""
    if raw is None:
        detail = f"the line is larger than {get_settings().max_body_bytes} bytes"
        return _error(None, problem_document(413, detail))
    try:
        line = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _error(None, problem_document(400, "the line is not valid JSON"))
    if not isinstance(line, dict):
        loc = {"loc": ["body"], "msg": "Input should be an object", "type": "dict_type"}
        return _error(None, problem_document(422, "body: Input should be an object", [loc]))
    loan_id = line.pop("loan_id", None)
    if not isinstance(loan_id, str):
        msg, kind = (
            ("Field required", "missing")
            if loan_id is None
            else ("Input should be a valid string", "string_type")
        )
        error = {"loc": ["body", "loan_id"], "msg": msg, "type": kind}
        return _error(loan_id, problem_document(422, f"loan_id: {msg}", [error]))
    try:
        body = PositionRequest.model_validate(line)
    except ValidationError as invalid:
        raw_errors = [{**e, "loc": ("body", *e["loc"])} for e in invalid.errors()]
        return _error(loan_id, validation_document(raw_errors))
    try:
        position = position_of(body)  # what POST /v1/positions computes
    except CalculationError as refused:
        return _error(loan_id, calculation_document(refused))
    return {"loan_id": loan_id, "summary": summary_document(position.summary, body.currency)}


def answer_lines(lines: Iterable[bytes | None]) -> bytes:
    return b"".join(orjson.dumps(answer_line(raw)) + b"\n" for raw in lines)


async def split_lines(
    chunks: AsyncIterator[bytes], max_line: int
) -> AsyncIterator[list[bytes | None]]:
    """The body's lines, a received chunk's worth at a time. A line over `max_line` bytes is
    dropped as it arrives and comes as None, so nothing of it is kept. The last line needs no
    newline; a trailing \r is dropped."""
    pending = bytearray()
    oversized = False
    async for chunk in chunks:
        pending += chunk
        *complete, rest = bytes(pending).split(b"\n")
        lines: list[bytes | None] = [
            None if len(line) > max_line else line.rstrip(b"\r") for line in complete
        ]
        if complete and oversized:
            lines[0], oversized = None, False
        pending = bytearray(rest)
        if len(pending) > max_line:
            oversized, pending = True, bytearray()
        if lines:
            yield lines
    if oversized:
        yield [None]
    elif pending.strip():
        yield [bytes(pending).rstrip(b"\r")]


async def stream_answers(request: Request) -> AsyncIterator[bytes]:
    max_line = get_settings().max_body_bytes
    count = 0
    try:
        async for lines in split_lines(request.stream(), max_line):
            room = MAX_LINES - count
            count += len(lines)
            answerable = lines[:room]
            for start in range(0, len(answerable), ANSWER_BATCH):  # bounds each answer chunk
                batch = answerable[start : start + ANSWER_BATCH]
                yield await run_in_threadpool(answer_lines, batch)
            if count > MAX_LINES:
                detail = f"at most {MAX_LINES} lines per request; the rest was not read"
                yield orjson.dumps(_error(None, problem_document(413, detail))) + b"\n"
                return
    except ClientDisconnect:
        return


@router.post(
    "/batch",
    response_class=NdjsonStream,
    responses={
        200: {
            "content": {NDJSON: {"schema": {"type": "string"}}},
            "description": 'One line per input line, in order: {"loan_id", "summary"} or '
            '{"loan_id", "error": {problem}}',
        },
        415: PROBLEM_RESPONSES[422] | {"description": "Not application/x-ndjson"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                NDJSON: {
                    "schema": {
                        "type": "string",
                        "description": "One POST /v1/positions body plus its loan_id per "
                        f"line, at most {MAX_LINES} lines",
                    }
                }
            },
        }
    },
)
async def stream_positions(request: Request) -> Response:
    """Many loans' positions (跑批 over HTTP): NDJSON in, NDJSON out, streamed in order."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != NDJSON:
        return problem(415, f"send the lines as {NDJSON}")
    return NdjsonStream(stream_answers(request))
