"""The ASGI application: routers, problem handlers, middleware."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from app.api import middleware, problems
from app.api.deps import database_lifespan, get_principal
from app.api.routes import (
    accruals,
    agreements,
    apr,
    examples,
    operations,
    positions,
    readiness,
    restructuring,
    schedules,
)
from app.settings import get_settings


def create_app() -> FastAPI:
    app = FastAPI(
        title="Repayment and restructuring service",
        version="0.1.0",
        description=(
            "Repayment schedules, daily accrual, loan positions and restructuring options for "
            "consumer credit (还款计划、按日计息、逾期与协商还款). "
            "Every amount is a decimal string."
        ),
        lifespan=database_lifespan,
    )
    settings = get_settings()
    problems.install(app)
    middleware.install(app, max_body_bytes=settings.max_body_bytes, log_level=settings.log_level)
    # Routers are matched in this order, one after another, so the busiest come first:
    # liveness (probed every few seconds), then the calculations, then the rest.
    app.include_router(operations.router)
    # SPEC §8: calculations are open unless REQUIRE_API_KEY_FOR_CALCULATIONS says otherwise
    guard = [Depends(get_principal)] if settings.require_api_key_for_calculations else []
    for module in (schedules, positions, restructuring, apr, accruals, examples):
        app.include_router(module.router, dependencies=guard)
    # one-pass JSON bodies (app/api/json_body.py) only where nothing guards the calculations:
    # the route class also sees the guard itself, this keeps a second lock on the door
    app.state.one_pass_json_bodies = not guard
    app.include_router(agreements.router)
    app.include_router(readiness.router)
    return app


app = create_app()
