"""One transaction per request: the route class opens the session, commits once, or rolls back."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from app.errors import AppError, Invalid, NotFound, ServerError
from app.web import input_guard

logger = logging.getLogger("trivsel.errors")


class TransactionalRoute(APIRoute):
    """Commits the request's database session after the view returns, before the response
    is sent, so a response never claims success for work that failed to commit.

    Before the view runs, it refuses input no route can store (``app.web.input_guard``): an
    integer path parameter beyond 64 bits is an unknown id (404); NUL bytes, integers beyond
    64 bits and JSON nested deeper than any body of api.md are a 422 naming the field."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
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
                        input_guard.parse_json(body)
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

        async def route_handler(request: Request) -> Response:
            await self._guard(request)
            db = request.app.state.session_factory()
            request.state.db = db
            try:
                response = await handler(request)
                await run_in_threadpool(db.commit)
            except (AppError, HTTPException, RequestValidationError):
                await run_in_threadpool(db.rollback)
                raise
            except Exception as exc:
                # Logged here, answered as a plain 500 by the error handler: no stack trace
                # reaches the client, and the security headers still apply.
                await run_in_threadpool(db.rollback)
                logger.exception("unexpected error on %s %s", request.method, request.url.path)
                raise ServerError() from exc
            except BaseException:
                await run_in_threadpool(db.rollback)
                raise
            finally:
                await run_in_threadpool(db.close)
                # Error pages are rendered after this; a closed session must not be reused
                # (it would silently open a new transaction that nobody ends).
                request.state.db = None
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


def make_router(**kwargs: Any) -> APIRouter:
    """An APIRouter whose routes run in one transaction each."""
    return APIRouter(route_class=TransactionalRoute, **kwargs)
