"""One Jinja2 template for both forms: `render_html` returns it, `render_pdf` lays it out on A4
with WeasyPrint as PDF/A-3b, the canonical JSON attached, and the same bytes every time.

Reproducible bytes: WeasyPrint stamps a PDF with the clock only where it is not told a date,
so the document's dates (Info, XMP, the attachment's) are the agreement's own `created_at` and
`updated_at`, and its /ID is derived from the canonical JSON's hash. Fonts are subset, and the
subset tags depend only on the glyphs used.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from app.documents.content import AgreementDocument
from app.documents.fonts import (
    CJK_FAMILY,
    RendererUnavailable,
    check_fonts_installed,
    check_only_cjk_fonts,
)

ATTACHMENT_NAME = "agreement.json"
# WeasyPrint needs Pango (and through it HarfBuzz, fontconfig) from the system
_LIBRARIES_PACKAGE = "libpango-1.0-0 libpangoft2-1.0-0 (WeasyPrint's system libraries)"
# one FontConfiguration for the process (WeasyPrint keeps its fonts there); layouts share it,
# so renders take turns: they are CPU-bound anyway
_pdf_lock = threading.Lock()


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("app.documents", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(document: AgreementDocument) -> str:
    template = _environment().get_template("agreement.html.j2")
    return template.render(doc=document, font_family=CJK_FAMILY)


@cache
def _weasyprint() -> tuple[Any, Any, Any]:
    """WeasyPrint's HTML, Attachment and the shared FontConfiguration, loaded on first use: the
    import itself fails (OSError) on a machine without Pango, and the rest of the API must not."""
    try:
        from weasyprint import HTML, Attachment  # type: ignore[import-untyped]
        from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:
        raise RendererUnavailable(_LIBRARIES_PACKAGE, f"WeasyPrint cannot load: {exc}") from None
    return HTML, Attachment, FontConfiguration()


def render_pdf(document: AgreementDocument) -> bytes:
    """The PDF/A-3b; RendererUnavailable when the fonts or the libraries are missing."""
    check_fonts_installed()
    html_class, attachment_class, font_config = _weasyprint()
    source = render_html(document)
    attachment = attachment_class(
        string=document.canonical_json.decode("utf-8"),
        name=ATTACHMENT_NAME,
        description=f"Canonical JSON of agreement {document.agreement_id} (SHA-256 "
        f"{document.canonical_sha256})",
        created=document.created_at,
        modified=document.updated_at,
        relationship="Source",
    )
    with _pdf_lock:
        pdf: bytes = html_class(string=source, base_url=None).write_pdf(
            font_config=font_config,
            pdf_variant="pdf/a-3b",
            attachments=[attachment],
            pdf_identifier=document.canonical_sha256[:32].encode("ascii"),
            custom_metadata=False,
        )
    check_only_cjk_fonts(pdf)
    return pdf
