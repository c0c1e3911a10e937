"""The collector's page (SPEC §14) and the offline API docs: `install(app)` adds both."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.settings import get_settings
from app.ui import docs, routes
from app.ui.pages import STATIC_DIR
from app.ui.sessions import SessionStore


def install(app: FastAPI) -> None:
    """The /ui pages, their static files (/ui/static) and /docs and /redoc on `app`, which is
    created with docs_url=None and redoc_url=None: these replace FastAPI's CDN pages."""
    app.state.ui_sessions = SessionStore()
    # SPEC §8: when the API's calculations need a key, the page's need one too (read when the
    # app is made, as create_app reads it for the API's guard)
    app.state.ui_calculations_need_key = get_settings().require_api_key_for_calculations
    app.include_router(routes.router)
    app.include_router(docs.router)
    app.mount("/ui/static", StaticFiles(directory=STATIC_DIR), name="ui-static")
