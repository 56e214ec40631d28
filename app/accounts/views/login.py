"""HTML: logging in and out, and each user's own password."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from app import messages
from app.accounts import service
from app.accounts.oidc import end_session_url
from app.errors import Forbidden, Invalid
from app.web import htmx
from app.web.deps import (
    DB,
    AnyUser,
    CurrentAuth,
    anonymous_csrf_token,
    client_ip,
    get_settings,
    login_policy,
    public,
    session_cookie_name,
    session_expired_message,
    set_session_cookie,
)
from app.web.forms import form_error_response
from app.web.routing import make_router
from app.web.templating import render

router = make_router(include_in_schema=False)

# Printable ASCII a path, query or fragment may hold as it is; everything else (non-ASCII
# letters such as "€", spaces) is percent-encoded, so the Location header is always ASCII.
_URL_SAFE = "/?&=#%:@!$'()*+,;~-._"


def safe_next(target: str | None) -> str:
    """The page to go to after login: only a path on this site, or "/".

    Browsers drop tabs and newlines from a URL and read a backslash as a slash, so
    ``/\\t/host`` or ``/\\host`` would lead to another origin: any control character, any
    backslash, a leading ``//`` and anything with a scheme or host are refused. The path is
    returned percent-encoded (``/€`` → ``/%E2%82%AC``)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in target):
        return "/"
    encoded = quote(target, safe=_URL_SAFE)
    parts = urlsplit(encoded)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return "/"
    return encoded


# --- Login and logout -------------------------------------------------------------------


def login_page(
    request: Request,
    *,
    next_url: str,
    username: str = "",
    error: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """The login page: the provider's button when OIDC is configured, the password form
    unless ``TRIVSEL_PASSWORD_LOGIN=false``."""
    anonymous_csrf_token(request)
    notice = None
    if request.query_params.get("expired") == "1":
        notice = messages.SESSION_EXPIRED
    return render(
        request,
        "accounts/login.html",
        {
            "next_url": next_url,
            "username": username,
            "error": error,
            "notice": notice or session_expired_message(request),
        },
        status_code=status_code,
        headers=headers,
    )


@router.get("/login", name="accounts:login", dependencies=[Depends(public)])
def login_form(request: Request, auth: CurrentAuth, next: str | None = None) -> Response:
    """The login page (or straight on, when already logged in)."""
    if auth is not None:
        return htmx.redirect(request, safe_next(next))
    return login_page(request, next_url=safe_next(next))


@router.post("/login", name="accounts:login_submit", dependencies=[Depends(public)])
def login_submit(
    request: Request,
    db: DB,
    auth: CurrentAuth,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    """Check the credentials; throttled, failed and successful attempts are all audited."""
    target = safe_next(next)
    if not get_settings(request).password_login:
        return login_page(
            request, next_url=target, error=messages.PASSWORD_LOGIN_OFF, status_code=403
        )
    if not username.strip() or not password:
        return login_page(
            request,
            next_url=target,
            username=username,
            status_code=422,
            error="Skriv både brugernavn og adgangskode.",
        )
    result = service.log_in(
        db,
        username=username,
        password=password,
        client_ip=client_ip(request),
        user_agent=request.headers.get("user-agent", ""),
        policy=login_policy(get_settings(request)),
        replacing=(auth.user, auth.session) if auth is not None else None,
    )
    if result.error is not None:
        return login_page(
            request,
            next_url=target,
            username=username,
            error=result.error.message,
            status_code=result.error.status,
            headers=result.error.headers,
        )
    response = htmx.redirect(request, target)
    set_session_cookie(request, response, result.token)
    return response


@router.post("/logout", name="accounts:logout")
def logout(request: Request, db: DB, auth: CurrentAuth, user: AnyUser) -> Response:
    """End the session server side and clear the cookie; a session that came from the
    identity provider goes on to the provider's end-session endpoint (RP-initiated logout),
    which sends the browser back to the login page."""
    assert auth is not None  # noqa: S101 - require_user has refused anonymous calls
    id_token = auth.session.oidc_id_token
    service.end_session(db, user, auth.session)
    login_url = request.url_for("accounts:login")
    provider_logout = end_session_url(request.app.state.oidc_client, id_token, str(login_url))
    response = htmx.redirect(request, provider_logout or login_url.path)
    response.delete_cookie(session_cookie_name(get_settings(request)), path="/")
    return response


# --- Own account ------------------------------------------------------------------------


@router.get("/account/password", name="accounts:password")
def password_form(request: Request, user: AnyUser, changed: str = "") -> Response:
    """The form where every user changes their own password (not a user of the identity
    provider: they have none here)."""
    if not user.has_password:
        raise Forbidden(messages.NO_LOCAL_PASSWORD, code="no_local_password")
    message = messages.PASSWORD_CHANGED if changed == "1" else ""
    return render(request, "accounts/password.html", {"errors": {}, "changed": message})


@router.post("/account/password", name="accounts:password_submit")
def password_submit(
    request: Request,
    db: DB,
    auth: CurrentAuth,
    user: AnyUser,
    current_password: Annotated[str, Form(max_length=256)] = "",
    new_password: Annotated[str, Form(max_length=256)] = "",
    repeat_password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    """Change the user's own password; their other sessions end, this one stays."""
    assert auth is not None  # noqa: S101 - require_user has refused anonymous calls
    try:
        service.change_own_password(
            db,
            user,
            current=current_password,
            new=new_password,
            repeat=repeat_password,
            keep=auth.session,
            client_ip=client_ip(request),
            policy=login_policy(get_settings(request)),
        )
    except Invalid as error:
        return form_error_response(request, "accounts/password.html", {"changed": ""}, error)
    return htmx.redirect(request, request.url_for("accounts:password").path + "?changed=1")
