"""JSON API: ``/api/v1/session`` (log in, who am I, log out)."""

from __future__ import annotations

from fastapi import Depends, Request, Response
from fastapi.responses import JSONResponse

from app.accounts import service
from app.accounts.schemas import LoginRequest, SessionRead, UserRead
from app.errors import NotAuthenticated, TooManyRequests
from app.web.deps import (
    DB,
    AnyUser,
    CurrentAuth,
    csrf_exempt,
    get_settings,
    login_policy,
    public,
    session_cookie_name,
    sign_session_token,
)
from app.web.errors import error_response
from app.web.routing import make_router

router = make_router(prefix="/api/v1", tags=["session"])

_ERRORS = {401: {"description": "Forkert brugernavn eller adgangskode"},
           429: {"description": "For mange forsøg; se Retry-After"}}


def client_ip(request: Request) -> str:
    """The client's address (uvicorn resolves trusted proxy headers)."""
    return request.client.host if request.client else ""


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    """The signed session cookie: HttpOnly, SameSite=Lax, Secure when configured."""
    settings = get_settings(request)
    response.set_cookie(
        session_cookie_name(settings),
        sign_session_token(request, token),
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
        max_age=settings.session_max_hours * 3600,
    )


@router.post(
    "/session",
    name="api:session_create",
    response_model=SessionRead,
    responses=_ERRORS,  # type: ignore[arg-type]
    dependencies=[Depends(public)],
)
@csrf_exempt
def create_session(request: Request, body: LoginRequest, db: DB) -> Response:
    """Log in with user name and password; sets the session cookie."""
    settings = get_settings(request)
    policy = login_policy(settings)
    outcome = service.attempt_login(
        db, username=body.username, password=body.password, client_ip=client_ip(request),
        policy=policy,
    )
    if outcome.throttled:
        return error_response(request, throttled_error(outcome.retry_after_seconds or 1))
    if outcome.user is None:
        from app import messages

        return error_response(request, NotAuthenticated(messages.LOGIN_FAILED,
                                                        code="invalid_credentials"))
    token, row = service.start_session(
        db, outcome.user, client_ip=client_ip(request),
        user_agent=request.headers.get("user-agent", ""), policy=policy,
    )
    body_out = SessionRead(user=UserRead.of(outcome.user), csrf_token=row.csrf_token)
    response = JSONResponse(body_out.model_dump(mode="json"))
    set_session_cookie(request, response, token)
    return response


def throttled_error(seconds: int) -> TooManyRequests:
    """The 429 refusal with ``Retry-After``."""
    from app import messages

    minutes = max(1, (seconds + 59) // 60)
    return TooManyRequests(
        messages.LOGIN_THROTTLED.format(minutes=minutes),
        headers={"Retry-After": str(seconds)},
    )


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
