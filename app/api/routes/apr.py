"""POST /v1/apr (SPEC §3)."""

from fastapi import APIRouter, Response

from app.api.deps import CALCULATION_GUARD
from app.api.json_body import JsonBodyRoute
from app.api.problems import PROBLEM_RESPONSES
from app.api.responses import json_response
from app.api.schemas.apr import AprRequest, AprResponse
from app.engine.apr import annualized_rates

router = APIRouter(
    prefix="/v1/apr", tags=["apr"], route_class=JsonBodyRoute, dependencies=CALCULATION_GUARD
)


@router.post("", response_model=AprResponse, responses=PROBLEM_RESPONSES)
async def compute_apr(body: AprRequest) -> Response:
    """Annualized rate by the IRR method (年化利率) of any dated cash flows."""
    return json_response(AprResponse.from_engine(annualized_rates(body.engine_flows())))
