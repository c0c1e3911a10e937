"""GET /v1/examples/case-study (SPEC §10)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from app.api.deps import CALCULATION_GUARD
from app.api.schemas.positions import PositionResponse
from app.api.schemas.restructuring import OptionOut, OptionsResponse
from app.api.schemas.schedules import ScheduleResponse
from app.engine.case_study import CAPACITY, LOAN, RESTRUCTURED_ON, case_study
from app.engine.money import format_amount

router = APIRouter(prefix="/v1/examples", tags=["examples"], dependencies=CALCULATION_GUARD)


class CaseStudyAssumptions(BaseModel):
    principal: str
    daily_rate: str
    annual_rate: str
    day_count: int
    start_date: str
    restructured_on: str
    capacity: str


class CaseStudyResponse(BaseModel):
    assumptions: CaseStudyAssumptions
    original_schedule: ScheduleResponse
    position: PositionResponse
    options: OptionsResponse
    chosen: OptionOut
    standing: PositionResponse


@router.get("/case-study")
def get_case_study() -> CaseStudyResponse:
    """The 12,000-yuan 借呗 case study: schedule, overdue position, options, plan, standing."""
    story = case_study()
    return CaseStudyResponse(
        assumptions=CaseStudyAssumptions(
            principal=format_amount(LOAN.principal, LOAN.currency),
            daily_rate=format(LOAN.rate.daily_rate.normalize(), "f"),
            annual_rate=format(LOAN.rate.annual_rate.normalize(), "f"),
            day_count=int(LOAN.rate.day_count),
            start_date=LOAN.start_date.isoformat(),
            restructured_on=RESTRUCTURED_ON.isoformat(),
            capacity=format_amount(CAPACITY, LOAN.currency),
        ),
        original_schedule=ScheduleResponse.from_engine(story.schedule),
        position=PositionResponse.from_engine(story.position),
        options=OptionsResponse.from_engine(story.restructuring),
        chosen=OptionOut.from_engine(story.chosen),
        standing=PositionResponse.from_engine(story.standing),
    )
