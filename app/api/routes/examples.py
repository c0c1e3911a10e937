"""GET /v1/examples/case-study (SPEC §10)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel

from app.api.deps import CALCULATION_GUARD
from app.api.responses import json_document
from app.api.schemas.positions import PositionResponse, position_document
from app.api.schemas.restructuring import (
    OptionOut,
    OptionsResponse,
    option_document,
    options_body,
)
from app.api.schemas.schedules import ScheduleResponse, schedule_body
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


@router.get("/case-study", response_model=CaseStudyResponse)
def get_case_study() -> Response:
    """The 12,000-yuan 借呗 case study: schedule, overdue position, options, plan, standing."""
    story = case_study()
    # the documents the calculation routes print (schedules' rows by the C row writer), in
    # CaseStudyResponse's field order: the published model, without validating ~2,000 strings
    assumptions = CaseStudyAssumptions(
        principal=format_amount(LOAN.principal, LOAN.currency),
        daily_rate=format(LOAN.rate.daily_rate.normalize(), "f"),
        annual_rate=format(LOAN.rate.annual_rate.normalize(), "f"),
        day_count=int(LOAN.rate.day_count),
        start_date=LOAN.start_date.isoformat(),
        restructured_on=RESTRUCTURED_ON.isoformat(),
        capacity=format_amount(CAPACITY, LOAN.currency),
    )
    return json_document(
        {
            "assumptions": assumptions.model_dump(),
            "original_schedule": schedule_body(story.schedule),
            "position": position_document(story.position),
            "options": options_body(story.restructuring),
            "chosen": option_document(story.chosen, schedule_body),
            "standing": position_document(story.standing),
        }
    )
