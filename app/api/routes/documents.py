"""/v1/agreements/{id}/document (SPEC §13): the agreement as the document both parties sign.

HTML by default, the PDF/A with `Accept: application/pdf` or `?format=pdf`. POST prints the
party details of its body into the same document; they are neither stored nor logged. Same key
and tenant rules as the agreement (401 without a key, 404 for another tenant's). A machine
without the CJK font or WeasyPrint's libraries answers the PDF with a 503 naming the package.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from app.api.deps import ClockDep, DbDep, TenantDep
from app.api.problems import PROBLEM_JSON, Problem, problem
from app.api.schemas.documents import DocumentRequest, canonical_json
from app.api.schemas.restructuring import OptionsRequest
from app.documents import AgreementDocument, Parties, RendererUnavailable, render_html, render_pdf
from app.engine.restructuring import RestructuringRequest
from app.services.documents import agreement_document

router = APIRouter(prefix="/v1/agreements", tags=["agreements"])

PDF = "application/pdf"
HTML = "text/html"


class DocumentFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"


FormatQuery = Annotated[
    DocumentFormat | None,
    Query(alias="format", description="`pdf` or `html`; wins over the Accept header"),
]
AcceptHeader = Annotated[str | None, Header(alias="Accept")]

_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The agreement document (协商还款协议), HTML or PDF/A-3b",
        "content": {
            HTML: {"schema": {"type": "string"}},
            PDF: {"schema": {"type": "string", "format": "binary"}},
        },
    },
    **{
        status: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": description}
        for status, description in {
            400: "Malformed JSON",
            401: "Missing, unknown or revoked API key",
            404: "No such agreement for this tenant",
            422: "Invalid input",
            503: "The PDF cannot be made here: the detail names the package to install",
        }.items()
    },
}


def _quality(accept: str, media_type: str) -> float:
    """The q that `accept` gives media_type: that of its most specific matching range
    (RFC 9110 §12.5.1), 0 when none matches."""
    kind = media_type.split("/")[0]
    specificity = {media_type: 2, f"{kind}/*": 1, "*/*": 0}
    best, best_level = 0.0, -1
    for item in accept.split(","):
        media_range, *params = (part.strip() for part in item.split(";"))
        level = specificity.get(media_range.lower(), -1)
        if level <= best_level:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        best, best_level = quality, level
    return best


def _wants_pdf(requested: FormatQuery = None, accept: AcceptHeader = None) -> bool:
    """`?format=` decides; else the PDF only when Accept prefers it to HTML (a browser's
    `text/html,…,*/*;q=0.8` gets the HTML, `Accept: application/pdf` the PDF)."""
    if requested is not None:
        return requested is DocumentFormat.PDF
    return accept is not None and _quality(accept, PDF) > _quality(accept, HTML)


WantsPdf = Annotated[bool, Depends(_wants_pdf)]


def _parse_terms(terms: Any) -> RestructuringRequest:
    return OptionsRequest.model_validate(terms).to_engine()


class _PdfAfterTransaction(Response):
    """The PDF, rendered when the response is sent: after the route has returned and its
    request's database session and session slot are released (DbDep, scope="function"). A
    render takes a few hundred milliseconds of CPU; holding a session through it, a burst of
    PDF requests would take every slot the agreement writes need."""

    def __init__(self, document: AgreementDocument, headers: dict[str, str]) -> None:
        super().__init__(media_type=PDF, headers=headers)
        self.document = document

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response: Response
        try:
            body = await run_in_threadpool(render_pdf, self.document)
        except RendererUnavailable as exc:
            response = problem(503, str(exc), headers={"Retry-After": "3600"})
        else:
            name = f"agreement-{self.document.agreement_id}-v{self.document.version}.pdf"
            headers = {**self.headers, "Content-Disposition": f'inline; filename="{name}"'}
            headers.pop("content-length", None)
            response = Response(body, media_type=PDF, headers=headers)
        await response(scope, receive, send)


def _respond(document: AgreementDocument, pdf: bool, private: bool) -> Response:
    # party details make a response personal: no cache may keep it
    headers = {"Cache-Control": "no-store" if private else "private, no-cache"}
    if pdf:
        return _PdfAfterTransaction(document, headers)
    return Response(render_html(document), media_type=HTML, headers=headers)


def agreement_document_of(
    agreement_id: str, principal: TenantDep, db: DbDep, clock: ClockDep, parties: Parties
) -> AgreementDocument:
    """The document's content for one agreement (also what the collector's page shows)."""
    now = clock.now()
    return agreement_document(
        db,
        principal=principal,
        agreement_id=agreement_id,
        today=now.date(),
        now=now,
        parse_terms=_parse_terms,
        canonical_json=canonical_json,
        parties=parties,
    )


@router.get("/{agreement_id}/document", response_class=Response, responses=_RESPONSES)
def get_agreement_document(
    agreement_id: str, principal: TenantDep, db: DbDep, clock: ClockDep, pdf: WantsPdf
) -> Response:
    """The agreement document (协商还款协议): HTML, or the PDF/A by `Accept` or `?format=pdf`."""
    document = agreement_document_of(agreement_id, principal, db, clock, Parties())
    return _respond(document, pdf, private=False)


@router.post("/{agreement_id}/document", response_class=Response, responses=_RESPONSES)
def render_agreement_document(
    agreement_id: str,
    body: DocumentRequest,
    principal: TenantDep,
    db: DbDep,
    clock: ClockDep,
    pdf: WantsPdf,
) -> Response:
    """The same document with the lender's and borrower's details printed in; none stored."""
    document = agreement_document_of(agreement_id, principal, db, clock, body.to_parties())
    return _respond(document, pdf, private=True)
