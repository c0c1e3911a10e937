"""Rendering the collector's pages: one autoescaping Jinja2 environment, security headers.

Pages load scripts and styles only from this service ('self'), and carry no inline script
or style, so the Content-Security-Policy needs neither 'unsafe-inline' nor a nonce.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from app.ui.sessions import UiSession, remember

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
MAX_FORM_FIELDS = 200

# default-src 'none': everything not named here is refused, other hosts included
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    # pages may show a tenant's agreements: kept out of shared and browser caches
    "Cache-Control": "no-store",
}

# the agreement document (SPEC §13) is the documents service's own HTML, whose print styles
# may sit in a <style> element: styles inline are allowed there, scripts never
DOCUMENT_HEADERS = {
    **SECURITY_HEADERS,
    "Content-Security-Policy": "default-src 'none'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
}

templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(
    request: Request,
    template: str,
    session: UiSession | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    html = templates.get_template(template).render(
        request_path=request.url.path,
        csrf_token=session.csrf_token if session else "",
        has_key=bool(session and session.api_key),
        **context,
    )
    response = HTMLResponse(html, status_code, headers=SECURITY_HEADERS)
    if session is not None:
        remember(response, request, session)
    return response


def redirect(request: Request, url: str, session: UiSession | None = None) -> Response:
    """303 to `url` after a POST; to htmx (which follows redirects inside its request and
    could put the POST's URL in the history) an HX-Redirect: a full navigation instead."""
    if request.headers.get("HX-Request") == "true":
        response: Response = Response(status_code=200, headers={"HX-Redirect": url})
    else:
        response = RedirectResponse(url, status_code=303)
    if session is not None:
        remember(response, request, session)
    return response


def local_path(url: str | None, default: str = "/ui") -> str:
    """`url` when it is a path of this page (after the key form), else the default: never an
    open redirect to another host."""
    if not url or not url.startswith("/ui") or url.startswith("//") or "\\" in url:
        return default
    return url


async def form_fields(request: Request) -> dict[str, str]:
    """An application/x-www-form-urlencoded body as a map (the last value of a repeated name)."""
    body = (await request.body()).decode("utf-8", "replace")
    try:
        pairs = urllib.parse.parse_qsl(body, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except ValueError:
        return {}
    return dict(pairs)
