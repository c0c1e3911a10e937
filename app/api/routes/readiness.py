"""GET /readyz (SPEC §9): 200 when the database answers and is migrated to head, else 503."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from app.api.deps import DatabaseDep
from app.api.problems import problem
from app.services.readiness import check_readiness

router = APIRouter(tags=["operations"], include_in_schema=False)


@router.get("/readyz")
def read_readiness(database: DatabaseDep) -> Response:
    """Ready to serve agreements: the database is reachable and at the head revision."""
    readiness = check_readiness(database=database)
    if not readiness.ready:
        return problem(503, readiness.detail, headers={"Retry-After": "5"})
    return JSONResponse({"status": "ready", "revision": readiness.revision})
