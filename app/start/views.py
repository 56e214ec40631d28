"""The start page for each role, and the web app manifest that opens it."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, Response

from app.accounts import service as accounts
from app.accounts.models import Role
from app.concerns import service as concerns
from app.web.deps import DB, AnyUser, public
from app.web.routing import make_router
from app.web.templating import render

router = make_router(include_in_schema=False)

MANIFEST: dict[str, Any] = {
    "name": "Trivselsguiden",
    "short_name": "Trivselsguiden",
    "description": "Trivsels- og bekymringsguide for børn i dagtilbud og skole",
    "lang": "da",
    "dir": "ltr",
    "start_url": "/",
    "scope": "/",
    "id": "/",
    "display": "standalone",
    "orientation": "any",
    "background_color": "#ffffff",
    "theme_color": "#004993",
    "icons": [
        {"src": "/static/icons/icon-192.png", "sizes": "192x192", "type": "image/png"},
        {"src": "/static/icons/icon-512.png", "sizes": "512x512", "type": "image/png"},
        {
            "src": "/static/icons/icon-maskable-512.png",
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ],
}


@router.get("/", name="pages:start")
def start(request: Request, db: DB, user: AnyUser) -> Response:
    """The start page of the logged-in user's role."""
    context: dict[str, Any] = {"role": user.role_enum}
    if user.role_enum in (Role.STAFF, Role.LEADER) and user.institution_id is not None:
        institution = accounts.get_institution(db, institution_id=user.institution_id)
        context["institution"] = institution
        context["district"] = accounts.get_district(db, district_id=institution.district_id)
        if user.role_enum is Role.LEADER:
            # The leader is informed of what the institution sends to the social workers.
            context["recent_concerns"] = concerns.list_for(db, user)[:5]
    elif user.role_enum is Role.SOCIAL_WORKER and user.district_id is not None:
        context["district"] = accounts.get_district(db, district_id=user.district_id)
    template = {
        Role.STAFF: "pages/start_staff.html",
        Role.LEADER: "pages/start_staff.html",
        Role.SOCIAL_WORKER: "pages/start_social_worker.html",
        Role.ADMIN: "pages/start_admin.html",
    }[user.role_enum]
    return render(request, template, context)


@router.get("/manifest.webmanifest", name="pages:manifest", dependencies=[Depends(public)])
def manifest() -> Response:
    """The web app manifest that makes the app installable."""
    return JSONResponse(
        MANIFEST,
        media_type="application/manifest+json",
        headers={"Cache-Control": "public, max-age=3600"},
    )


@router.get("/tilgaengelighed", name="pages:accessibility", dependencies=[Depends(public)])
def accessibility(request: Request) -> Response:
    """What the product's own accessibility tests cover, and that the municipality publishes
    its own accessibility statement (the footer links it when
    ``TRIVSEL_ACCESSIBILITY_STATEMENT_URL`` is set, this page otherwise). Open to everyone:
    the statement must be reachable before login."""
    return render(request, "pages/accessibility.html", {})
