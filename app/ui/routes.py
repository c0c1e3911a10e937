"""The collector's page (SPEC §14): /ui, kept out of the public OpenAPI document.

Every form is a POST with the session's CSRF token, and works without scripts; htmx (when
scripts run) only swaps pages in place. Figures come from app/ui/backend.py as the API's own
JSON documents, and the templates print those strings as they are.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from app.api.deps import Clock, ClockDep, DatabaseDep, SettingsDep
from app.api.schemas.agreements import AgreementCreateRequest
from app.api.schemas.restructuring import OptionsRequest
from app.services.api_keys import Principal
from app.ui import backend
from app.ui.forms import CASE_STUDY_FORM, LOAN_FIELDS, METHODS, options_request
from app.ui.pages import DOCUMENT_HEADERS, form_fields, local_path, redirect, render
from app.ui.refusals import REFUSED, PageError, in_transaction, refusal
from app.ui.sessions import UiSession, csrf_matches, current_session, session_for_form

router = APIRouter(prefix="/ui", include_in_schema=False)
FormDep = Annotated[dict[str, str], Depends(form_fields)]
T = TypeVar("T")


def _calculate(form: dict[str, str]) -> tuple[dict[str, Any], backend.Calculation]:
    request = options_request(form)
    try:
        return request, backend.calculate(OptionsRequest.model_validate(request))
    except REFUSED as exc:
        raise refusal(exc) from None


def _loan_page(
    request: Request,
    session: UiSession,
    form: dict[str, str],
    status_code: int = 200,
    agreement_errors: list[str] | None = None,
    *,
    compute: bool = True,
) -> Response:
    """The loan form and, when it computes, the position and the options to choose from."""
    calculation, errors = None, None
    if compute:
        try:
            _, calculation = _calculate(form)
        except PageError as refused:
            status_code, errors = refused.status, refused.messages
    filled = {name: form.get(name, default) for name, default in LOAN_FIELDS.items()}
    return render(
        request,
        "loan.html",
        session,
        status_code,
        form=filled,
        methods=METHODS,
        errors=errors or [],
        agreement_errors=agreement_errors or [],
        calc=calculation,
        # a new key per rendered agreement form: submitting it twice creates one agreement
        idempotency_key=f"ui-{secrets.token_urlsafe(18)}",
        agreement_form={k: form.get(k, "") for k in ("loan_ref", "borrower_ref")},
    )


@router.get("")
def loan_form(request: Request, start: str | None = None) -> Response:
    """An empty loan form, or the case study's terms filled in (computed on the button)."""
    form = CASE_STUDY_FORM if start == "case-study" else LOAN_FIELDS
    return _loan_page(request, session_for_form(request), dict(form), compute=False)


def _key_for_calculations(
    request: Request, session: UiSession, database: Any, next_path: str
) -> Response | None:
    """The key form when calculations need a key (SPEC §8) and the session has none that
    works; None when the page may compute."""
    if not getattr(request.app.state, "ui_calculations_need_key", False):
        return None
    try:
        in_transaction(database, lambda db: backend.principal_of(db, session.api_key))
    except PageError as refused:
        session.api_key = None
        return render(request, "key.html", session, refused.status, next=next_path,
                      errors=refused.messages)  # fmt: skip
    return None


@router.get("/case-study")
def case_study(request: Request, database: DatabaseDep) -> Response:
    """The case study's position and options on 2026-06-20, straight away (SPEC §14)."""
    session = session_for_form(request)
    refused = _key_for_calculations(request, session, database, "/ui/case-study")
    return refused or _loan_page(request, session, dict(CASE_STUDY_FORM))


@router.get("/options")
def options_bookmark() -> Response:
    """A reloaded result page (its POST is not repeated): back to the form."""
    return RedirectResponse("/ui", status_code=303)


def _form_session(request: Request, fields: dict[str, str]) -> UiSession | Response:
    """The posting form's session, or the refused page (403) when its CSRF token does not
    match the session's: every form POST starts here."""
    session = current_session(request)
    if not csrf_matches(session, fields.get("csrf_token")):
        expired = ["表单已过期，请重新打开页面 / The form expired: open the page again"]
        return _refused_page(request, PageError(403, expired))
    assert session is not None
    return session


@router.post("/options")
def show_options(request: Request, fields: FormDep, database: DatabaseDep) -> Response:
    session = _form_session(request, fields)
    if isinstance(session, Response):
        return session
    response = _key_for_calculations(request, session, database, "/ui")
    response = response or _loan_page(request, session, fields)
    # htmx keeps the form's URL: a reload must not land on this POST-only address
    response.headers["HX-Push-Url"] = "false"
    return response


def _principal(db: Session, session: UiSession, entered: str | None) -> Principal:
    """The session's key, or the key entered with this form (kept once it is accepted)."""
    key = session.api_key or (entered or "").strip() or None
    principal = backend.principal_of(db, key)
    session.api_key = key
    return principal


@router.post("/agreements")
def create_agreement(
    request: Request,
    fields: FormDep,
    database: DatabaseDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    """Create the chosen option's agreement, then show it (POST, redirect, GET)."""
    session = _form_session(request, fields)
    if isinstance(session, Response):
        return session

    def create(db: Session) -> dict[str, Any]:
        principal = _principal(db, session, fields.get("api_key"))
        body = AgreementCreateRequest.model_validate(
            {
                "loan_ref": fields.get("loan_ref", "").strip(),
                "borrower_ref": fields.get("borrower_ref", "").strip(),
                "options_request": options_request(fields),
                "option_id": fields.get("option_id", ""),
            }
        )
        return backend.create_agreement(
            db,
            principal=principal,
            body=body,
            idempotency_key=fields.get("idempotency_key", ""),
            clock=clock,
            settings=settings,
        )

    try:
        agreement = in_transaction(database, create)
    except PageError as refused:
        if refused.status == 401:
            session.api_key = None  # revoked meanwhile: the form asks for a key again
        return _loan_page(request, session, fields, refused.status,
                          agreement_errors=refused.messages)  # fmt: skip
    return redirect(request, f"/ui/agreements/{agreement['id']}", session)


def _with_key(
    request: Request, database: Any, show: Callable[[Session, Principal], Response]
) -> Response:
    """`show` for the session's key; the key form when there is none or it is refused."""
    session = session_for_form(request)
    if not session.api_key:
        return render(request, "key.html", session, 401, next=request.url.path, errors=[])

    def work(db: Session) -> Response:
        return show(db, backend.principal_of(db, session.api_key))

    try:
        return in_transaction(database, work)
    except PageError as refused:
        if refused.status == 401:
            session.api_key = None
            return render(request, "key.html", session, 401, next=request.url.path,
                          errors=refused.messages)  # fmt: skip
        return _refused_page(request, refused, session)


@router.get("/agreements")
def agreement_list(
    request: Request, database: DatabaseDep, clock: ClockDep, cursor: str | None = None
) -> Response:
    def show(db: Session, principal: Principal) -> Response:
        page = backend.list_agreements(db, principal=principal, clock=clock, cursor=cursor)
        return render(request, "agreements.html", current_session(request), page=page)

    return _with_key(request, database, show)


def _agreement_page(
    request: Request,
    database: Any,
    read: Callable[..., T],
    respond: Callable[[T], Response],
    agreement_id: str,
    clock: Clock,
) -> Response:
    """`respond` to what `read` makes of one of the key's agreements (a 404 for another's)."""

    def show(db: Session, principal: Principal) -> Response:
        return respond(read(db, principal=principal, agreement_id=agreement_id, clock=clock))

    return _with_key(request, database, show)


@router.get("/agreements/{agreement_id}")
def agreement_page(
    request: Request, agreement_id: str, database: DatabaseDep, clock: ClockDep
) -> Response:
    def page(agreement: dict[str, Any]) -> Response:
        return render(request, "agreement.html", current_session(request), agreement=agreement)

    return _agreement_page(request, database, backend.get_agreement, page, agreement_id, clock)


@router.get("/agreements/{agreement_id}/document")
def agreement_document(
    request: Request, agreement_id: str, database: DatabaseDep, clock: ClockDep
) -> Response:
    """The agreement document (SPEC §13), as GET /v1/agreements/{id}/document renders it."""

    def page(html: str) -> Response:
        return HTMLResponse(html, headers=DOCUMENT_HEADERS)

    read = backend.agreement_document_html
    return _agreement_page(request, database, read, page, agreement_id, clock)


@router.post("/key")
def enter_key(request: Request, fields: FormDep, database: DatabaseDep) -> Response:
    """Keep the API key for this browser session (server-side), once it is accepted."""
    session = _form_session(request, fields)
    if isinstance(session, Response):
        return session
    next_path = local_path(fields.get("next"))
    try:
        in_transaction(database, lambda db: _principal(db, session, fields.get("api_key")))
    except PageError as refused:
        session.api_key = None
        return render(request, "key.html", session, refused.status, next=next_path,
                      errors=refused.messages)  # fmt: skip
    return redirect(request, next_path, session)


@router.post("/key/forget")
def forget_key(request: Request, fields: FormDep) -> Response:
    session = _form_session(request, fields)
    if isinstance(session, Response):
        return session
    session.api_key = None
    return redirect(request, "/ui", session)


def _refused_page(
    request: Request, refused: PageError, session: UiSession | None = None
) -> Response:
    return render(request, "refused.html", session or session_for_form(request),
                  refused.status, errors=refused.messages)  # fmt: skip
