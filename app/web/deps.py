"""Request dependencies: the database session, the current user, role checks and CSRF.

Every route declares who may use it with ``require_role(...)``, ``require_user`` or
``public``; ``tests/test_routes.py`` fails for a route that declares none.

The dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def`` dependency in
a worker thread, and each such trip costs more than the check itself. The one that reads the
database (the session lookup) goes to a worker thread only when there is a cookie to look up,
and for a plain ``def`` view it runs in the view's own thread, just before the view
(``TransactionalRoute``): on the event loop ``require_user`` and ``require_role`` then check
only that a signed cookie is there and answer ``PENDING``; the thread looks the session up,
compares the CSRF token and checks the role (``_resolve_here``), in that order, before the
view sees the user.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import object_session
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app import db as database
from app import messages
from app.accounts import service as accounts
from app.accounts.models import Role, User, UserSession
from app.db import id_of
from app.errors import CSRFError, Forbidden, NotAuthenticated, SessionExpired
from app.settings import Settings
from app.web.routing import DEFER_KEY, PENDING, request_session

CSRF_FORM_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class CurrentUser:
    """A plain snapshot of the logged-in user for templates and error pages."""

    id: int
    username: str
    display_name: str
    role: Role
    institution_id: int | None
    district_id: int | None
    #: False for a user of the identity provider (no "Skift adgangskode").
    has_password: bool = True

    @property
    def role_label(self) -> str:
        """The role in Danish."""
        return self.role.label

    @classmethod
    def of(cls, user: User) -> CurrentUser:
        """Snapshot a user row."""
        return cls(
            id=id_of(user),
            username=user.username,
            display_name=user.display_name,
            role=user.role_enum,
            institution_id=user.institution_id,
            district_id=user.district_id,
            has_password=user.has_password,
        )


@dataclass(frozen=True)
class Auth:
    """The logged-in user and their server-side session (``live``: its id and CSRF token as
    read; ``session``: its ORM row, built on first use, for the few views that change it)."""

    user: User
    live: accounts.LiveSession

    @property
    def csrf_token(self) -> str:
        """The session's CSRF token."""
        return self.live.csrf_token

    @cached_property
    def session(self) -> UserSession:
        """The session's row, in the request's database session (the user's)."""
        db = object_session(self.user)
        if db is None:
            raise RuntimeError("the user of a live session is not in a database session")
        return self.live.row(db)  # type: ignore[arg-type]


def session_cookie_name(settings: Settings) -> str:
    """``__Host-`` prefixed when cookies are Secure, so no subdomain can set it."""
    return "__Host-trivsel_session" if settings.cookie_secure else "trivsel_session"


def csrf_cookie_name(settings: Settings) -> str:
    """The pre-login CSRF cookie (double-submit, signed)."""
    return "__Host-trivsel_csrf" if settings.cookie_secure else "trivsel_csrf"


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def db_of(request: Request) -> Session:
    """The request's database session, opened on first use; ``TransactionalRoute`` commits
    it once (or rolls it back) and closes it."""
    holder = request_session(request)
    if holder is None:
        raise RuntimeError("a database session is only available inside a TransactionalRoute")
    return holder.get()


async def get_db(request: Request) -> Session:
    """The request's database session (a dependency; see :func:`db_of`)."""
    return db_of(request)


def open_db(request: Request) -> Session | None:
    """The request's session if the request has opened one and it is still open, else None
    (for context hooks: they never open one of their own)."""
    holder = request_session(request)
    return holder.session if holder is not None and not holder.closed else None


def login_policy(settings: Settings) -> accounts.LoginPolicy:
    """The throttling and session policy from the settings."""
    return accounts.LoginPolicy(
        max_failures_per_user=settings.login_max_failures_per_user,
        max_failures_per_client=settings.login_max_failures_per_client,
        failure_window=dt.timedelta(minutes=settings.login_failure_window_minutes),
        idle_timeout=dt.timedelta(minutes=settings.session_idle_minutes),
        max_age=dt.timedelta(hours=settings.session_max_hours),
    )


def _policy(request: Request) -> accounts.LoginPolicy:
    """The app's policy, built once per app."""
    state = request.app.state
    policy: accounts.LoginPolicy | None = getattr(state, "login_policy", None)
    if policy is None:
        policy = state.login_policy = login_policy(get_settings(request))
    return policy


def _signer(request: Request, salt: str) -> URLSafeSerializer:
    """The app's signer for ``salt``, made once per app."""
    state = request.app.state
    signers: dict[str, URLSafeSerializer] | None = getattr(state, "signers", None)
    if signers is None:
        signers = state.signers = {}
    signer = signers.get(salt)
    if signer is None:
        signer = signers[salt] = URLSafeSerializer(state.secret_key, salt=salt)
    return signer


#: Verified session cookies kept per app (cookie value → token), so a request of a known
#: cookie skips the signature check (a key derivation and an HMAC, about 4 % of an
#: evaluation's CPU). Only cookies whose signature was valid get in, so a client cannot fill
#: it with forgeries; it is emptied when full. It says nothing about whether the session is
#: live: the session row is still read on every request.
VERIFIED_COOKIES_MAX = 10_000


def session_token_of(request: Request, raw: str) -> str | None:
    """The session token a signed cookie value carries, or None for a forged one."""
    state = request.app.state
    verified: dict[str, str] | None = getattr(state, "verified_cookies", None)
    if verified is None:
        verified = state.verified_cookies = {}
    token = verified.get(raw)
    if token is not None:
        return token
    try:
        value = _signer(request, "session").loads(raw)
    except BadSignature:
        return None
    if not isinstance(value, str):
        return None
    if len(verified) >= VERIFIED_COOKIES_MAX:
        verified.clear()
    verified[raw] = value
    return value


def sign_session_token(request: Request, token: str) -> str:
    """The cookie value for a session token."""
    return str(_signer(request, "session").dumps(token))


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


async def current_auth(request: Request) -> Auth | None:
    """The live session from the cookie, or None. Sets ``request.state.current_user``.

    Without a session cookie nothing is read; with one, the session row and its user are read
    in one query (in a worker thread, never on the event loop)."""
    raw = request.cookies.get(session_cookie_name(get_settings(request)))
    if not raw:
        return None
    token = session_token_of(request, raw)
    if token is not None and request.scope.get(DEFER_KEY):
        # Looked up in the view's thread (``_resolve_here``); until then the request has a
        # session that may or may not be live.
        request.scope[_SESSION_KEY] = token
        return None
    auth: Auth | None = None
    if token is not None:
        found = await run_in_threadpool(
            accounts.resolve_session, db_of(request), token=token, policy=_policy(request)
        )
        auth = _found(request, token, found)
    request.state.session_expired = auth is None
    return auth


current_auth.__trivsel_auth__ = True  # type: ignore[attr-defined]

#: Where a deferred request keeps its session token, the CSRF token it supplied (None: no
#: check) and, once resolved, its ``Auth``.
_SESSION_KEY = "trivsel.session"
_SUPPLIED_KEY = "trivsel.csrf_supplied"
_AUTH_KEY = "trivsel.auth"


def _found(
    request: Request, token: str, found: tuple[User, accounts.LiveSession] | None
) -> Auth | None:
    """The ``Auth`` of a looked-up session (and the request's state), or None for one that
    has ended (kept for ``keep_session_end``)."""
    if found is None:
        request.state.ended_token = token
        return None
    auth = Auth(user=found[0], live=found[1])
    request.state.current_user = CurrentUser.of(auth.user)
    request.state.csrf_token = auth.csrf_token
    return auth


def _deferred(request: Request) -> bool:
    """True when this request's session is looked up in the view's thread."""
    return _SESSION_KEY in request.scope


def _resolve_here(request: Request) -> Auth:
    """In the view's worker thread: the deferred session looked up (once per request), its
    CSRF token compared, or the refusal the event loop would have given (401, 403)."""
    auth: Auth | None = request.scope.get(_AUTH_KEY)
    if auth is not None:
        return auth
    token: str = request.scope[_SESSION_KEY]
    found = accounts.resolve_session(db_of(request), token=token, policy=_policy(request))
    auth = _found(request, token, found)
    request.state.session_expired = auth is None
    if auth is None:
        # What csrf_protect and require_user answer for an ended session, either way.
        raise SessionExpired()
    supplied = request.scope.get(_SUPPLIED_KEY)
    if supplied is not None and not _same_token(auth.csrf_token, supplied):
        raise CSRFError()
    request.scope[_AUTH_KEY] = auth
    return auth


def _same_token(expected: str | None, supplied: str) -> bool:
    return (
        bool(expected)
        and bool(supplied)
        and hmac.compare_digest(str(expected).encode(), supplied.encode())
    )


def _ended_session(request: Request) -> bool:
    """True when the request came from a page of a session that has ended: its cookie was
    presented but is no longer live, or (its cookie gone, logged out in another tab) an
    HTMX or JSON request carries a session's CSRF header."""
    if getattr(request.state, "session_expired", False):
        return True
    htmx = request.headers.get("HX-Request") == "true"
    return (htmx or request.url.path.startswith("/api/")) and bool(request.headers.get(CSRF_HEADER))


def keep_session_end(request: Request) -> None:
    """After a refused request of an ended session: its end (and the audit line of an
    expiry) in a transaction of its own, since the request's own was rolled back."""
    token = getattr(request.state, "ended_token", None)
    if token is None:
        return
    request.state.ended_token = None
    with database.session_scope(request.app.state.engine) as session:
        accounts.resolve_session(session, token=token, policy=_policy(request))


async def require_user(
    request: Request, auth: Annotated[Auth | None, Depends(current_auth)]
) -> User:
    """The logged-in user, or 401 (``session_expired`` for a session that has ended);
    ``PENDING`` when the view's thread looks the session up."""
    if auth is None:
        if _deferred(request):
            return PENDING  # type: ignore[no-any-return]
        raise SessionExpired() if _ended_session(request) else NotAuthenticated()
    return auth.user


def _user_here(request: Request) -> User:
    return _resolve_here(request).user


require_user.__trivsel_access__ = "user"  # type: ignore[attr-defined]
require_user.__trivsel_in_thread__ = _user_here  # type: ignore[attr-defined]


def require_role(*roles: Role) -> Callable[..., Coroutine[Any, Any, User]]:
    """A dependency that lets only users with one of ``roles`` through (403 otherwise)."""
    allowed = frozenset(roles)

    def check(user: User) -> User:
        if user.role_enum not in allowed:
            raise Forbidden()
        return user

    async def dependency(user: Annotated[User, Depends(require_user)]) -> User:
        return user if user is PENDING else check(user)

    def in_thread(request: Request) -> User:
        return check(_resolve_here(request).user)

    dependency.__trivsel_access__ = "roles:" + ",".join(sorted(allowed))  # type: ignore[attr-defined]
    dependency.__trivsel_in_thread__ = in_thread  # type: ignore[attr-defined]
    return dependency


async def public() -> None:
    """Marks a route as open to everyone (login, health checks, manifest)."""


public.__trivsel_access__ = "public"  # type: ignore[attr-defined]


def csrf_exempt(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a view that needs no CSRF token (only the JSON login, per api.md)."""
    endpoint.__trivsel_csrf_exempt__ = True  # type: ignore[attr-defined]
    return endpoint


def anonymous_csrf_token(request: Request) -> str:
    """The pre-login CSRF token: reused from its signed cookie, or new (and set)."""
    settings = get_settings(request)
    signer = _signer(request, "csrf")
    raw = request.cookies.get(csrf_cookie_name(settings))
    if raw:
        try:
            value = signer.loads(raw)
            if isinstance(value, str) and len(value) >= 20:
                request.state.csrf_token = value
                return value
        except BadSignature:
            pass
    value = secrets.token_urlsafe(32)
    request.state.csrf_token = value
    cookies = getattr(request.state, "set_cookies", [])
    cookies.append(
        {
            "key": csrf_cookie_name(settings),
            "value": signer.dumps(value),
            "httponly": True,
            "samesite": "lax",
            "secure": settings.cookie_secure,
            "path": "/",
        }
    )
    request.state.set_cookies = cookies
    return value


async def csrf_protect(
    request: Request, auth: Annotated[Auth | None, Depends(current_auth)]
) -> None:
    """Refuses unsafe requests without the session's (or pre-login) token: 403."""
    if request.method in SAFE_METHODS:
        return
    endpoint = request.scope.get("endpoint")
    if getattr(endpoint, "__trivsel_csrf_exempt__", False):
        return
    deferred = auth is None and _deferred(request)
    if auth is not None:
        expected = auth.csrf_token
    else:
        raw = request.cookies.get(csrf_cookie_name(get_settings(request)))
        try:
            expected = _signer(request, "csrf").loads(raw) if raw else ""
        except BadSignature:
            expected = ""
    supplied = request.headers.get(CSRF_HEADER, "")
    content_type = request.headers.get("content-type", "")
    if not supplied and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FORM_FIELD)
        supplied = value if isinstance(value, str) else ""
    if deferred:
        request.scope[_SUPPLIED_KEY] = supplied  # compared with the session's in the thread
        return
    if not _same_token(expected, supplied):
        # A page whose session has ended sends its old token: say so (401), so that the page
        # keeps what was typed and asks its owner to log in again (docs/security.md).
        if auth is None and _ended_session(request):
            raise SessionExpired()
        raise CSRFError()


csrf_protect.__trivsel_defer_aware__ = True  # type: ignore[attr-defined]


def session_expired_message(request: Request) -> str | None:
    """The Danish notice shown on the login page after an idle timeout."""
    return messages.SESSION_EXPIRED if getattr(request.state, "session_expired", False) else None


DB = Annotated[Session, Depends(get_db)]
CurrentAuth = Annotated[Auth | None, Depends(current_auth)]
AnyUser = Annotated[User, Depends(require_user)]
AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]
StaffOrLeader = Annotated[User, Depends(require_role(Role.STAFF, Role.LEADER))]
