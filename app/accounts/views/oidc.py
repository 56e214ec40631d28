"""HTML: sign-in through the municipality's identity provider (OpenID Connect).

``GET /login/oidc`` keeps ``state``, ``nonce`` and the PKCE verifier in a short-lived signed
cookie and redirects (302) to the provider; ``GET /login/oidc/callback`` takes the cookie
(cleared whatever happens: a flow is used once), compares ``state``, exchanges the code and
validates the ID token (``app.accounts.oidc``), then the service maps the claims to a user.
"""

from __future__ import annotations

import hmac

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app import messages
from app.accounts import service
from app.accounts.oidc import Flow, OidcClient, OidcError
from app.accounts.views.login import login_page, safe_next
from app.errors import NotFound
from app.settings import Settings
from app.web import htmx
from app.web.deps import (
    DB,
    CurrentAuth,
    client_ip,
    get_settings,
    login_policy,
    public,
    set_session_cookie,
)
from app.web.routing import make_router

router = make_router(include_in_schema=False)

#: How long a sign-in at the provider may take before the flow cookie is refused.
FLOW_MAX_AGE_SECONDS = 600


def flow_cookie_name(settings: Settings) -> str:
    """``__Host-`` prefixed when cookies are Secure."""
    return "__Host-trivsel_oidc" if settings.cookie_secure else "trivsel_oidc"


def oidc_client(request: Request) -> OidcClient:
    """The app's relying party (made at start, it caches discovery and keys); NotFound when
    no provider is configured."""
    client: OidcClient | None = getattr(request.app.state, "oidc_client", None)
    if client is None:
        raise NotFound()
    return client


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.secret_key, salt="oidc-flow")


def _redirect_uri(request: Request) -> str:
    configured = get_settings(request).oidc_redirect_uri
    return configured or str(request.url_for("accounts:oidc_callback"))


def _clear_flow(request: Request, response: Response) -> Response:
    settings = get_settings(request)
    response.delete_cookie(
        flow_cookie_name(settings), path="/", secure=settings.cookie_secure, httponly=True
    )
    return response


@router.get("/login/oidc", name="accounts:oidc_start", dependencies=[Depends(public)])
def oidc_start(request: Request, next: str | None = None) -> Response:
    """Redirect (302) to the provider's authorization endpoint."""
    client = oidc_client(request)
    try:
        url, flow = client.start(redirect_uri=_redirect_uri(request), next_url=safe_next(next))
    except OidcError:
        return login_page(
            request, next_url=safe_next(next), error=messages.OIDC_UNAVAILABLE, status_code=503
        )
    settings = get_settings(request)
    response = RedirectResponse(url, status_code=302)
    response.set_cookie(
        flow_cookie_name(settings),
        _serializer(request).dumps(flow.dump()),
        max_age=FLOW_MAX_AGE_SECONDS,
        httponly=True,
        samesite="lax",  # the callback is a top-level GET from the provider's site
        secure=settings.cookie_secure,
        path="/",
    )
    return response


def _failed(request: Request, db: DB, reason: str, *, message: str, status: int) -> Response:
    service.oidc_failed(db, reason=reason)
    response = login_page(request, next_url="/", error=message, status_code=status)
    return _clear_flow(request, response)


@router.get("/login/oidc/callback", name="accounts:oidc_callback", dependencies=[Depends(public)])
def oidc_callback(request: Request, db: DB, auth: CurrentAuth) -> Response:
    """The provider's answer: check state, exchange the code, validate, sign in or refuse."""
    client = oidc_client(request)
    raw = request.cookies.get(flow_cookie_name(get_settings(request)), "")
    try:
        payload = _serializer(request).loads(raw, max_age=FLOW_MAX_AGE_SECONDS) if raw else None
    except BadSignature:
        payload = None
    flow = Flow.load(payload)
    params = request.query_params
    if flow is None:
        return _failed(request, db, "no_flow", message=messages.OIDC_FAILED, status=400)
    if not hmac.compare_digest(params.get("state", "").encode(), flow.state.encode()):
        return _failed(request, db, "state_mismatch", message=messages.OIDC_FAILED, status=400)
    if params.get("error") or not params.get("code"):
        reason = f"provider_error:{params.get('error', 'no_code')[:60]}"
        return _failed(request, db, reason, message=messages.OIDC_FAILED, status=400)
    try:
        signed_in = client.finish(
            code=params["code"],
            flow=flow,
            redirect_uri=_redirect_uri(request),
            returned_issuer=params.get("iss"),
        )
    except OidcError as error:
        unreachable = error.code == "provider_unreachable"
        return _failed(
            request,
            db,
            error.code,
            message=messages.OIDC_UNAVAILABLE if unreachable else messages.OIDC_FAILED,
            status=503 if unreachable else 400,
        )
    result = service.oidc_sign_in(
        db,
        claims=signed_in.claims,
        config=get_settings(request).oidc_claim_config(),
        id_token=signed_in.id_token,
        client_ip=client_ip(request),
        user_agent=request.headers.get("user-agent", ""),
        policy=login_policy(get_settings(request)),
        replacing=(auth.user, auth.session) if auth is not None else None,
    )
    if result.error is not None:
        page = login_page(
            request, next_url="/", error=result.error.message, status_code=result.error.status
        )
        return _clear_flow(request, page)
    response = htmx.redirect(request, flow.next_url)
    set_session_cookie(request, response, result.token)
    return _clear_flow(request, response)
