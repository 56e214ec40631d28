"""One transaction per request: the route class opens the session, commits once, or rolls back."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from app.errors import AppError, ServerError

logger = logging.getLogger("trivsel.errors")


class TransactionalRoute(APIRoute):
    """Commits the request's database session after the view returns, before the response
    is sent, so a response never claims success for work that failed to commit."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route_handler(request: Request) -> Response:
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


def make_router(**kwargs: Any) -> APIRouter:
    """An APIRouter whose routes run in one transaction each."""
    return APIRouter(route_class=TransactionalRoute, **kwargs)
