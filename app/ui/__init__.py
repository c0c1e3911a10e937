"""The collector's page (SPEC §14) and the offline API docs: `install(app)` adds both."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.ui import docs, routes
from app.ui.pages import STATIC_DIR
from app.ui.sessions import SessionStore


def install(app: FastAPI) -> None:
    """The /ui pages, their static files (/ui/static) and /docs and /redoc on `app`, which is
    created with docs_url=None and redoc_url=None: these replace FastAPI's CDN pages."""
    app.state.ui_sessions = SessionStore()
    app.include_router(routes.router)
    app.include_router(docs.router)
    app.mount("/ui/static", StaticFiles(directory=STATIC_DIR), name="ui-static")
