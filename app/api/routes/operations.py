"""Operational routes (SPEC §9): liveness and Prometheus metrics.

Neither is in the public OpenAPI document, and neither touches the database.
"""

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

router = APIRouter(tags=["operations"], include_in_schema=False)

# probed every few seconds by orchestrators: a finished body, no serialization per request
_ALIVE = b'{"status":"ok"}'


@router.get("/healthz")
@router.get("/livez")  # applied first, so matched first: probes call it every few seconds
async def read_liveness() -> Response:
    """The process is up and serving; `/healthz` is an alias. (async: no threadpool hop)"""
    return Response(_ALIVE, media_type="application/json")


@router.get("/metrics")
async def read_metrics(request: Request) -> Response:
    """Prometheus text: request count and latency by route template, method and status."""
    body = generate_latest(request.app.state.metrics.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
