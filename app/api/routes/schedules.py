"""POST /v1/schedules (SPEC §2)."""

from fastapi import APIRouter

from app.api.problems import PROBLEM_RESPONSES
from app.api.schemas.schedules import ScheduleRequest, ScheduleResponse
from app.engine.schedule import build_schedule

router = APIRouter(prefix="/v1/schedules", tags=["schedules"])


@router.post("", responses=PROBLEM_RESPONSES)
def create_schedule(body: ScheduleRequest) -> ScheduleResponse:
    """Compute a repayment schedule (还款计划); nothing is stored."""
    return ScheduleResponse.from_engine(build_schedule(body.to_terms()))
