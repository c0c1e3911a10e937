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
    """A response from plain JSON-ready data (dicts, lists, strings, ints): no model at all.

    orjson rather than json: a 12-row schedule is ~150 strings, an order of magnitude apart.
    """
    return Response(orjson.dumps(document), status_code=status_code, media_type="application/json")
