"""POST /v1/restructuring/options (SPEC §6)."""

from fastapi import APIRouter, Response

from app.api.deps import CALCULATION_GUARD
from app.api.json_body import JsonBodyRoute
from app.api.problems import PROBLEM_RESPONSES
from app.api.responses import json_document
from app.api.schemas.restructuring import OptionsRequest, OptionsResponse, options_body
from app.engine.restructuring import restructuring_options

router = APIRouter(
    prefix="/v1/restructuring",
    tags=["restructuring"],
    route_class=JsonBodyRoute,
    dependencies=CALCULATION_GUARD,
)


@router.post("/options", response_model=OptionsResponse, responses=PROBLEM_RESPONSES)
async def create_restructuring_options(body: OptionsRequest) -> Response:
    """Every plan the lender can offer (协商还款方案) side by side, with one recommendation."""
    return json_document(options_body(restructuring_options(body.to_engine())))
