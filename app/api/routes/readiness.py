"""GET /readyz (SPEC §8–9): 200 when the database answers and is migrated to head, else 503,
always within 2 s: the check runs on its own thread, never on the thread pool (an async route,
no sync dependency), so a hung database delays neither this answer nor the calculations."""

from __future__ import annotations

import threading

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse

from app.api.deps import database_of
from app.api.problems import problem
from app.services.readiness import ReadinessProbe, check_readiness

router = APIRouter(tags=["operations"], include_in_schema=False)
_probe_lock = threading.Lock()


def readiness_probe(app: FastAPI) -> ReadinessProbe:
    """The app's probe (tests may put their own on `app.state.readiness_probe`)."""
    probe: ReadinessProbe | None = getattr(app.state, "readiness_probe", None)
    if probe is None:
        with _probe_lock:
            probe = getattr(app.state, "readiness_probe", None)
            if probe is None:
                probe = ReadinessProbe(lambda: check_readiness(database=database_of(app)))
                app.state.readiness_probe = probe
    return probe


@router.get("/readyz")
async def read_readiness(request: Request) -> Response:
    """Ready to serve agreements: the database is reachable and at the head revision."""
    readiness = await readiness_probe(request.app).readiness()
    if not readiness.ready:
        return problem(503, readiness.detail, headers={"Retry-After": "5"})
    return JSONResponse({"status": "ready", "revision": readiness.revision})
