"""The ASGI application: routers, problem handlers, middleware."""

from __future__ import annotations

from fastapi import FastAPI

from app.api import problems
from app.api.routes import accruals, apr, schedules


def create_app() -> FastAPI:
    app = FastAPI(
        title="Repayment and restructuring service",
        version="0.1.0",
        description=(
            "Repayment schedules, daily accrual, loan positions and restructuring options for "
            "consumer credit (还款计划、按日计息、逾期与协商还款). Every amount is a decimal string."
        ),
    )
    problems.install(app)
    for module in (schedules, apr, accruals):
        app.include_router(module.router)
    return app


app = create_app()
