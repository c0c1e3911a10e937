"""POST /v1/apr (SPEC §3)."""

from fastapi import APIRouter

from app.api.problems import PROBLEM_RESPONSES
from app.api.schemas.accruals import AprRequest, AprResponse
from app.engine.apr import annualized_rates

router = APIRouter(prefix="/v1/apr", tags=["apr"])


@router.post("", responses=PROBLEM_RESPONSES)
def compute_apr(body: AprRequest) -> AprResponse:
    """Annualized rate by the IRR method (年化利率) of any dated cash flows."""
    return AprResponse.from_engine(annualized_rates(body.engine_flows()))
