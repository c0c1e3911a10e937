"""Request dependencies as Annotated aliases: DbDep, SettingsDep, TenantDep, ClockDep.

`DbDep` is one session per request in one transaction: committed when the route returns,
before the response is sent (scope="function"), rolled back when anything raises. Services
never commit. The database itself lives on `app.state.database`, made on first use from
DATABASE_URL (tests put their own there) and disposed of at shutdown.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute
from starlette.types import Receive, Scope, Send

from app.persistence.db import MAX_SESSIONS, Database
from app.services.api_keys import Principal, authenticate
from app.settings import Settings, get_settings

SettingsDep = Annotated[Settings, Depends(get_settings)]
_database_lock = threading.Lock()


def database_of(app: FastAPI) -> Database:
    """The app's Database, made from the settings on first use."""
    database: Database | None = getattr(app.state, "database", None)
    if database is None:
        with _database_lock:
            database = getattr(app.state, "database", None)
            if database is None:
                database = Database(get_settings().database_url)
                app.state.database = database
    return database


@asynccontextmanager
async def database_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The app's lifespan: close the database's connections at shutdown."""
    yield
    database: Database | None = getattr(app.state, "database", None)
    if database is not None:
        database.dispose()


def get_database(request: Request) -> Database:
    return database_of(request.app)


DatabaseDep = Annotated[Database, Depends(get_database)]


def get_db(database: DatabaseDep) -> Iterator[Session]:
    with database.transaction() as session:
        yield session


# At most MAX_SESSIONS requests hold a session; the rest wait without a thread. Otherwise a
# burst could take every worker thread while the request holding the lock waits for one.
DbDep = Annotated[Session, Depends(get_db, scope="function", max_concurrency=MAX_SESSIONS)]


@dataclass(frozen=True, slots=True)
class Clock:
    """The only place the API reads the time; tests override `get_clock` to freeze it."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return self.now().date()


def get_clock() -> Clock:
    return Clock()


ClockDep = Annotated[Clock, Depends(get_clock)]

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="A tenant API key `KEY_ID.SECRET` from `python -m app keys create --tenant T`",
)


# the request's principal, set in its scope once its key has been checked, so a route's guard,
# its principal and the key-before-body check query the database once
_PRINCIPAL = "app.principal"


def get_principal(
    request: Request,
    db: DbDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The caller's key and tenant; a missing, unknown or revoked key is a 401. The key is
    checked once a request: `key_first` has usually done it before the body was read."""
    checked: Principal | None = request.scope.get(_PRINCIPAL)
    if checked is not None:
        return checked
    return authenticate(db, token=None if credentials is None else credentials.credentials)


TenantDep = Annotated[Principal, Depends(get_principal)]


def calculations_need_key(app: FastAPI) -> bool:
    """REQUIRE_API_KEY_FOR_CALCULATIONS as the app was made with (create_app)."""
    return bool(getattr(app.state, "calculations_need_key", False))


async def calculation_key_guard(request: Request) -> None:
    """Every calculation router declares this guard (SPEC §8: open unless configured to need a
    key), so a route shows in its own dependencies whether it may need a key; whether it does
    is the app's setting."""
    if calculations_need_key(request.app) and _PRINCIPAL not in request.scope:
        await check_key(request)


def _needs_principal(dependant: Dependant) -> bool:
    return any(d.call is get_principal or _needs_principal(d) for d in dependant.dependencies)


async def check_key(request: Request) -> None:
    """Raise InvalidApiKey unless the request carries a valid key (the database is queried in
    the thread pool); the principal is kept in the request's scope for `get_principal`."""
    credentials = await bearer(request)
    token = None if credentials is None else credentials.credentials

    def check() -> Principal:
        with database_of(request.app).transaction() as session:
            return authenticate(session, token=token)

    request.scope[_PRINCIPAL] = await run_in_threadpool(check)


def key_first(route: BaseRoute) -> BaseRoute:
    """`route` as the app should hold it: a route that asks for the principal checks the key
    before FastAPI reads the body, so a caller without a valid key learns that it needs one
    (401), not what its body lacks (SPEC §8). Others are returned as they are.

    A copy with its ASGI app wrapped: the router module's own route is shared by every app
    made from it (tests make many) and stays as it was.
    """
    dependant = getattr(route, "dependant", None)
    if dependant is None or not _needs_principal(dependant):
        return route
    checked = copy.copy(route)
    handle = route.app

    async def check_then_handle(scope: Scope, receive: Receive, send: Send) -> None:
        if _PRINCIPAL not in scope:
            await check_key(Request(scope, receive))
        await handle(scope, receive, send)

    checked.app = check_then_handle
    return checked


# what every calculation router declares: APIRouter(..., dependencies=CALCULATION_GUARD)
CALCULATION_GUARD = [Depends(calculation_key_guard)]
