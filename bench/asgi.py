"""An ASGI HTTP scope built by hand, for driving an app without a server (bench.inproc and
the routing test)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def http_scope(
    method: str,
    path: str,
    headers: Iterable[tuple[str, str]] = (),
    body: bytes = b"",
    state: dict[str, Any] | None = None,
    *,
    query: str = "",
) -> dict[str, Any]:
    """The scope of an HTTP/1.1 request from 127.0.0.1 as uvicorn builds it: ``path`` as it
    is (no query string is split off; ``query`` is the query string), the host header
    first, then ``headers`` (names lower-cased), a content-length when there is a ``body``;
    a copy of ``state`` (the lifespan's) when given."""
    raw = [(b"host", b"127.0.0.1")] + [(k.lower().encode(), v.encode()) for k, v in headers]
    if body:
        raw.append((b"content-length", str(len(body)).encode()))
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": raw,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    if state is not None:
        scope["state"] = dict(state)
    return scope
