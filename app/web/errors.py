"""The one error handler: an AppError rendered as API JSON, an HTMX alert, or an error page."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from app.errors import (
    AppError,
    Forbidden,
    Invalid,
    NotAuthenticated,
    NotFound,
    PayloadTooLarge,
    ServerError,
    SessionExpired,
)
from app.web import htmx
from app.web.deps import keep_session_end
from app.web.routing import route_label
from app.web.templating import render

logger = logging.getLogger("trivsel.errors")

_STATUS_ERRORS: dict[int, type[AppError]] = {
    401: NotAuthenticated,
    403: Forbidden,
    404: NotFound,
    413: PayloadTooLarge,
}
_PAGE_TEMPLATES = {401, 403, 404, 409, 413, 422, 429, 500}


class ErrorDetail(BaseModel):
    """One offending field (or, for content errors, a line and path)."""

    model_config = ConfigDict(extra="allow")

    field: str | None = None
    message: str


class ErrorInfo(BaseModel):
    """The error of api.md."""

    code: str
    message: str
    details: list[ErrorDetail]


class ErrorBody(BaseModel):
    """Every 4xx/5xx answer of the JSON API: ``{"error": {"code", "message", "details"}}``."""

    error: ErrorInfo


def document_errors(app: FastAPI) -> None:
    """Describe our error body in /openapi.json instead of FastAPI's default 422 shape."""
    from fastapi.openapi.utils import get_openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, summary=app.summary, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.pop("ValidationError", None)
        components["HTTPValidationError"] = ErrorBody.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        for name, definition in components["HTTPValidationError"].pop("$defs", {}).items():
            components[name] = definition
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def is_api(request: Request) -> bool:
    """True for the JSON API."""
    return request.url.path.startswith("/api/")


def error_response(request: Request, error: AppError) -> Response:
    """Render ``error`` for the kind of client that asked."""
    keep_session_end(request)
    if is_api(request):
        return JSONResponse(error.to_json(), status_code=error.status, headers=error.headers)
    if isinstance(error, SessionExpired) and request.headers.get("HX-Request") == "true":
        # The page stays, with what was typed (static/js/session.js asks to log in again).
        return JSONResponse(error.to_json(), status_code=error.status, headers=error.headers)
    if isinstance(error, NotAuthenticated):
        url = "/login?next=" + quote(_return_to(request), safe="/")
        if isinstance(error, SessionExpired) or getattr(request.state, "session_expired", False):
            url += "&expired=1"
        if request.headers.get("HX-Request") == "true":
            return Response(status_code=401, headers={"HX-Redirect": url})
        return RedirectResponse(url, status_code=303)
    if htmx.is_htmx(request):
        return render(
            request,
            "errors/_alert.html",
            {"error": error},
            status_code=error.status,
            headers=error.headers,
        )
    template = f"errors/{error.status if error.status in _PAGE_TEMPLATES else 'error'}.html"
    return render(
        request, template, {"error": error}, status_code=error.status, headers=error.headers
    )


def _return_to(request: Request) -> str:
    """Where the login leads back to: the page asked for, or, for a form sent from a page
    (a POST cannot be repeated by a link), that page when it is ours."""
    if request.method in ("GET", "HEAD"):
        target = request.url.path
        return target + "?" + request.url.query if request.url.query else target
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.url.netloc and referer.path.startswith("/"):
        return referer.path
    return "/"


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    details = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ()) if part not in ("body", "query", "form")]
        details.append({"field": ".".join(loc) or "body", "message": err.get("msg", "")})
    return details


def install(app: FastAPI) -> None:
    """Register the handlers on ``app`` and document the error body."""
    document_errors(app)

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        return error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, Invalid(details=_validation_details(exc)))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        error_type = _STATUS_ERRORS.get(exc.status_code)
        if error_type is not None:
            error = error_type()
        elif exc.status_code == 405:
            error = AppError("Metoden er ikke tilladt her.", code="method_not_allowed", status=405)
        else:
            error = AppError(code="http_error", status=exc.status_code)
        return error_response(request, error)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        logger.exception("unexpected error on %s %s", request.method, route_label(request.scope))
        return error_response(request, ServerError())
