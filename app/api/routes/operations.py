"""Operational routes (SPEC §9): liveness, Prometheus metrics, and an echo for benchmarks.

None of them is in the public OpenAPI document, and none touches the database.
"""

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

router = APIRouter(tags=["operations"], include_in_schema=False)


@router.get("/livez")
@router.get("/healthz")
async def read_liveness() -> dict[str, str]:
    """The process is up and serving; `/healthz` is an alias. (async: no threadpool hop)"""
    return {"status": "ok"}


@router.get("/metrics")
async def read_metrics(request: Request) -> Response:
    """Prometheus text: request count and latency by route template, method and status."""
    body = generate_latest(request.app.state.metrics.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


@router.post("/echo")
async def echo(request: Request) -> Response:
    """Return the body unchanged: the baseline of `make bench` (middleware, no parsing)."""
    return Response(await request.body(), media_type="application/octet-stream")
