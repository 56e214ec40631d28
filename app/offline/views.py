"""The service worker at the root scope (``GET /sw.js``: public, ``no-cache``, versioned by
the release). The offline JSON routes are in ``app.offline.api``; see docs/offline.md."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response

from app.offline import assets
from app.web.deps import public
from app.web.routing import make_router

router = make_router(include_in_schema=False)


@router.get("/sw.js", name="offline:service_worker", dependencies=[Depends(public)])
def service_worker(request: Request) -> Response:
    """The service worker, served from the root so that its scope is the whole app."""
    version: str = getattr(request.app.state, "asset_version", None) or assets.asset_version()
    return Response(
        assets.service_worker_source(version),
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache"},
    )
