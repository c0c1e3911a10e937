"""The ASGI application: routers, problem handlers, middleware."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from app.api import middleware, problems
from app.api.deps import database_lifespan, get_principal
from app.api.routes import (
    accruals,
    agreements,
    apr,
    documents,
    examples,
    operations,
    positions,
    positions_batch,
    readiness,
    restructuring,
    schedules,
)
from app.settings import get_settings
from app.ui import install as install_ui


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
        # /docs and /redoc are served from the service's own files by app.ui (no CDN)
        docs_url=None,
        redoc_url=None,
    )
    settings = get_settings()
    problems.install(app)
    middleware.install(app, max_body_bytes=settings.max_body_bytes, log_level=settings.log_level)
    # Routers are matched in this order, one after another, so the busiest come first:
    # liveness (probed every few seconds), then the calculations, then the rest.
    app.include_router(operations.router)
    # SPEC §8: calculations are open unless REQUIRE_API_KEY_FOR_CALCULATIONS says otherwise
    guard = [Depends(get_principal)] if settings.require_api_key_for_calculations else []
    calculations = (schedules, positions, positions_batch, restructuring, apr, accruals, examples)
    for module in calculations:
        app.include_router(module.router, dependencies=guard)
    # what deps.needs_key reads: a route's scope does not show its router's guard (routes are
    # not hashable; they live as long as their modules, so their ids stand for them)
    guarded = [route for module in calculations for route in module.router.routes] if guard else []
    app.state.key_guarded_routes = frozenset(map(id, guarded))
    app.include_router(agreements.router)
    app.include_router(documents.router)
    app.include_router(readiness.router)
    install_ui(app)
    return app


app = create_app()
