"""The collector's page and the API docs in a real browser (issue 17, acceptance 1 and 3).

One live uvicorn on a free loopback port (this worker's database) and Debian's Chromium,
scripts on and off, with every request to another host aborted and recorded. All browser
tests share one xdist group, so one worker runs them, one after another.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx
import pytest

from tests.database import new_key
from tests.live_server import live_server
from tests.ui.browser import ARGS, CHROMIUM, offline_context, require_chromium

pytestmark = pytest.mark.xdist_group("browser")
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "ui-case-study.png"
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
AGREEMENT_URL = re.compile(r".*/ui/agreements/[0-9a-f-]{36}$")


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def base_url(database):
    with live_server() as url:
        yield url


@pytest.fixture(scope="module")
def api_key(database) -> str:
    return new_key(database, f"t-browser-{uuid.uuid4().hex[:8]}")


def _figure(page, path: str) -> str:
    return page.locator(f'[data-field="{path}"]').inner_text().strip()


def _listed(base_url: str, key: str, borrower_ref: str) -> list[dict]:
    answer = httpx.get(f"{base_url}/v1/agreements", params={"borrower_ref": borrower_ref},
                       headers={"Authorization": f"Bearer {key}"})  # fmt: skip
    assert answer.status_code == 200
    return answer.json()["items"]


def _enter_the_case_study(page, base_url: str) -> None:
    page.goto(f"{base_url}/ui")
    page.click("#start-case-study")
    page.wait_for_selector('#loan-form input[name="principal"][value="12000.00"]')
    page.click("#show-options")
    page.wait_for_selector("#position")
    assert _figure(page, "position.summary.days_past_due") == "36"
    assert _figure(page, "position.summary.bucket") == "M2"
    assert _figure(page, "position.summary.total_overdue") == "5093.17"
    card = page.locator("#option-reinstallment-6")
    assert "recommended" in (card.get_attribute("class") or "").split()
    assert card.locator("[data-recommended]").inner_text() == "推荐 / recommended"
    assert card.locator('[data-field$=".first_payment"]').inner_text() == "880.81"
    assert card.locator('input[name="option_id"]').is_checked()
    assert _figure(page, "options.recommended") == "reinstallment-6"


def _fill_agreement(page, key: str, borrower_ref: str) -> None:
    page.fill('input[name="borrower_ref"]', borrower_ref)
    page.fill('input[name="loan_ref"]', "L-browser")
    if page.locator('input[name="api_key"]').count():
        page.fill('input[name="api_key"]', key)


@pytest.mark.parametrize("javascript", [True, False], ids=["scripts-on", "scripts-off"])
def test_an_agent_restructures_the_case_study(browser, base_url, api_key, javascript):
    """Open /ui, enter the case study, see its position and reinstallment-6 recommended,
    create the agreement, open its document, find it in the list; nothing from another host."""
    borrower_ref = f"B-flow-{uuid.uuid4().hex[:8]}"
    with offline_context(browser, javascript=javascript) as (context, offline):
        page = context.new_page()
        swapped = []  # requests htmx made (scripts on): the page swapped in place
        page.on("request", lambda r: swapped.append(r.url) if r.headers.get("hx-request") else 0)
        _enter_the_case_study(page, base_url)
        _fill_agreement(page, api_key, borrower_ref)
        page.click("#create-agreement")
        page.wait_for_url(AGREEMENT_URL)
        agreement_id = page.get_attribute("#agreement", "data-agreement-id")
        assert _figure(page, "option_id") == "reinstallment-6"
        assert _figure(page, "installments.0.payment") == "880.81"
        assert _figure(page, "borrower_ref") == borrower_ref

        page.click("#open-document")
        page.wait_for_url(f"**/ui/agreements/{agreement_id}/document")
        assert agreement_id in page.content()
        document = page.inner_text("body")
        assert "协商还款协议" in document  # the API's document, not a summary of the page's own
        assert "880.81" in document
        assert "5284.86" in document  # the plan's total payable

        page.goto(f"{base_url}/ui/agreements")
        row = page.locator(f'tr[data-agreement-id="{agreement_id}"]')
        assert row.count() == 1
        assert borrower_ref in row.inner_text()
        assert bool(swapped) == javascript
        assert offline.blocked == []
        assert offline.csp_violations == []
    assert [a["id"] for a in _listed(base_url, api_key, borrower_ref)] == [agreement_id]


_POST_TWICE = """async () => {
    const form = document.getElementById("agreement-form");
    const body = new URLSearchParams(new FormData(form));
    const post = () => fetch(form.action, {method: "POST", body, redirect: "manual"});
    const answers = await Promise.all([post(), post()]);
    return answers.map((a) => a.type);
}"""


def test_a_double_submit_makes_one_agreement(browser, base_url, api_key):
    """The rendered agreement form sent twice at once by the page (its cookie, its CSRF token,
    its Idempotency-Key) makes one agreement; so does a double click with scripts off."""
    borrower_ref = f"B-dbl-{uuid.uuid4().hex[:8]}"
    with offline_context(browser) as (context, _):
        page = context.new_page()
        _enter_the_case_study(page, base_url)
        _fill_agreement(page, api_key, borrower_ref)
        assert page.evaluate(_POST_TWICE) == ["opaqueredirect", "opaqueredirect"]  # two 303s
    assert len(_listed(base_url, api_key, borrower_ref)) == 1

    borrower_ref = f"B-dblclick-{uuid.uuid4().hex[:8]}"
    with offline_context(browser, javascript=False) as (context, _):
        page = context.new_page()
        _enter_the_case_study(page, base_url)
        _fill_agreement(page, api_key, borrower_ref)
        page.dblclick("#create-agreement")
        page.wait_for_url(AGREEMENT_URL)
    assert len(_listed(base_url, api_key, borrower_ref)) == 1


def test_the_case_study_page_at_1280_px_and_on_a_phone(browser, base_url):
    """Screenshot for the README (docs/ui-case-study.png); on a 390 px phone the page does not
    scroll sideways (wide tables scroll inside their own box)."""
    with offline_context(browser, viewport={"width": 1280, "height": 1700}) as (context, offline):
        page = context.new_page()
        page.goto(f"{base_url}/ui/case-study")
        page.wait_for_selector("#option-reinstallment-6")
        page.screenshot(path=str(SCREENSHOT))
        assert offline.blocked == []
        assert offline.csp_violations == []
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
    with offline_context(browser, **phone) as (context, offline):
        page = context.new_page()
        page.goto(f"{base_url}/ui/case-study")
        page.wait_for_selector("#option-reinstallment-6")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        assert page.locator("#option-reinstallment-6").bounding_box()["width"] <= 390
        assert offline.blocked == []
    assert SCREENSHOT.stat().st_size > 20_000


def _operations(base_url: str) -> int:
    paths = httpx.get(f"{base_url}/openapi.json").json()["paths"]
    methods = {"get", "post", "put", "patch", "delete"}
    return sum(1 for item in paths.values() for method in item if method in methods)


def test_the_api_docs_render_with_no_network(browser, base_url):
    """/docs (Swagger UI) lists every operation and /redoc renders them, from the service's
    own files, with every other host cut off and none asked."""
    expected = _operations(base_url)
    with offline_context(browser) as (context, offline):
        page = context.new_page()
        page.goto(f"{base_url}/docs")
        page.wait_for_selector(".opblock-summary", timeout=20_000)
        assert page.locator(".opblock").count() == expected
        assert page.locator(".opblock-summary-path").first.inner_text().startswith("/")
        assert offline.csp_violations == []

        page.goto(f"{base_url}/redoc")
        page.wait_for_selector('[data-section-id^="operation/"]', timeout=20_000)
        assert page.locator('[data-section-id^="operation/"]').count() == expected
        assert offline.blocked == []
        # ReDoc's bundle hard-codes its attribution logo on a CDN: the page's CSP (img-src
        # 'self' data:) refuses it before any request is made; nothing else is refused
        assert all(REDOC_LOGO in m for m in offline.csp_violations), offline.csp_violations
