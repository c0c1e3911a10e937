"""The ASGI application: routers, problem handlers, middleware."""

from __future__ import annotations

from fastapi import FastAPI

from app.api import middleware, problems
from app.api.deps import database_lifespan
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
    app.include_router(operations.router)
    app.include_router(readiness.router)
    for module in (schedules, apr, accruals, positions, restructuring, examples, agreements):
        app.include_router(module.router)
    return app


app = create_app()
