"""POST /v1/accruals (SPEC §4)."""

from fastapi import APIRouter, Response

from app.api.deps import CALCULATION_GUARD
from app.api.json_body import JsonBodyRoute
from app.api.problems import PROBLEM_RESPONSES
from app.api.responses import json_response
from app.api.schemas.accruals import AccrualRequest, AccrualResponse
from app.engine.accrual import accrue

router = APIRouter(
    prefix="/v1/accruals",
    tags=["accruals"],
    route_class=JsonBodyRoute,
    dependencies=CALCULATION_GUARD,
)


@router.post("", response_model=AccrualResponse, responses=PROBLEM_RESPONSES)
def create_accrual(body: AccrualRequest) -> Response:
    """Accrue daily interest (按日计息) over [from_date, to_date); nothing is stored."""
    accrual = accrue(
        principal=body.principal,
        from_date=body.from_date,
        to_date=body.to_date,
        rate=body.contract_rate(),
        currency=body.money,
        rounding=body.rounding,
        events=body.engine_events(),
        detail=body.detail,
    )
    return json_response(AccrualResponse.from_engine(accrual))
