"""GET /v1/agreements/{id}/document (SPEC §13): what the case-study document says, in both forms.

The figures, worked out by hand from the case study (SPEC §10: 12,000.00 at 0.05 % a day on a
360-day year, so 1.5 % a month; five payments of 2,509.07 from 2026-02-15; the first three paid):
- principal after three payments: 12000.00 − 2329.07 (2509.07 − 180.00) − 2364.01 (2509.07 −
  145.06, 9670.93 × 0.015 = 145.06395) − 2399.47 (2509.07 − 109.60, 7306.92 × 0.015 = 109.6038)
  = 4907.45, all overdue on 2026-06-20 (installments 4 and 5 fell due May 15 and Jun 15);
- overdue interest: 4907.45 × 0.015 = 73.61 (installment 4, principal 2435.46) plus
  (4907.45 − 2435.46) × 0.015 = 2471.99 × 0.015 = 37.08 (installment 5): 110.69;
- penalty at 1.5 × 0.0005 = 0.00075 a day on overdue principal: 2435.46 × 0.00075 × 36 days
  (May 15 → Jun 20) = 65.76, 2471.99 × 0.00075 × 5 days = 9.27: 75.03;
- the debt 4907.45 + 110.69 + 75.03 = 5093.17, the penalty waived by default (75.03), so 5018.14
  is restructured into six payments of 880.81 (6 × 880.81 = 5284.86), due 2026-07-20 … 12-20,
  at 18 % a year: its IRR is 1.5 % a month, 12 × 1.5 % = 0.180000.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from io import BytesIO

import pytest
from pypdf import PdfReader

from tests.agreement_flow import PLAN_DUE_DATES, activate, create, create_body, pay
from tests.documents.pdf_tools import embedded_font_files, pdf_text, require_pdf_toolchain

# 《商业银行信用卡业务监督管理办法》 Art. 70: the items, each heading Chinese + English term
ART_70_HEADINGS = [
    ("协议双方", "Parties"),
    ("债务金额及构成", "Outstanding debt and its structure"),
    ("减免", "Waivers"),
    ("还款计划", "Repayment plan"),
    ("计划期内计息、计费及罚息", "Interest, fees and penalty during the plan"),
    ("年化利率", "Annualized interest rate (IRR method)"),
    ("违约条款", "Default clause"),
    ("双方权利义务", "Rights and obligations of the parties"),
    ("其他事项", "Other matters"),
    ("借款人确认", "Borrower's consent"),
    ("协议信息", "Agreement particulars"),
]
DEBT = {
    "逾期本金": "4907.45",
    "逾期利息": "110.69",
    "罚息": "75.03",
    "减免罚息": "75.03",
    "减免后纳入本协议的债务": "5018.14",
}


def _canonical_sha256(agreement: dict) -> str:
    """SHA-256 of the canonical JSON as docs/decisions.md defines it, from the GET body."""
    body = {key: value for key, value in agreement.items() if key != "standing"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _document(client, auth, agreement_id: str, **params) -> bytes:
    response = client.get(f"/v1/agreements/{agreement_id}/document", params=params, headers=auth)
    assert response.status_code == 200, response.text
    return response.content


@pytest.fixture
def active(db_client, auth) -> dict:
    agreement = activate(db_client, auth)
    return db_client.get(f"/v1/agreements/{agreement['id']}", headers=auth).json()


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_the_pdf_states_every_art_70_item_with_the_case_study_figures(db_client, auth, active):
    require_pdf_toolchain()
    text = _squash(pdf_text(_document(db_client, auth, active["id"], format="pdf")))
    for chinese, english in ART_70_HEADINGS:
        assert f"{chinese} {english}" in text, chinese
    assert "apr 0.180000" in text
    assert text.count("880.81") == 6  # one per row of the plan
    for due_date in PLAN_DUE_DATES:
        assert re.search(rf"\b\d {due_date} 8\d\d\.\d\d 1?\d\d\.\d\d 0\.00 880\.81\b", text)
    assert "5284.86" in text
    for label, amount in DEBT.items():
        assert re.search(rf"{label} [A-Za-z ()-]+ {re.escape(amount)}\b", text), label
    assert "CNY" in text
    assert "2026-06-20" in text
    assert "30 日" in text  # breach_after_days, default 30
    for field in ("id", "loan_ref", "borrower_ref"):
        assert active[field] in text
    assert "active" in text
    assert f"版本 Version {active['version']}" in text
    assert _canonical_sha256(active) in text
    assert active["acceptance"]["accepted_at"] in text
    assert "app" in text


def test_the_html_and_the_pdf_carry_the_same_figures(db_client, auth, active):
    require_pdf_toolchain()
    html = _document(db_client, auth, active["id"]).decode("utf-8")
    body = re.sub(r"<[^>]+>", " ", html[html.index("<body>") :])
    pdf = pdf_text(_document(db_client, auth, active["id"], format="pdf"))

    def figures(text: str) -> list[str]:
        return sorted(re.findall(r"\b\d{4}-\d{2}-\d{2}(?:T[0-9:.]+Z)?|\b\d+\.\d+\b", text))

    assert figures(body) == figures(pdf)
    assert "880.81" in figures(body)
    assert "0.180000" in figures(body)


def test_content_negotiation_html_by_default_pdf_by_accept_or_format(db_client, auth, active):
    require_pdf_toolchain()
    url = f"/v1/agreements/{active['id']}/document"
    html = db_client.get(url, headers=auth)
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    assert html.text.startswith("<!DOCTYPE html>")
    by_accept = db_client.get(url, headers={**auth, "Accept": "application/pdf"})
    assert by_accept.headers["content-type"] == "application/pdf"
    assert by_accept.content.startswith(b"%PDF-")
    forced_html = db_client.get(f"{url}?format=html", headers={**auth, "Accept": "application/pdf"})
    assert forced_html.headers["content-type"].startswith("text/html")
    assert db_client.get(f"{url}?format=docx", headers=auth).status_code == 422


def test_two_renders_are_byte_identical_and_a_new_version_is_not(db_client, auth, active):
    require_pdf_toolchain()
    first = _document(db_client, auth, active["id"], format="pdf")
    assert _document(db_client, auth, active["id"], format="pdf") == first
    assert pay(db_client, auth, active["id"], "p-1", "2026-07-20", "880.81").status_code == 200
    after_payment = _document(db_client, auth, active["id"], format="pdf")
    assert after_payment != first
    assert _document(db_client, auth, active["id"], format="pdf") == after_payment


def test_every_font_is_embedded_and_the_pdf_is_pdf_a_3b_with_the_canonical_json(
    db_client, auth, active
):
    require_pdf_toolchain()
    pdf = _document(db_client, auth, active["id"], format="pdf")
    fonts = embedded_font_files(pdf)
    assert fonts
    assert all(fonts.values()), fonts
    assert all("Noto-Sans-CJK-SC" in name for name in fonts)
    reader = PdfReader(BytesIO(pdf))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"pdfaid:part(>|=\")3", xmp)
    assert re.search(r"pdfaid:conformance(>|=\")B", xmp)
    attached = reader.attachments["agreement.json"][0]
    assert hashlib.sha256(attached).hexdigest() == _canonical_sha256(active)
    assert json.loads(attached)["id"] == active["id"]
    # no clock in the file: its dates are the agreement's
    created = datetime.fromisoformat(active["created_at"]).strftime("%Y%m%d%H%M%S")
    assert reader.metadata["/CreationDate"].startswith(f"D:{created}")
    updated = datetime.fromisoformat(active["updated_at"]).strftime("%Y%m%d%H%M%S")
    assert reader.metadata["/ModDate"].startswith(f"D:{updated}")
    assert len(pdf) <= 400 * 1024


def test_a_proposed_agreement_awaits_consent(db_client, auth):
    agreement = create(db_client, auth)
    html = _document(db_client, auth, agreement["id"]).decode("utf-8")
    assert "本协议尚待乙方确认" in html
    assert "status proposed" in html
    assert "Accepted at" not in html


@pytest.mark.parametrize(
    ("accept", "pdf"),
    [
        (None, False),
        ("*/*", False),
        ("application/pdf", True),
        ("Application/PDF", True),
        ("application/*", True),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", False),
        ("text/html;q=0.5, application/pdf", True),
        ("application/pdf;q=0.4, text/*;q=0.6", False),
        ("application/pdf;q=0, */*", False),
        ("application/pdf;q=abc, text/html;q=0.1", False),
    ],
)
def test_the_accept_header_chooses_by_quality(accept, pdf):
    from app.api.routes.documents import _wants_pdf

    assert _wants_pdf(None, accept) is pdf


def test_restructured_on_a_due_date_the_debt_shows_what_falls_due_that_day(db_client, auth):
    """Restructured on 2026-05-15, the day installment 4 falls due (figures of the module
    docstring): nothing is overdue yet; due that day 2435.46 + 73.61 = 2509.07; not yet due,
    installment 5's principal 4907.45 − 2435.46 = 2471.99; accrued interest 0 (the last due
    date is that very day); the payoff amount 2509.07 + 2471.99 = 4981.06."""
    options = create_body()["options_request"]
    agreement = create(db_client, auth, options_request={**options, "as_of": "2026-05-15"})
    html = _document(db_client, auth, agreement["id"]).decode("utf-8")
    text = _squash(re.sub(r"<[^>]+>", " ", html[html.index("<body>") :]))
    expected = {
        "逾期本金": "0.00",
        "逾期利息": "0.00",
        "罚息": "0.00",
        "未到期本金": "2471.99",
        "应计利息": "0.00",
        "当日到期本息及费用": "2509.07",
        "合计（提前结清金额）": "4981.06",
    }
    for label, amount in expected.items():
        assert re.search(rf"{label} [A-Za-z (),-]+ {re.escape(amount)}\b", text), label
