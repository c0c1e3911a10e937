"""The collector's page in process: forms, CSRF, the API key's session, idempotent creation,
headers and escaping (SPEC §14). The browser tests drive the same pages in Chromium."""

from __future__ import annotations

import re
import threading

from app.ui.forms import CASE_STUDY_FORM
from app.ui.pages import local_path
from tests.database import new_key
from tests.ui.conftest import form_inputs
from tests.ui.page_figures import figures, parse, resolve, shows


def _case_study_page(client) -> str:
    fields = {**CASE_STUDY_FORM, "csrf_token": form_inputs(client)["csrf_token"]}
    page = client.post("/ui/options", data=fields)
    assert page.status_code == 200, page.text
    return page.text


def _agreement_form(client, borrower_ref: str, **extra: str) -> dict[str, str]:
    """The agreement form as the case-study page renders it, filled in and reinstallment-6
    (the recommended option, checked on the page) chosen."""
    page = _case_study_page(client)
    assert re.search(r'value="reinstallment-6" checked', page)
    fields = parse(page).inputs
    return {**fields, "option_id": "reinstallment-6", "borrower_ref": borrower_ref,
            "loan_ref": "L-ui-1", **extra}  # fmt: skip


def _listed(client, auth, borrower_ref: str) -> list[dict]:
    listed = client.get(f"/v1/agreements?borrower_ref={borrower_ref}", headers=auth)
    assert listed.status_code == 200
    return listed.json()["items"]


def test_case_study_page_shows_the_position_and_recommends_reinstallment_6(ui_client):
    """The README's figures: 36 days past due, M2, 5,093.17 overdue; 6 × 880.81."""
    page = ui_client.get("/ui/case-study")
    assert page.status_code == 200
    shown = figures(page.text)
    assert shown["position.summary.days_past_due"][0] == "36"
    assert shown["position.summary.bucket"][0] == "M2"
    assert shown["position.summary.total_overdue"][0] == "5093.17"
    assert shown["options.recommended"][0] == "reinstallment-6"
    six = next(
        p for p, (text, _) in shown.items() if p.endswith(".id") and text == "reinstallment-6"
    )
    assert shown[six.replace(".id", ".first_payment")][0] == "880.81"
    card = page.text.split('id="option-reinstallment-6"')[1].split("</article>")[0]
    assert "推荐 / recommended" in card
    assert page.text.count("推荐 / recommended") == 1


def test_a_new_form_is_empty_and_the_case_study_link_fills_it(ui_client):
    empty = parse(ui_client.get("/ui").text).inputs
    assert empty["principal"] == ""
    assert "position.summary.bucket" not in ui_client.get("/ui").text
    filled = parse(ui_client.get("/ui?start=case-study").text).inputs
    assert filled["principal"] == "12000.00"
    assert filled["as_of"] == "2026-06-20"


def test_forms_without_the_session_s_csrf_token_are_refused(ui_client, database, make_tenant):
    form_inputs(ui_client)  # a session exists; the token is missing or another one
    for token in (None, "forged"):
        fields = {**CASE_STUDY_FORM, "option_id": "reinstallment-6", "borrower_ref": "B-csrf",
                  "loan_ref": "L", "api_key": new_key(database, "t-csrf")}  # fmt: skip
        if token:
            fields["csrf_token"] = token
        for path in ("/ui/options", "/ui/agreements", "/ui/key"):
            assert ui_client.post(path, data=fields).status_code == 403
    # a client without the session cookie (another site's page) is refused too
    other = type(ui_client)(ui_client.app, follow_redirects=False)
    assert other.post("/ui/options", data={**CASE_STUDY_FORM, "csrf_token": "x"}).status_code == 403
    assert _listed(ui_client, {"Authorization": f"Bearer {fields['api_key']}"}, "B-csrf") == []


def test_the_key_is_asked_once_kept_server_side_and_never_shown(ui_client, database):
    key = new_key(database, "t-ui-key")
    auth = {"Authorization": f"Bearer {key}"}
    session_cookie = ui_client.get("/ui").headers["set-cookie"]
    assert "HttpOnly" in session_cookie
    assert "SameSite=strict" in session_cookie
    assert "Path=/ui" in session_cookie
    assert key.split(".")[1] not in session_cookie

    without_key = _agreement_form(ui_client, "B-key-1")
    assert "api_key" in without_key  # asked on the form while the session has none
    refused = ui_client.post("/ui/agreements", data={**without_key, "api_key": "k_0.bad"})
    assert refused.status_code == 401
    assert 'name="api_key"' in refused.text
    created = ui_client.post("/ui/agreements", data={**without_key, "api_key": key})
    assert created.status_code == 303
    page = ui_client.get(created.headers["location"])
    assert page.status_code == 200
    assert key.split(".")[1] not in page.text
    assert "api_key" not in _agreement_form(ui_client, "B-key-2")  # kept for the session
    assert len(_listed(ui_client, auth, "B-key-1")) == 1

    forget = ui_client.post(
        "/ui/key/forget", data={"csrf_token": form_inputs(ui_client)["csrf_token"]}
    )
    assert forget.status_code == 303
    assert ui_client.get("/ui/agreements").status_code == 401  # the key form again


def test_a_double_submit_creates_one_agreement(ui_client, database):
    """The same rendered form posted twice, one after the other and at once: one agreement."""
    key = new_key(database, "t-ui-double")
    fields = _agreement_form(ui_client, "B-double", api_key=key)
    first = ui_client.post("/ui/agreements", data=fields)
    again = ui_client.post("/ui/agreements", data=fields)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]

    fields = _agreement_form(ui_client, "B-double-race")
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(
        ui_client.post("/ui/agreements", data=fields))) for _ in range(2)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {a.status_code for a in answers} == {303}
    assert len({a.headers["location"] for a in answers}) == 1
    auth = {"Authorization": f"Bearer {key}"}
    assert len(_listed(ui_client, auth, "B-double")) == 1
    assert len(_listed(ui_client, auth, "B-double-race")) == 1


def test_the_agreement_page_shows_the_api_s_figures_and_the_list_its_standing(ui_client, database):
    key = new_key(database, "t-ui-pages")
    created = ui_client.post(
        "/ui/agreements", data=_agreement_form(ui_client, "B-pages", api_key=key)
    )
    agreement_id = created.headers["location"].rsplit("/", 1)[1]
    api = ui_client.get(
        f"/v1/agreements/{agreement_id}", headers={"Authorization": f"Bearer {key}"}
    )
    shown = figures(ui_client.get(created.headers["location"]).text)

    assert shown
    assert all(shows(s, resolve(api.json(), p)) for p, s in shown.items())
    assert shown["installments.0.payment"][0] == "880.81"
    listed = ui_client.get("/ui/agreements")
    assert listed.status_code == 200
    assert f'data-agreement-id="{agreement_id}"' in listed.text
    document = ui_client.get(f"/ui/agreements/{agreement_id}/document")
    assert document.status_code == 200
    assert agreement_id in document.text
    assert "Content-Security-Policy" in document.headers


def test_another_tenant_s_agreement_is_not_found(ui_client, database):
    mine = new_key(database, "t-ui-mine")
    created = ui_client.post(
        "/ui/agreements", data=_agreement_form(ui_client, "B-mine", api_key=mine)
    )
    other = type(ui_client)(ui_client.app, follow_redirects=False)
    other.post("/ui/key", data={"csrf_token": form_inputs(other)["csrf_token"],
                                "api_key": new_key(database, "t-ui-other")})  # fmt: skip
    assert other.get(created.headers["location"]).status_code == 404


def test_bad_input_is_shown_on_the_form_never_a_5xx(ui_client):
    token = form_inputs(ui_client)["csrf_token"]
    for change in ({"principal": "12,000"}, {"term_months": "five"}, {"as_of": "2026-13-01"},
                   {"payments": "2026-02-15 lots"}, {"rate_kind": "monthly"}, {"principal": "0"},
                   {"payments": "2025-01-01 1.00"}):  # fmt: skip
        page = ui_client.post(
            "/ui/options", data={**CASE_STUDY_FORM, **change, "csrf_token": token}
        )
        assert page.status_code == 422, change
        assert "请检查 / Please check" in page.text


def test_what_the_agent_types_is_escaped(ui_client):
    token = form_inputs(ui_client)["csrf_token"]
    payments = "2026-02-15 2509.07 <script>alert(1)</script>"
    page = ui_client.post("/ui/options", data={**CASE_STUDY_FORM, "payments": payments,
                                               "csrf_token": token})  # fmt: skip
    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;alert(1)" in page.text


def test_pages_carry_a_csp_without_inline_scripts_or_styles_and_load_only_local_files(ui_client):
    for path in ("/ui", "/ui/case-study", "/ui/agreements", "/docs", "/redoc"):
        response = ui_client.get(path)
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp, path
        assert "script-src 'self';" in csp, path
        assert "unsafe-inline" not in csp.split("style-src")[0], path  # never for scripts
        page = parse(response.text)
        assert all(s.get("src") for s in page.scripts), f"{path}: an inline script"
        assert all(not re.match(r"^(https?:)?//", url) for url in page.urls), path
        if path.startswith("/ui"):
            assert "unsafe-inline" not in csp, path
            assert page.inline_styles == 0, path


def test_ui_routes_stay_out_of_the_public_openapi(ui_client):
    paths = ui_client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith(("/ui", "/docs", "/redoc"))]


def test_after_the_key_form_only_a_path_of_the_page_is_followed():
    assert local_path("/ui/agreements/x") == "/ui/agreements/x"
    for url in ("https://evil.example/ui", "//evil.example/ui", "/ui\\@evil", "/v1/x", "", None):
        assert local_path(url) == "/ui"


def test_when_calculations_need_a_key_the_page_s_do_too(database, monkeypatch):
    """SPEC §8: REQUIRE_API_KEY_FOR_CALCULATIONS guards the page's calculations as well."""
    from fastapi.testclient import TestClient

    from app.settings import get_settings
    from tests.database import make_app

    monkeypatch.setenv("REQUIRE_API_KEY_FOR_CALCULATIONS", "true")
    get_settings.cache_clear()
    try:
        guarded = TestClient(make_app(database), follow_redirects=False)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert guarded.get("/ui/case-study").status_code == 401
    token = form_inputs(guarded)["csrf_token"]
    refused = guarded.post("/ui/options", data={**CASE_STUDY_FORM, "csrf_token": token})
    assert refused.status_code == 401
    assert 'name="api_key"' in refused.text
    assert "position.summary" not in refused.text
    key = new_key(database, "t-ui-guarded")
    assert guarded.post("/ui/key", data={"csrf_token": token, "api_key": key}).status_code == 303
    assert figures(guarded.get("/ui/case-study").text)["options.recommended"][0] == (
        "reinstallment-6"
    )
