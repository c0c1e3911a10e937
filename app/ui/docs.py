"""/docs (Swagger UI) and /redoc from the service's own files: they work with no internet.

FastAPI's built-in pages load their scripts from a CDN and start Swagger UI with an inline
script; these load the pinned copies in static/vendor/ (MANIFEST.json) and start it from
static/swagger-init.js, so a CSP without inline scripts holds here too. The docs' own styles
(Swagger UI's and ReDoc's components set style attributes and <style> elements) need
'unsafe-inline' for styles only; ReDoc also runs a worker from a blob: URL.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from app.ui.pages import templates

router = APIRouter(include_in_schema=False)

DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self' data:; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def _docs_page(template: str, title: str) -> HTMLResponse:
    html = templates.get_template(template).render(title=title, openapi_url="/openapi.json")
    return HTMLResponse(
        html, headers={"Content-Security-Policy": DOCS_CSP, "X-Content-Type-Options": "nosniff"}
    )


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    return _docs_page("swagger.html", "Repayment and restructuring service · Swagger UI")


@router.get("/redoc")
def redoc() -> HTMLResponse:
    return _docs_page("redoc.html", "Repayment and restructuring service · ReDoc")
