"""JSON API: ``/api/v1/session`` (log in, who am I, log out)."""

from __future__ import annotations

from fastapi import Depends, Request, Response
from fastapi.responses import JSONResponse

from app.accounts import service
from app.accounts.schemas import LoginRequest, SessionRead, UserRead
from app.errors import NotAuthenticated
from app.web.deps import (
    DB,
    AnyUser,
    CurrentAuth,
    client_ip,
    csrf_exempt,
    get_settings,
    login_policy,
    public,
    session_cookie_name,
    set_session_cookie,
)
from app.web.errors import error_response
from app.web.routing import make_router

router = make_router(prefix="/api/v1", tags=["session"])

_ERRORS = {
    401: {"description": "Forkert brugernavn eller adgangskode"},
    429: {"description": "For mange forsøg; se Retry-After"},
}


@router.post(
    "/session",
    name="api:session_create",
    response_model=SessionRead,
    responses=_ERRORS,  # type: ignore[arg-type]
    dependencies=[Depends(public)],
)
@csrf_exempt
def create_session(request: Request, body: LoginRequest, db: DB, auth: CurrentAuth) -> Response:
    """Log in with user name and password; sets the session cookie. A session the browser
    still carried ends on the server."""
    result = service.log_in(
        db,
        username=body.username,
        password=body.password,
        client_ip=client_ip(request),
        user_agent=request.headers.get("user-agent", ""),
        policy=login_policy(get_settings(request)),
        replacing=(auth.user, auth.session) if auth is not None else None,
    )
    if result.error is not None or result.user is None or result.session is None:
        return error_response(request, result.error or NotAuthenticated())
    body_out = SessionRead(user=UserRead.of(result.user), csrf_token=result.session.csrf_token)
    response = JSONResponse(body_out.model_dump(mode="json"))
    set_session_cookie(request, response, result.token)
    return response


@router.get("/session", name="api:session_read", response_model=SessionRead)
def read_session(auth: CurrentAuth, user: AnyUser) -> SessionRead:
    """The logged-in user and the CSRF token."""
    assert auth is not None  # noqa: S101 - require_user has refused anonymous calls
    return SessionRead(user=UserRead.of(user), csrf_token=auth.session.csrf_token)


@router.delete("/session", name="api:session_delete", status_code=204)
def delete_session(request: Request, db: DB, auth: CurrentAuth, user: AnyUser) -> Response:
    """Log out: the session is invalid at once, server side."""
    assert auth is not None  # noqa: S101
    service.end_session(db, user, auth.session)
    response = Response(status_code=204)
    response.delete_cookie(session_cookie_name(get_settings(request)), path="/")
    return response
