"""Browser sessions of the collector's page: the API key and the CSRF token, kept server-side.

The browser holds only a random session id, in a cookie that is `HttpOnly` (no script reads
it), `SameSite=Strict` (no other site's page sends it) and scoped to /ui. The API key an agent
enters stays in this process's memory, never in a page or the browser's storage, and is checked
again (revocation included) on every agreement action. Sessions end after 8 idle hours, or when
the process restarts: the agent enters the key again. One process serves one store, so a
deployment with several workers needs sticky sessions (docs/decisions.md).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from fastapi import Request, Response

COOKIE = "ui_session"
IDLE_SECONDS = 8 * 3600
MAX_SESSIONS = 10_000  # the oldest idle session goes first beyond this


@dataclass(slots=True)
class UiSession:
    id: str
    csrf_token: str
    api_key: str | None = None
    touched: float = field(default_factory=time.monotonic)
    is_new: bool = False


class SessionStore:
    def __init__(self) -> None:
        self._sessions: OrderedDict[str, UiSession] = OrderedDict()
        self._lock = threading.Lock()

    def find(self, session_id: str | None) -> UiSession | None:
        if not session_id:
            return None
        now = time.monotonic()
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None or now - session.touched > IDLE_SECONDS:
                self._sessions.pop(session_id, None)
                return None
            session.touched = now
            self._sessions.move_to_end(session_id)
            return session

    def create(self) -> UiSession:
        session = UiSession(secrets.token_urlsafe(32), secrets.token_urlsafe(32), is_new=True)
        with self._lock:
            self._sessions[session.id] = session
            while len(self._sessions) > MAX_SESSIONS:
                self._sessions.popitem(last=False)
        return session

    def drop(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)


def store_of(request: Request) -> SessionStore:
    store: SessionStore | None = getattr(request.app.state, "ui_sessions", None)
    if store is None:
        store = request.app.state.ui_sessions = SessionStore()
    return store


def current_session(request: Request) -> UiSession | None:
    return store_of(request).find(request.cookies.get(COOKIE))


def session_for_form(request: Request) -> UiSession:
    """The browser's session, or a new one (its cookie is set by `remember`)."""
    return current_session(request) or store_of(request).create()


def remember(response: Response, request: Request, session: UiSession) -> Response:
    """Set the session cookie on a response that started a session."""
    if session.is_new:
        response.set_cookie(
            COOKIE,
            session.id,
            path="/ui",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        session.is_new = False
    return response


def csrf_matches(session: UiSession | None, token: str | None) -> bool:
    return (
        session is not None
        and token is not None
        and hmac.compare_digest(session.csrf_token.encode(), token.encode())
    )
