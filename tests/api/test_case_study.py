"""GET /v1/examples/case-study (SPEC §10): the story, and the README that tells it."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from app.api.routes.examples import CaseStudyResponse

README = Path(__file__).resolve().parents[2] / "README.md"


def _figures() -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    block = text.split("<!-- case-study-figures:start -->")[1]
    block = block.split("<!-- case-study-figures:end -->")[0]
    return re.findall(r"^\| ([a-z_.0-9]+) \| ([^|]+?) \|$", block, flags=re.MULTILINE)


def _at(document, path: str):
    for part in path.split("."):
        document = document[int(part)] if part.isdigit() else document[part]
    return document


def test_every_readme_figure_equals_the_endpoint(client):
    story = client.get("/v1/examples/case-study").json()
    figures = _figures()
    assert len(figures) >= 25
    mismatches = [
        (path, figure, _at(story, path))
        for path, figure in figures
        if str(_at(story, path)) != figure
    ]
    assert mismatches == []


def test_readme_prose_figures_are_in_the_table():
    """Each money figure in the story's prose (1,234.56 style) appears in the pinned table."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## The case study")[1].split("<!-- case-study-figures:start -->")[0]
    pinned = {figure for _, figure in _figures()}
    prose = {m.replace(",", "") for m in re.findall(r"\b\d{1,3}(?:,\d{3})*\.\d{2}\b", section)}
    assumptions = {"12000.00", "900.00", "0.05"}  # principal, capacity, 0.05 %/day
    assert prose - pinned - assumptions == set()


def test_case_study_story(client):
    """The whole story: 2509.07 a month; 36 days past due; reinstallment-6; current again.

    B0 = payoff 5093.17 − whole penalty 75.03 = 5018.14. The 6-month plan at 1.5 %/month:
    A = 5018.14 × 0.015 × 1.015^6 / (1.015^6 − 1) = 880.806… → 880.81 ≤ capacity 900.00, while
    the 3-month plan's 1723.14 is not; so capacity_plan-6 and reinstallment-6 coincide and the
    tie on total cost goes to the earlier kind, reinstallment.
    """
    response = client.get("/v1/examples/case-study")
    assert response.status_code == 200
    story = response.json()
    assert story["assumptions"]["annual_rate"] == "0.18"
    assert story["original_schedule"]["installment_amount"] == "2509.07"
    assert story["position"]["summary"]["days_past_due"] == 36
    assert story["options"]["recommended"] == "reinstallment-6"
    principal = Decimal("5018.14")
    growth = Decimal("1.015") ** 6
    level = principal * Decimal("0.015") * growth / (growth - 1)
    assert str(level.quantize(Decimal("0.01"))) == story["chosen"]["first_payment"] == "880.81"
    standing = story["standing"]
    assert [i["status"] for i in standing["installments"]] == ["paid"] * 3 + ["upcoming"] * 3
    assert standing["summary"]["total_overdue"] == "0.00"


def test_case_study_body_is_its_published_model(client):
    """The route prints the calculation routes' documents (rows by the C row writer), not a
    model: the body must be exactly what its published model prints for the same values, key
    order included, and the schedule embedded in it what POST /v1/schedules answers."""
    response = client.get("/v1/examples/case-study")
    assert response.headers["content-type"] == "application/json"
    model = CaseStudyResponse.model_validate_json(response.content)
    assert model.model_dump_json().encode() == response.content
    story = response.json()
    loan = story["assumptions"]
    schedule = client.post(
        "/v1/schedules",
        json={
            "principal": loan["principal"],
            "daily_rate": loan["daily_rate"],
            "day_count": loan["day_count"],
            "term_months": len(story["original_schedule"]["installments"]),
            "start_date": loan["start_date"],
        },
    )
    assert schedule.json() == story["original_schedule"]
