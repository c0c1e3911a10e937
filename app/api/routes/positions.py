"""POST /v1/positions (SPEC §5)."""

from fastapi import APIRouter, Response

from app.api.deps import CALCULATION_GUARD
from app.api.json_body import JsonBodyRoute
from app.api.problems import PROBLEM_RESPONSES
from app.api.responses import json_document
from app.api.schemas.positions import PositionRequest, PositionResponse, position_document
from app.engine.position import Position, position_as_of

router = APIRouter(
    prefix="/v1/positions",
    tags=["positions"],
    route_class=JsonBodyRoute,
    dependencies=CALCULATION_GUARD,
)


@router.post("", response_model=PositionResponse, responses=PROBLEM_RESPONSES)
async def create_position(body: PositionRequest) -> Response:
    """A loan's position on `as_of`: overdue, penalty (罚息), days past due, payoff (提前结清)."""
    return json_document(position_document(position_of(body)))


def position_of(body: PositionRequest) -> Position:
    """The engine's position for a request; each line of POST /v1/positions/batch too."""
    return position_as_of(
        body.contract(),
        body.engine_payments(),
        body.as_of,
        penalty=body.penalty.to_engine(),
        allocation=body.allocation.to_engine(),
    )
