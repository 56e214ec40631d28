"""Pure ASGI middleware: request context, body-size limit and security headers on every response."""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.audit.context import RequestContext, current_request
from app.errors import PayloadTooLarge

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)
STATIC_PREFIX = "/static/"
VENDOR_PREFIX = "/static/vendor/"


class _BodyTooLarge(HTTPException):
    """Raised from ``receive``; FastAPI re-raises HTTPExceptions, so the app's error handler
    answers 413 in the api.md shape."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


def _is_trusted(address: str, trusted: Sequence[IPv4Network | IPv6Network]) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in trusted)


def resolve_client(
    peer: str, forwarded_for: Sequence[str], trusted: Sequence[IPv4Network | IPv6Network]
) -> str:
    """The client's address: the peer, unless the peer is a trusted proxy; then the
    right-most address of ``X-Forwarded-For`` that is not itself a trusted proxy (every hop
    appends the address it saw, so only the right end is vouched for). A client never
    chooses the address the audit log and the login throttle see."""
    if not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",")]
    client = peer
    for hop in reversed([hop for hop in hops if hop]):
        try:
            ip_address(hop)
        except ValueError:
            break  # garbage from before the last trusted proxy: keep what that proxy saw
        client = hop
        if not _is_trusted(hop, trusted):
            break
    return client


class SecurityMiddleware:
    """Sets the request context for the audit log, refuses bodies over the limit with 413 and
    adds the security headers; pages and API answers get ``Cache-Control: no-store``.

    ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed only from ``trusted_proxies``
    (none by default); the resolved address replaces the ASGI ``client``, so every later
    reader (audit, throttle, sessions) sees the same one."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        hsts: bool,
        trusted_proxies: Sequence[IPv4Network | IPv6Network] = (),
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.hsts = hsts
        self.trusted_proxies = tuple(trusted_proxies)

    def _resolve_proxy_headers(self, scope: Scope, headers: Headers) -> None:
        client = scope.get("client")
        trusted = self.trusted_proxies
        if not trusted or not client or not _is_trusted(client[0], trusted):
            return
        address = resolve_client(client[0], headers.getlist("x-forwarded-for"), trusted)
        scope["client"] = (address, 0 if address != client[0] else client[1])
        proto = headers.get("x-forwarded-proto", "").split(",")[-1].strip().lower()
        if proto in ("http", "https"):
            scope["scheme"] = proto

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        self._resolve_proxy_headers(scope, headers)
        request_id = headers.get("x-request-id", "")[:64] or secrets.token_hex(8)
        client = scope.get("client")
        token = current_request.set(
            RequestContext(client_ip=client[0] if client else "", request_id=request_id)
        )
        path: str = scope["path"]
        # An HTMX request (fetched by a script, never a navigation: a browser sends HX-Request
        # only when a script sets it) gets an HTML fragment, not a document.
        fragment = headers.get("hx-request") == "true"
        try:
            length = headers.get("content-length")
            if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
                await self._too_large(scope, send, request_id)
                return
            received = 0
            response_started = False

            async def limited_receive() -> Message:
                nonlocal received
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > self.max_body_bytes:
                        raise _BodyTooLarge
                return message

            async def send_with_headers(message: Message) -> None:
                nonlocal response_started
                if message["type"] == "http.response.start":
                    response_started = True
                    self._add_headers(message, path, request_id, fragment=fragment)
                await send(message)

            try:
                await self.app(scope, limited_receive, send_with_headers)
            except _BodyTooLarge:
                if response_started:
                    raise
                await self._too_large(scope, send, request_id)
        finally:
            current_request.reset(token)

    def _add_headers(
        self, message: Message, path: str, request_id: str, *, fragment: bool = False
    ) -> None:
        out = MutableHeaders(scope=message)
        out["X-Content-Type-Options"] = "nosniff"
        out["X-Request-ID"] = request_id
        if not fragment:
            # Document headers. A fragment fetched by htmx is never rendered as a document, so
            # they would only cost bytes on every tick (docs/security.md, docs/performance.md).
            out.setdefault("Content-Security-Policy", CSP)
            out["Referrer-Policy"] = "same-origin"
            out["X-Frame-Options"] = "DENY"
            out["Permissions-Policy"] = PERMISSIONS_POLICY
            out["Cross-Origin-Opener-Policy"] = "same-origin"
        if self.hsts:
            out["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if path.startswith(VENDOR_PREFIX):
            out["Cache-Control"] = "public, max-age=31536000, immutable"
        elif path.startswith(STATIC_PREFIX):
            out["Cache-Control"] = "no-cache"
        elif "cache-control" not in out:
            out["Cache-Control"] = "no-store"

    async def _too_large(self, scope: Scope, send: Send, request_id: str) -> None:
        error = PayloadTooLarge()
        if scope["path"].startswith("/api/"):
            body = json.dumps(error.to_json()).encode()
            content_type = "application/json"
        else:
            body = (
                '<!doctype html><html lang="da"><head><meta charset="utf-8">'
                "<title>For stor forespørgsel – Trivselsguiden</title></head><body><main>"
                f"<h1>For stor forespørgsel</h1><p>{error.message}</p></main></body></html>"
            ).encode()
            content_type = "text/html; charset=utf-8"
        start: dict[str, Any] = {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", content_type.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
        self._add_headers(start, scope["path"], request_id)
        await send(start)
        await send({"type": "http.response.body", "body": body})


PUBLIC_COMPRESSIBLE = ("/static/", "/sw.js", "/manifest.webmanifest")
SAME_ORIGIN_FETCH = frozenset({"same-origin", "none"})


class SameOriginGZipMiddleware:
    """Gzip for a tablet on weak Wi-Fi, without a compression oracle (BREACH).

    Public files are always compressed. Pages, fragments and JSON, which may hold a CSRF token
    beside text from the request, are compressed only when the browser says the request came
    from this origin or from the user (``Sec-Fetch-Site: same-origin | none``): a request that
    another site makes the browser send is answered uncompressed, so its length reveals nothing.
    """

    def __init__(self, app: ASGIApp, *, minimum_size: int = 500, compresslevel: int = 6) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size, compresslevel=compresslevel)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (
            str(scope["path"]).startswith(PUBLIC_COMPRESSIBLE)
            or Headers(scope=scope).get("sec-fetch-site", "") in SAME_ORIGIN_FETCH
        ):
            await self.gzip(scope, receive, send)
            return
        await self.app(scope, receive, send)
