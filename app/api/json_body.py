"""Routes whose only parameter is a JSON body model, validated in one pass.

FastAPI reads such a body with `json.loads`, then walks its dependency machinery to validate the
resulting dicts field by field. For the calculation routes, called in bulk by collection
systems, that framework work costs about as much as the calculation. `JsonBodyRoute` hands the
raw bytes to pydantic's own parser instead (`model_validate_json`: parse and validate in one
pass) and calls the endpoint with the model. Everything else takes FastAPI's standard path,
unchanged:

- any route with another parameter or a dependency of its own (the calculation routers' key
  guard, `deps.calculation_key_guard`, aside: it is checked here, first, when the app
  requires keys for calculations, so no check is ever skipped and a missing key is a 401
  whatever the body);
- a request whose content type is not plain `application/json`, or whose body is empty;
- a body that does not validate, or that pydantic's parser refuses as JSON (malformed, `NaN`,
  nesting past its limit): FastAPI then answers it exactly as before (400 or 422 problem+json).

A body over LARGE_BODY_BYTES is validated in the thread pool, pruned first when it holds more
than a 422 could list (app/api/large_bodies.py), and when it does not validate its 422 comes
from that validation (FastAPI's path would validate it again, on the event loop): a megabyte
of unknown fields is ~100,000 errors, which must not stall other requests (SPEC §8). Only
those answers may word an error as pydantic's JSON parser does ("array" for "list").

So, large bodies aside, only a valid body is handled differently, and
tests/api/test_json_body_parity.py checks that it gets the same answer either way.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute, request_response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.deps import calculation_key_guard, calculations_need_key, check_key
from app.api.large_bodies import validate_large_body

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
# above this, validation leaves the event loop (a normal request body is 100-300 bytes)
LARGE_BODY_BYTES = 64 * 1024


BodyReader = Callable[[], Awaitable[bytes]]
Answer = Callable[[Scope, Receive, BodyReader], Coroutine[Any, Any, Response | None]]


def _content_type(scope: Scope) -> str | None:
    """The first Content-Type header, as `request.headers.get` reads it (names are lowercase
    in ASGI), without building the headers object."""
    for name, value in scope["headers"]:
        if name == b"content-type":
            return value.decode("latin-1")
    return None


def _is_json(content_type: str | None) -> bool:
    return (
        content_type is not None
        and content_type.partition(";")[0].strip().lower() == "application/json"
    )


class JsonBodyRoute(APIRoute):
    """An APIRoute whose handler validates a sole JSON body model in one pass (module doc).

    Added to an app directly (app.main.add_routes), the route's ASGI app is `_direct`: a valid
    body is answered without FastAPI's per-request wrapper (a request object, two exit stacks
    for dependencies with `yield`, a route-level exception wrapper: ~5 µs), which only the
    standard path needs. An exception still reaches the app's handlers (problems.install),
    one layer up. Included in a router, FastAPI builds the route's app from
    `get_route_handler`, which answers alike inside the wrapper.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        answer = self._answer()
        if answer is not None:
            self.app = _direct(answer, request_response(super().get_route_handler()))

    def get_route_handler(self) -> Handler:
        standard = super().get_route_handler()
        answer = self._answer()
        if answer is None:
            return standard

        async def handler(request: Request) -> Response:
            response = await answer(request.scope, request.receive, request.body)
            return response if response is not None else await standard(request)

        return handler

    def _answer(self) -> Answer | None:
        """The route's answer to a request whose body validates; None (the standard path's
        turn) for any other. None when the route has more than a sole body model."""
        body = self._sole_body_model()
        if body is None:
            return None
        name, model = body
        endpoint = self.endpoint
        is_async = inspect.iscoroutinefunction(endpoint)
        # a sole-body route asks for no principal: its guard is the only key it may need
        guarded = bool(self.dependant.dependencies)
        # the app last answered for and its key switch, fixed when the app is made (reading
        # it from app.state costs ~0.5 µs a request); apps made in turn (tests) re-read it
        seen: list[Any] = [None, False]

        async def answer(scope: Scope, receive: Receive, body: BodyReader) -> Response | None:
            if guarded:
                app = scope["app"]
                if app is not seen[0]:
                    seen[:] = [app, calculations_need_key(app)]
                if seen[1]:
                    await check_key(Request(scope, receive))  # the key first (SPEC §8)
            if not _is_json(_content_type(scope)):
                return None
            raw = await body()  # kept: the standard path can read it again
            if not raw:
                return None
            if len(raw) > LARGE_BODY_BYTES:
                value = await validate_large_body(model, raw)
                if value is None:
                    return None
            else:
                try:
                    value = model.model_validate_json(raw)
                except ValidationError:
                    # the standard path words the problem: validating JSON input, pydantic
                    # says "array" and "object" where FastAPI's validation of parsed dicts
                    # says "list" and "dictionary", and clients may match on either
                    return None
            if is_async:
                response: Response = await endpoint(**{name: value})
            else:
                response = await run_in_threadpool(endpoint, **{name: value})
            return response

        return answer

    def _sole_body_model(self) -> tuple[str, type[BaseModel]] | None:
        """The body parameter's name and model when it is the route's only input, else None."""
        dependant = self.dependant
        others = (
            dependant.path_params,
            dependant.query_params,
            dependant.header_params,
            dependant.cookie_params,
            dependant.request_param_name,
            dependant.http_connection_param_name,
            dependant.response_param_name,
            dependant.background_tasks_param_name,
            dependant.security_scopes_param_name,
        )
        guard_only = all(d.call is calculation_key_guard for d in dependant.dependencies)
        if not guard_only or any(others) or len(dependant.body_params) != 1:
            return None
        field = dependant.body_params[0]
        model = field.field_info.annotation
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        return field.name, model


def _direct(answer: Answer, standard: ASGIApp) -> ASGIApp:
    """The route's ASGI app: `answer`'s response, or the standard path's (FastAPI's wrapper
    around its own handler), which reads the body again from a replay of what was read."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        reader = _Body(scope, receive)
        response = await answer(scope, receive, reader.read)
        if response is not None:
            await response(scope, receive, send)
        elif reader.body is None:  # not read: the channel is as it came
            await standard(scope, receive, send)
        else:
            await standard(scope, _replay(reader.body, receive), send)

    return app


class _Body:
    """A request's body read from the ASGI channel: the one message a normal body comes in
    straight, without a request object and its stream generator (~1.5 µs); a body in
    pieces (or a disconnect) as Starlette reads it, from that first message on."""

    __slots__ = ("body", "receive", "scope")

    def __init__(self, scope: Scope, receive: Receive) -> None:
        self.scope, self.receive = scope, receive
        self.body: bytes | None = None

    async def read(self) -> bytes:
        message = await self.receive()
        if message["type"] == "http.request" and not message.get("more_body", False):
            self.body = message.get("body", b"")
        else:
            self.body = await Request(self.scope, _replay_message(message, self.receive)).body()
        return self.body


def _replay(body: bytes, receive: Receive) -> Receive:
    """`receive` as if nothing had been read yet: the whole body once, then the real channel
    (a disconnect)."""
    return _replay_message({"type": "http.request", "body": body, "more_body": False}, receive)


def _replay_message(message: Message, receive: Receive) -> Receive:
    pending = [message]

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()

    return replayed
