"""The only reader of HX-* request headers and writer of HX-* response headers."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response


def is_htmx(request: Request) -> bool:
    """True for an HTMX request that wants a fragment (not boosted, not a history restore)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def redirect(request: Request, url: str) -> Response:
    """303 for a plain form post, ``HX-Redirect`` for HTMX (the browser then loads ``url``)."""
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": url})
    return Response(status_code=303, headers={"Location": url})


def add_vary(response: Response) -> Response:
    """One URL, two renderings: caches must key on ``HX-Request``."""
    vary = response.headers.get("Vary")
    response.headers["Vary"] = f"{vary}, HX-Request" if vary else "HX-Request"
    return response
