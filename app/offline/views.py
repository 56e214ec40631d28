"""The service worker at the root scope (``GET /sw.js``: public, ``no-cache``, versioned by
the release), and the device key on the questionnaire page. The offline JSON routes are in
``app.offline.api``; see docs/offline.md."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from starlette.applications import Starlette

from app.offline import assets, device_keys
from app.web.deps import public
from app.web.routing import make_router
from app.web.templating import add_page_hook

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


def questionnaire_context(request: Request, page: Mapping[str, Any]) -> dict[str, Any]:
    """The owner's key for work kept on the tablet when the network goes (static/offline.js):
    in the questionnaire page, so that a repeat visit needs no second request. Pages are never
    cached."""
    user = page["current_user"]
    return {"device": device_keys.credentials(request.app.state.secret_key, user_id=user.id)}


def install(app: Starlette) -> None:
    """Register the offline domain's part of the questionnaire page (called once by
    ``create_app``)."""
    add_page_hook(app, "assessments/questionnaire.html", questionnaire_context)
