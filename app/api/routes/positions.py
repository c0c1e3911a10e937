"""POST /v1/positions (SPEC §5)."""

from fastapi import APIRouter

from app.api.problems import PROBLEM_RESPONSES
from app.api.schemas.positions import PositionRequest, PositionResponse
from app.engine.position import position_as_of

router = APIRouter(prefix="/v1/positions", tags=["positions"])


@router.post("", responses=PROBLEM_RESPONSES)
def create_position(body: PositionRequest) -> PositionResponse:
    """A loan's position on `as_of`: overdue, penalty (罚息), days past due, payoff (提前结清)."""
    position = position_as_of(
        body.contract(),
        body.engine_payments(),
        body.as_of,
        penalty=body.penalty.to_engine(),
        allocation=body.allocation.to_engine(),
    )
    return PositionResponse.from_engine(position)
