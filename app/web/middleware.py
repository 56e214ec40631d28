"""Pure ASGI middleware: request context, body-size limit and security headers on every response."""

from __future__ import annotations

import itertools
import json
import logging
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import Any

from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.audit.context import RequestContext, current_request
from app.errors import PayloadTooLarge
from app.web.metrics import Metrics
from app.web.routing import route_label

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)
#: A request id the client may choose: what a proxy or a tracing header gives (a UUID, a
#: hex id, ``abc.123:4``), never free text.
_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:-]{1,64}")
STATIC_PREFIX = "/static/"
VENDOR_PREFIX = "/static/vendor/"
IMMUTABLE = b"public, max-age=31536000, immutable"
NO_CACHE = b"no-cache"
_CSP = CSP.encode()
#: Set by this middleware: a value the app set is replaced (Content-Security-Policy and
#: Cache-Control are kept when the app chose its own).
_OURS = frozenset(
    {
        b"x-content-type-options",
        b"x-request-id",
        b"referrer-policy",
        b"x-frame-options",
        b"permissions-policy",
        b"cross-origin-opener-policy",
        b"strict-transport-security",
    }
)

access_log = logging.getLogger("trivsel.access")


def _cache_control(path: str) -> bytes | None:
    """Vendored files never change under their name; our own static files are revalidated."""
    if path.startswith(VENDOR_PREFIX):
        return IMMUTABLE
    return NO_CACHE if path.startswith(STATIC_PREFIX) else None


def _extend_headers(
    message: Message,
    extra: list[tuple[bytes, bytes]],
    request_id: bytes,
    cache_control: bytes | None,
    *,
    document: bool,
    csp: bytes = _CSP,
) -> None:
    """Append the security headers to a response start (one pass over its headers)."""
    headers = list(message.get("headers", ()))
    has_csp = has_cache_control = replace = False
    for name, _value in headers:
        name = name.lower()
        if name == b"content-security-policy":
            has_csp = True
        elif name == b"cache-control":
            has_cache_control = True
        elif name in _OURS:
            replace = True
    if replace:
        headers = [(n, v) for n, v in headers if n.lower() not in _OURS]
    if cache_control is not None:
        if has_cache_control:
            headers = [(n, v) for n, v in headers if n.lower() != b"cache-control"]
        headers.append((b"cache-control", cache_control))
    elif not has_cache_control:
        headers.append((b"cache-control", b"no-store"))
    headers.extend(extra)
    headers.append((b"x-request-id", request_id))
    if document and not has_csp:
        headers.append((b"content-security-policy", csp))
    message["headers"] = headers


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
    """Sets the request context for the audit log, refuses bodies over the limit with 413,
    adds the security headers (pages and API answers get ``Cache-Control: no-store``),
    compresses where it is safe and pays (:class:`Compression`), writes the access log and
    counts the request for ``/metrics`` (when metrics are on).

    ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed only from ``trusted_proxies``
    (none by default); the resolved address replaces the ASGI ``client``, so every later
    reader (audit, throttle, sessions) sees the same one.

    One layer, and cheap on every request: the request headers are read in one pass over the
    raw list, the response headers are appended as prepared byte pairs, ``receive`` is only
    wrapped for a body without a length, and the request id is a per-process prefix and a
    counter (unique, not secret) instead of fresh randomness."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        hsts: bool,
        trusted_proxies: Sequence[IPv4Network | IPv6Network] = (),
        compression: Compression | None = None,
        form_action_origins: Sequence[str] = (),
        metrics: Metrics | None = None,
    ) -> None:
        self.app = app
        self.metrics = metrics
        # A form may also lead to these origins (the logout's redirect to the identity
        # provider's end-session endpoint: form-action covers a form's redirects too).
        self._csp = (
            CSP.replace(
                "form-action 'self'", " ".join(["form-action 'self'", *form_action_origins])
            )
        ).encode()
        self.max_body_bytes = max_body_bytes
        self.hsts = hsts
        self.trusted_proxies = tuple(trusted_proxies)
        self.compression = compression
        self.gzip = (
            GZipMiddleware(
                app, minimum_size=compression.minimum_size, compresslevel=compression.level
            )
            if compression is not None
            else None
        )
        self._ids = itertools.count(1)
        self._id_prefix = secrets.token_hex(4)
        common = [(b"x-content-type-options", b"nosniff")]
        if hsts:
            common.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
        self._fragment_headers = common
        self._document_headers = [
            *common,
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
            (b"permissions-policy", PERMISSIONS_POLICY.encode()),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]

    def _resolve_proxy_headers(self, scope: Scope, forwarded_for: list[str], proto: str) -> None:
        client = scope.get("client")
        trusted = self.trusted_proxies
        if not client or not _is_trusted(client[0], trusted):
            return
        address = resolve_client(client[0], forwarded_for, trusted)
        scope["client"] = (address, 0 if address != client[0] else client[1])
        proto = proto.split(",")[-1].strip().lower()
        if proto in ("http", "https"):
            scope["scheme"] = proto

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        # One pass over the raw request headers (ASGI servers give lower-case names).
        length = request_id = fetch_site = accept_encoding = proto = b""
        htmx = chunked = False
        forwarded_for: list[str] = []
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = value
            elif name == b"transfer-encoding":
                chunked = True
            elif name == b"hx-request":
                htmx = value == b"true"
            elif name == b"x-request-id":
                request_id = value
            elif name == b"sec-fetch-site":
                fetch_site = value
            elif name == b"accept-encoding":
                accept_encoding = value
            elif name == b"x-forwarded-for":
                forwarded_for.append(value.decode("latin-1"))
            elif name == b"x-forwarded-proto":
                proto = value
        if self.trusted_proxies:
            self._resolve_proxy_headers(scope, forwarded_for, proto.decode("latin-1"))
        # A client's (or proxy's) own id is kept only when it is a plain token: it goes into
        # every log line and a response header, so no spaces, quotes or control characters
        # that could forge a log field (and at most 64 characters); otherwise one of ours.
        rid = (
            request_id.decode("latin-1")
            if _REQUEST_ID.fullmatch(request_id)
            else f"{self._id_prefix}{next(self._ids):08x}"
        )
        client = scope.get("client")
        token = current_request.set(
            RequestContext(client_ip=client[0] if client else "", request_id=rid)
        )
        path: str = scope["path"]
        status = 0
        try:
            if length and (not length.isdigit() or int(length) > self.max_body_bytes):
                if length.isdigit():
                    status = 413
                    await self._too_large(scope, send, rid)
                    return
                chunked = True  # a length that is no number: count what arrives
            app = self.app
            if (
                self.gzip is not None
                and b"gzip" in accept_encoding
                and (path.startswith(PUBLIC_COMPRESSIBLE) or fetch_site in SAME_ORIGIN_FETCH)
            ):
                app = self.gzip
            # An HTMX request (fetched by a script, never a navigation: a browser sends
            # HX-Request only when a script sets it) gets an HTML fragment, not a document.
            extra = self._fragment_headers if htmx else self._document_headers
            cache_control = _cache_control(path)
            rid_bytes = rid.encode("latin-1")

            async def send_with_headers(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    _extend_headers(
                        message, extra, rid_bytes, cache_control, document=not htmx, csp=self._csp
                    )
                await send(message)

            if not chunked:
                # The server holds a body to its Content-Length (checked above): nothing to
                # count. Without any length a request has no body at all.
                await app(scope, receive, send_with_headers)
                return
            received = 0

            async def limited_receive() -> Message:
                nonlocal received
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > self.max_body_bytes:
                        raise _BodyTooLarge
                return message

            try:
                await app(scope, limited_receive, send_with_headers)
            except _BodyTooLarge:
                if status:
                    raise
                status = 413
                await self._too_large(scope, send, rid)
        finally:
            current_request.reset(token)
            seconds = time.perf_counter() - started
            logged = access_log.isEnabledFor(logging.INFO)
            # The route template, never the path: a path no route matched may hold anything
            # a client typed (the request id leads to the audit rows' ids). Once a request.
            route = route_label(scope) if logged or self.metrics is not None else ""
            if self.metrics is not None:
                self.metrics.observe(route, scope["method"], status or 500, seconds)
            if logged:
                ms = round(seconds * 1000, 1)
                access_log.info(
                    "method=%s route=%s status=%d ms=%.1f request_id=%s",
                    scope["method"],
                    route,
                    status or 500,
                    ms,
                    rid,
                    extra={
                        "request_id": rid,
                        "method": scope["method"],
                        "route": route,
                        "status": status or 500,
                        "duration_ms": ms,
                    },
                )

    def _add_headers(self, message: Message, path: str, request_id: str) -> None:
        _extend_headers(
            message,
            self._document_headers,
            request_id.encode(),
            _cache_control(path),
            document=True,
            csp=self._csp,
        )

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
SAME_ORIGIN_FETCH = frozenset({b"same-origin", b"none"})


@dataclass(frozen=True)
class Compression:
    """Gzip for a tablet on weak Wi-Fi, without a compression oracle (BREACH).

    Public files are always compressed. Pages, fragments and JSON, which may hold a CSRF token
    beside text from the request, are compressed only when the browser says the request came
    from this origin or from the user (``Sec-Fetch-Site: same-origin | none``): a request that
    another site makes the browser send is answered uncompressed, so its length reveals nothing.
    Bodies under ``minimum_size`` bytes are sent as they are: below about a kilobyte gzip saves
    less than a TCP packet and costs a compressor (docs/performance.md)."""

    minimum_size: int = 1024
    level: int = 6
