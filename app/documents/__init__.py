"""The agreement document (协商还款协议, SPEC §13): one Jinja2 template, rendered as HTML or,
by WeasyPrint, as a PDF/A-3b with its fonts embedded and the agreement's canonical JSON attached.

This package only renders: it takes an `AgreementDocument` of ready-made strings (the service
layer, app/services/documents.py, reads the agreement and fills it) and imports nothing of the
API, the services or the database.
"""

from app.documents.content import AgreementDocument, DebtLine, Parties, PlanRow
from app.documents.fonts import RendererUnavailable
from app.documents.render import render_html, render_pdf

__all__ = [
    "AgreementDocument",
    "DebtLine",
    "Parties",
    "PlanRow",
    "RendererUnavailable",
    "render_html",
    "render_pdf",
]
