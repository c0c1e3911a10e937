"""Serialize a response model once.

FastAPI re-validates a returned model against `response_model` field by field before it
serializes it; our response models are built from engine results that are already exact, so the
calculation routes hand FastAPI finished JSON instead (the OpenAPI document still comes from the
declared `response_model`).
"""

import orjson
from fastapi import Response
from pydantic import BaseModel


def json_response(model: BaseModel, status_code: int = 200) -> Response:
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")


def json_document(document: object, status_code: int = 200) -> Response:
    """A response from plain JSON-ready data (dicts, lists, strings, ints; orjson.Fragment for
    JSON already printed): no model at all.

    orjson rather than json: a 12-row schedule is ~150 strings, an order of magnitude apart.
    """
    body = orjson.dumps(document)
    if status_code in _BODY_STATUSES:
        return JsonDocument(body, status_code)
    return Response(body, status_code=status_code, media_type="application/json")


# what a status with a body gets from Response.init_headers, in its order (Content-Length,
# then Content-Type): 1xx, 204 and 304 take Starlette's own path, which leaves out the length
_BODY_STATUSES = frozenset(range(200, 600)) - {204, 304}
_JSON_TYPE = (b"content-type", b"application/json")


class JsonDocument(Response):
    """A JSON body and the headers `Response(body, status, media_type="application/json")`
    gives it, set directly: its generic header building is ~0.5 µs of a calculation."""

    media_type = "application/json"

    def __init__(self, body: bytes, status_code: int) -> None:
        self.status_code = status_code
        self.background = None
        self.body = body
        self.raw_headers = [(b"content-length", str(len(body)).encode("latin-1")), _JSON_TYPE]
