"""Large request bodies, validated without holding the event loop (SPEC §8).

A megabyte of JSON can hold ~100,000 unknown fields, and pydantic reports each one: validating
such a body and listing its errors takes about a second of work that holds the interpreter
lock throughout (both are single calls into pydantic-core), so every other request waits. A
422 lists only 20 errors anyway (problems.MAX_ERRORS). So a large body is first parsed
(orjson) and pruned in a worker thread: every object keeps the keys some request model knows
and at most MAX_UNKNOWN_KEYS others, every array at most MAX_ITEMS items. Only the pruned
document is validated; what was cut is counted into `more_errors`. A body that needed no
pruning is validated as it is, in the thread too.
"""

from __future__ import annotations

import json
import types
import typing
from functools import cache
from typing import Any

import orjson
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

MAX_UNKNOWN_KEYS = 20  # kept in the whole document, so the answer can name them
MAX_ITEMS = 1001  # one past the longest list a request may hold (1,000 payments)
_JSON_ERRORS = frozenset({"json_invalid", "json_type"})


@cache
def known_names(model: type[BaseModel]) -> frozenset[str]:
    """Every field name of `model` and of the models nested in its fields."""
    names: set[str] = set()
    pending, seen = [model], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        for name, field in current.model_fields.items():
            names.update(n for n in (name, field.alias) if n)
            pending.extend(_models_in(field.annotation))
    return frozenset(names)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
        return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]
    return []


class _Pruner:
    def __init__(self, known: frozenset[str]) -> None:
        self.known = known
        self.unknown_kept = 0
        self.cut = 0  # unknown keys and array items left out

    def prune(self, value: Any) -> Any:
        if isinstance(value, dict):
            kept = {}
            for key, item in value.items():
                if key not in self.known:
                    if self.unknown_kept >= MAX_UNKNOWN_KEYS:
                        self.cut += 1
                        continue
                    self.unknown_kept += 1
                kept[key] = self.prune(item)
            return kept
        if isinstance(value, list):
            self.cut += max(len(value) - MAX_ITEMS, 0)
            return [self.prune(item) for item in value[:MAX_ITEMS]]
        return value


def _with_body_loc(errors: list[Any]) -> list[dict[str, Any]]:
    return [{**e, "loc": ("body", *e["loc"])} for e in errors]


def _validate(model: type[BaseModel], raw: bytes) -> BaseModel | RequestValidationError | None:
    """The model, the 422 to raise, or None when the body is not JSON (FastAPI says 400)."""
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        try:  # orjson refuses integers past 64 bits, which json (and FastAPI) accept
            document = json.loads(raw)
        except ValueError:
            return None
    pruner = _Pruner(known_names(model))
    pruned = pruner.prune(document)
    try:
        if pruner.cut:
            model.model_validate(pruned)
        return model.model_validate_json(raw)
    except ValidationError as exc:
        listed = exc.errors(include_url=False, include_context=False, include_input=False)
        if any(e["type"] in _JSON_ERRORS for e in listed[:1]):
            return None
        problem = RequestValidationError(_with_body_loc(listed))
        problem.cut = pruner.cut  # type: ignore[attr-defined]
        return problem


async def validate_large_body(model: type[BaseModel], raw: bytes) -> BaseModel | None:
    """Validate `raw` in the thread pool (module doc). Raises RequestValidationError with the
    body's errors (and `cut`, how many more were left out); None when it is not JSON."""
    result = await run_in_threadpool(_validate, model, raw)
    if isinstance(result, RequestValidationError):
        raise result
    return result
