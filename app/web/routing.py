"""One transaction per request: the route class owns the session, commits once, or rolls back.

The session is opened on first use (``RequestSession.get``, through ``deps.get_db``): a route
that touches no table (``/healthz``, ``/sw.js``, a page without a logged-in user) opens none
and costs no trip to a worker thread for its commit."""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
from collections.abc import Callable, Coroutine, Mapping
from contextvars import ContextVar
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi import routing as fastapi_routing
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from app.errors import AppError, Invalid, NotFound, ServerError
from app.web import input_guard

logger = logging.getLogger("trivsel.errors")

#: Where the request's :class:`RequestSession` lives in the ASGI scope.
SCOPE_KEY = "trivsel.db"


class RequestSession:
    """The request's database session, opened on first use and ended once."""

    __slots__ = ("_factory", "closed", "session")

    def __init__(self, factory: sessionmaker[Any]) -> None:
        self._factory = factory
        self.session: Session | None = None
        self.closed = False

    def get(self) -> Session:
        """The session (opened now if this is the first use)."""
        if self.closed:
            # Error pages are rendered after the transaction ended; a closed session must not
            # be reopened (it would silently start a transaction that nobody ends).
            raise RuntimeError("the request's database session has ended")
        if self.session is None:
            self.session = self._factory()
        return self.session

    def commit_here(self) -> None:
        """Commit now, in the calling thread (the view's own worker thread)."""
        if self.session is not None and self.session.in_transaction():
            self.session.commit()

    async def end(self, *, commit: bool) -> None:
        """Commit (or roll back) and close, in one trip to a worker thread; nothing to do for
        a request that never used its session."""
        session, self.session, self.closed = self.session, None, True
        if session is None:
            return
        if not session.in_transaction():
            session.close()  # no connection was taken: no I/O
            return
        await run_in_threadpool(_end, session, commit)


def _end(session: Session, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


#: The running request's session holder; worker threads see it too (anyio copies the context).
_current: ContextVar[RequestSession | None] = ContextVar("trivsel_request_session", default=None)
#: The running request, for what a view's worker thread resolves before the view.
_current_request: ContextVar[Request | None] = ContextVar("trivsel_request", default=None)

#: The scope key that tells the access dependencies to leave the session lookup to the view's
#: worker thread: the deferred dependencies of a plain ``def`` view whose parameters allow it
#: (``_deferrable``), else None.
DEFER_KEY = "trivsel.defer_auth"

#: What an access dependency returns when its value is resolved in the view's thread.
PENDING: Any = type("Pending", (), {"__repr__": lambda self: "PENDING", "__slots__": ()})()

InThread = Callable[[Request], Any]


def in_thread(dependency: Callable[..., Any]) -> InThread | None:
    """The function that resolves ``dependency``'s value in the view's worker thread, if the
    dependency is one that defers (``__trivsel_in_thread__``)."""
    resolver: InThread | None = getattr(dependency, "__trivsel_in_thread__", None)
    return resolver


def _committing(view: Callable[..., Any]) -> Callable[..., Any]:
    """A plain ``def`` view that commits in its own worker thread when it returns: no second
    trip to a thread for the commit, and (on SQLite) the writer's turn ends with the view.

    Before the view, the same thread resolves the access dependencies the route deferred
    (``DEFER_KEY``: name of the view's parameter, or None for a route's ``dependencies=``):
    the session lookup costs no trip to a thread of its own (docs/performance.md).

    FastAPI sees a coroutine: the one trip to a worker thread is ours. For a plain ``def``
    endpoint FastAPI would validate the response model in a second trip to a thread; for a
    coroutine it does that on the event loop (the same CPU, without the hand-over)."""

    def in_worker_thread(*args: Any, **kwargs: Any) -> Any:
        request = _current_request.get()
        if request is not None:
            for name, resolve in request.scope.get(DEFER_KEY) or ():
                value = resolve(request)
                if name is not None:
                    kwargs[name] = value
        result = view(*args, **kwargs)
        holder = _current.get()
        if holder is not None:
            holder.commit_here()
        return result

    @functools.wraps(view)
    async def committing_view(*args: Any, **kwargs: Any) -> Any:
        return await run_in_threadpool(in_worker_thread, *args, **kwargs)

    return committing_view


def _deferrable(dependant: Any) -> tuple[tuple[str | None, InThread], ...] | None:
    """The view's access dependencies that may be resolved in its thread, or None when one
    of its dependencies needs the logged-in user on the event loop (then nothing defers).

    A dependency that defers returns ``PENDING`` on the event loop; that is only safe when
    whatever consumes it defers too (``require_role`` over ``require_user``), knows about it
    (``__trivsel_defer_aware__``: ``csrf_protect``), or is the view, which gets the real
    value from the thread."""
    deferred: list[tuple[str | None, InThread]] = []

    def safe(node: Any, *, root: bool) -> bool:
        aware = root or in_thread(node.call) is not None
        aware = aware or getattr(node.call, "__trivsel_defer_aware__", False)
        for child in node.dependencies:
            defers = in_thread(child.call) is not None
            needs_auth = getattr(child.call, "__trivsel_auth__", False)
            if (defers and not aware) or (needs_auth and not (aware and not root)):
                return False
            if not safe(child, root=False):
                return False
        return True

    if not safe(dependant, root=True):
        return None
    for child in dependant.dependencies:
        resolve = in_thread(child.call)
        if resolve is not None:
            deferred.append((child.name, resolve))
    return tuple(deferred)


def read_only(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a view that reads and never writes (the evaluation, the published catalogs): its
    session runs without a transaction (``db.read_only_engine``: on PostgreSQL no BEGIN and
    COMMIT, two round trips of a request of three). The session lookup's own rare writes
    (``last_seen_at`` once a minute, an expiry) still happen, each statement on its own."""
    endpoint.__trivsel_read_only__ = True  # type: ignore[attr-defined]
    return endpoint


def request_session(request: Request) -> RequestSession | None:
    """The request's session holder (None outside a ``TransactionalRoute``)."""
    holder: RequestSession | None = request.scope.get(SCOPE_KEY)
    return holder


class TransactionalRoute(APIRoute):
    """Commits the request's database session when the view returns, before the response
    is sent, so a response never claims success for work that failed to commit; any error
    rolls it back. A plain ``def`` view commits in its own worker thread as it returns (what
    runs after it, serialising the response model, only reads); an ``async def`` view's
    session is committed after it.

    Before the view runs, it refuses input no route can store (``app.web.input_guard``): an
    integer path parameter beyond 64 bits is an unknown id (404); NUL bytes, integers beyond
    64 bits and JSON nested deeper than any body of api.md are a 422 naming the field."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        self._read_only = getattr(endpoint, "__trivsel_read_only__", False)
        self._sync = not (
            inspect.iscoroutinefunction(endpoint) or inspect.isgeneratorfunction(endpoint)
        )
        if self._sync:
            endpoint = _committing(endpoint)
        super().__init__(path, endpoint, **kwargs)
        self._int_path = _int_names(self.dependant.path_params)
        self._int_query = _int_names(self.dependant.query_params)

    async def _guard(self, request: Request) -> None:
        for name in self._int_path:
            if input_guard.int_out_of_range(str(request.path_params.get(name, ""))):
                raise NotFound()
        content_type = request.headers.get("content-type", "")
        try:
            input_guard.check_params(request.path_params.items(), frozenset())
            input_guard.check_params(request.query_params.multi_items(), self._int_query)
            if content_type.startswith("application/json"):
                body = await request.body()
                if body:
                    with contextlib.suppress(input_guard.MalformedJson):
                        # Decoded once: Starlette's ``Request.json()`` returns this cached value
                        # when FastAPI reads the body for the view (malformed JSON is left to
                        # FastAPI's own 422).
                        request._json = input_guard.parse_json(body)
            elif content_type.startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")
            ):
                form = await request.form()
                fields = ((k, v) for k, v in form.multi_items() if isinstance(v, str))
                input_guard.check_params(fields, frozenset())
        except input_guard.BadInput as bad:
            raise Invalid.field(bad.field, bad.message) from None

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        # The dependant FastAPI built this handler for: an included route gets one of its own
        # with the including routers' and the app's dependencies (FastAPI's context variable).
        context = getattr(fastapi_routing, "_effective_route_context_var", None)
        effective = context.get() if context is not None else None
        dependant = (
            effective.dependant
            if effective is not None and getattr(effective, "original_route", None) is self
            else self.dependant
        )
        deferred = _deferrable(dependant) if self._sync and dependant is not None else None

        async def route_handler(request: Request) -> Response:
            await self._guard(request)
            state = request.app.state
            db = RequestSession(
                state.read_only_session_factory if self._read_only else state.session_factory
            )
            request.scope[SCOPE_KEY] = db
            request.scope[DEFER_KEY] = deferred
            current = _current.set(db)
            current_request = _current_request.set(request)
            try:
                response = await handler(request)
                await db.end(commit=True)
            except (AppError, HTTPException, RequestValidationError):
                await db.end(commit=False)
                raise
            except Exception as exc:
                # Logged here, answered as a plain 500 by the error handler: no stack trace
                # reaches the client, and the security headers still apply.
                await db.end(commit=False)
                logger.exception(
                    "unexpected error on %s %s", request.method, route_label(request.scope)
                )
                raise ServerError() from exc
            except BaseException:
                await db.end(commit=False)
                raise
            finally:
                _current.reset(current)
                _current_request.reset(current_request)
            for cookie in getattr(request.state, "set_cookies", []):
                response.set_cookie(**cookie)
            return response

        return route_handler


def _int_names(params: list[Any]) -> frozenset[str]:
    """The parameters a route declares as ``int`` (``Annotated`` and ``Optional`` included)."""
    names = set()
    for field in params:
        annotation = getattr(field.field_info, "annotation", None)
        if annotation is int or int in getattr(annotation, "__args__", ()):
            names.add(field.alias or field.name)
    return frozenset(names)


STATIC_LABEL = "/static"
UNMATCHED_LABEL = "unmatched"


def route_label(scope: Mapping[str, Any]) -> str:
    """The route template a request matched (FastAPI puts the route in the scope), ``/static``
    for a static file, ``unmatched`` for a path no route has: for logs and metrics, never the
    raw path, which may hold anything a client typed."""
    template = getattr(scope.get("route"), "path", None)
    if isinstance(template, str):
        return template
    if str(scope.get("path", "")).startswith(STATIC_LABEL + "/"):
        return STATIC_LABEL
    return UNMATCHED_LABEL


def make_router(**kwargs: Any) -> APIRouter:
    """An APIRouter whose routes run in one transaction each."""
    return APIRouter(route_class=TransactionalRoute, **kwargs)
