"""POST /v1/agreements/{id}/document (SPEC §13): party details are printed and kept nowhere;
the document follows the agreement's key and tenant rules; no font, no PDF (503)."""

from __future__ import annotations

import io
import json
import logging
import sys
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import MetaData, select

from app.api.json_logging import JsonFormatter
from app.documents import RendererUnavailable, fonts, render
from tests.agreement_flow import activate, create
from tests.documents.pdf_tools import pdf_text, require_pdf_toolchain

PROBLEM = "application/problem+json"


@pytest.fixture
def parties() -> dict:
    tag = uuid.uuid4().hex[:8]
    return {
        "lender": {"name": f"示例消费金融{tag}有限公司", "address": f"北京市西城区金融大街{tag}号"},
        "borrower": {"name": f"王小明{tag}", "id_number": f"{int(tag, 16) % 10**8:08d}1990010112X"},
    }


def _secrets(parties: dict) -> list[str]:
    return [value for party in parties.values() for value in party.values()]


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Every log record of the process, at every level, as the service's JSON lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.setLevel(logging.DEBUG)
    loggers = [logging.getLogger(name) for name in ("", "app", "uvicorn", "uvicorn.error")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield stream
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def _database_dump(database) -> str:
    """Every row of every table, as text."""
    metadata = MetaData()
    metadata.reflect(database.engine)
    with database.engine.connect() as connection:
        rows = [
            repr(tuple(row))
            for table in metadata.sorted_tables
            for row in connection.execute(select(table))
        ]
    return "\n".join(rows)


def test_party_details_are_printed_and_stored_or_logged_nowhere(
    db_client, auth, database, parties, log_lines, caplog
):
    require_pdf_toolchain()
    caplog.set_level(logging.DEBUG)
    agreement = activate(db_client, auth)
    url = f"/v1/agreements/{agreement['id']}/document"
    events_before = db_client.get(f"/v1/agreements/{agreement['id']}/events", headers=auth).json()
    html = db_client.post(url, json=parties, headers=auth)
    assert html.status_code == 200
    assert html.headers["cache-control"] == "no-store"
    pdf = db_client.post(f"{url}?format=pdf", json=parties, headers=auth)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert db_client.post(f"{url}?format=pdf", json=parties, headers=auth).content == pdf.content
    text = pdf_text(pdf.content)
    for secret in _secrets(parties):
        assert secret in html.text
        assert secret in text.replace(" ", "")
    assert "________" not in html.text  # no blank left where a detail was given

    events = db_client.get(f"/v1/agreements/{agreement['id']}/events", headers=auth).text
    assert json.loads(events) == events_before
    after = db_client.get(f"/v1/agreements/{agreement['id']}", headers=auth).json()
    assert after["version"] == agreement["version"]  # rendering wrote nothing
    dump = _database_dump(database)
    logs = log_lines.getvalue() + "\n".join(
        f"{r.getMessage()} {r.__dict__}" for r in caplog.records
    )
    assert "/document" in logs  # the log did see the requests
    for secret in _secrets(parties):
        assert secret not in dump
        assert secret not in events
        assert secret not in logs


def test_without_details_the_document_leaves_blanks_and_get_ignores_a_body(db_client, auth):
    agreement = create(db_client, auth)
    html = db_client.get(f"/v1/agreements/{agreement['id']}/document", headers=auth).text
    assert html.count("________________________") == 4


@pytest.mark.parametrize(
    "body",
    [
        {"borrower": {"name": "张三", "phone": "13800000000"}},
        {"lender": {"name": "x" * 101}},
        {"lender": {"address": "y" * 201}},
        {"borrower": {"name": "张\n三"}},
        {"borrower": {"name": "   "}},
        {"borrower": {"id_number": "1101 0119"}},
        {"borrower": {"id_number": "1" * 33}},
        {"borrower": {"name": 42}},
        {"extra": {}},
    ],
)
def test_party_details_are_validated_and_not_echoed(db_client, auth, body, log_lines):
    agreement = create(db_client, auth)
    response = db_client.post(f"/v1/agreements/{agreement['id']}/document", json=body, headers=auth)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert "13800000000" not in response.text + log_lines.getvalue()
    assert "张" not in response.text


def test_html_escapes_what_is_typed_in(db_client, auth):
    agreement = create(db_client, auth)
    body = {"borrower": {"name": "<script>alert(1)</script>"}}
    html = db_client.post(f"/v1/agreements/{agreement['id']}/document", json=body, headers=auth)
    assert html.status_code == 200
    assert "<script>" not in html.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html.text


def test_no_key_is_401_and_another_tenant_is_404(db_client, auth, make_tenant):
    agreement = create(db_client, auth)
    url = f"/v1/agreements/{agreement['id']}/document"
    other = make_tenant()
    for method, body in (("GET", None), ("POST", {})):
        for query in ("", "?format=pdf"):
            no_key = db_client.request(method, url + query, json=body)
            assert no_key.status_code == 401
            assert no_key.headers["www-authenticate"] == "Bearer"
            assert no_key.headers["content-type"] == PROBLEM
            foreign = db_client.request(method, url + query, json=body, headers=other)
            assert foreign.status_code == 404
            assert foreign.headers["content-type"] == PROBLEM
    unknown = db_client.get(f"/v1/agreements/{uuid.uuid4()}/document", headers=auth)
    assert unknown.status_code == 404
    broken = {"content-type": "application/json"}
    assert db_client.post(url, content=b"{", headers=broken).status_code == 401
    assert db_client.post(url, content=b"{", headers={**broken, **auth}).status_code == 400


def test_a_missing_cjk_font_is_a_503_naming_the_package(db_client, auth, monkeypatch, tmp_path):
    agreement = create(db_client, auth)
    url = f"/v1/agreements/{agreement['id']}/document"
    monkeypatch.setattr(fonts, "CJK_FONT_FILES", (tmp_path / "NotoSansCJK-Regular.ttc",))
    for response in (
        db_client.get(f"{url}?format=pdf", headers=auth),
        db_client.post(url, json={}, headers={**auth, "Accept": "application/pdf"}),
    ):
        assert response.status_code == 503
        assert response.headers["content-type"] == PROBLEM
        assert "fonts-noto-cjk" in response.json()["detail"]
    assert db_client.get(url, headers=auth).status_code == 200  # the HTML needs no font file


def test_missing_weasyprint_libraries_are_a_503_naming_them(db_client, auth, monkeypatch):
    agreement = create(db_client, auth)
    render._weasyprint.cache_clear()
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as without Pango
    try:
        response = db_client.get(
            f"/v1/agreements/{agreement['id']}/document?format=pdf", headers=auth
        )
    finally:
        render._weasyprint.cache_clear()
    assert response.status_code == 503
    assert "libpango" in response.json()["detail"]


def test_a_pdf_that_fell_back_to_another_font_is_refused():
    """The second guard: fontconfig without the CJK family would substitute another font
    (and lose the Chinese glyphs); a PDF embedding any font but Noto Sans CJK SC is refused."""
    require_pdf_toolchain()
    html_class, _, font_config = render._weasyprint()
    fallback = html_class(string='<p style="font-family: DejaVu Sans">协议</p>').write_pdf(
        font_config=font_config
    )
    with pytest.raises(RendererUnavailable) as refused:
        fonts.check_only_cjk_fonts(fallback)
    assert refused.value.package == "fonts-noto-cjk"
    cjk = html_class(string='<p style="font-family: Noto Sans CJK SC">协议</p>').write_pdf(
        font_config=font_config
    )
    fonts.check_only_cjk_fonts(cjk)  # passes


def test_the_pdf_is_rendered_after_the_database_session_is_released(
    db_client, auth, database, monkeypatch
):
    """A render costs a few hundred ms of CPU; it must not hold one of the pool's connections
    (and session slots) that agreement writes need."""
    from app.api.routes import documents as route

    agreement = create(db_client, auth)
    checked_out = []

    def render_and_look(document):
        checked_out.append(database.engine.pool.checkedout())
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr(route, "render_pdf", render_and_look)
    response = db_client.get(f"/v1/agreements/{agreement['id']}/document?format=pdf", headers=auth)
    assert response.status_code == 200
    assert response.content == b"%PDF-1.7 stand-in"
    assert checked_out == [0]
