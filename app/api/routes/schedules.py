"""POST /v1/schedules (SPEC §2)."""

from fastapi import APIRouter, Response

from app.api.deps import CALCULATION_GUARD
from app.api.json_body import JsonBodyRoute
from app.api.problems import PROBLEM_RESPONSES
from app.api.responses import json_document
from app.api.schemas.schedules import ScheduleRequest, ScheduleResponse, schedule_body
from app.engine.schedule import build_schedule

router = APIRouter(
    prefix="/v1/schedules",
    tags=["schedules"],
    route_class=JsonBodyRoute,
    dependencies=CALCULATION_GUARD,
)


@router.post("", response_model=ScheduleResponse, responses=PROBLEM_RESPONSES)
async def create_schedule(body: ScheduleRequest) -> Response:
    """Compute a repayment schedule (还款计划); nothing is stored."""
    return json_document(schedule_body(build_schedule(body.to_terms())))
