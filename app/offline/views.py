"""The service worker at the root scope, and the JSON the offline questionnaire needs.

- ``GET /sw.js``: the service worker (public, ``no-cache``), versioned by the release.
- ``GET /api/v1/offline/guide``: levels and the published catalogs to cache for offline use.
- ``GET /api/v1/offline/catalogs/{id}/{version}``: one catalog version, in the shape
  static/guide-engine.js evaluates.
- ``GET /api/v1/offline/device-key``: the caller's key for their unsent work on the device.
- ``POST /api/v1/offline/assessments/{id}/sync``: a draft's state captured on the device (and,
  when finished there, the finishing), sent once with an ``Idempotency-Key``.
See docs/offline.md.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, Response

from app.accounts import service as accounts
from app.accounts.models import InstitutionKind, Role, User
from app.assessments import service as assessments
from app.catalogs import service as catalogs
from app.offline import assets, device_keys
from app.offline.guide_data import catalog_data, levels_data
from app.offline.schemas import DeviceKeyRead, OfflineSync
from app.web.deps import DB, AnyUser, StaffOrLeader, public
from app.web.idempotency import IdempotencyKey, idempotent_json
from app.web.routing import make_router

router = make_router(include_in_schema=False)
api_router = make_router(prefix="/api/v1/offline", tags=["offline"])

GUIDE_CACHE = {"Cache-Control": "private, no-cache"}
AGES_BY_KIND = {InstitutionKind.DAYCARE: range(0, 6), InstitutionKind.SCHOOL: range(6, 18)}
"""The ages whose catalogs a tablet of each kind of institution keeps for offline use."""


def _ages_of(db: DB, user: User) -> range:
    """The ages of the children whose assessments the user may capture (none: not staff)."""
    if user.role_enum not in (Role.STAFF, Role.LEADER) or user.institution_id is None:
        return range(0)
    institution = accounts.get_institution(db, institution_id=user.institution_id)
    return AGES_BY_KIND[InstitutionKind(institution.kind)]


@router.get("/sw.js", name="offline:service_worker", dependencies=[Depends(public)])
def service_worker(request: Request) -> Response:
    """The service worker, served from the root so that its scope is the whole app."""
    version: str = getattr(request.app.state, "asset_version", None) or assets.asset_version()
    return Response(
        assets.service_worker_source(version),
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache"},
    )


@api_router.get("/device-key", name="api:offline_device_key", response_model=DeviceKeyRead)
def device_key(request: Request, user: AnyUser) -> DeviceKeyRead:
    """The caller's AES-256-GCM key for unsent work on a device, and the tag of their records.
    Never cached; the browser keeps it in memory only."""
    return DeviceKeyRead(**device_keys.credentials(request.app.state.secret_key, user_id=user.id))


@api_router.get("/guide", name="api:offline_guide")
def guide(request: Request, db: DB, user: AnyUser) -> Response:
    """What a tablet caches to evaluate offline: the levels and the published catalogs for
    the ages of the user's institution."""
    ages = _ages_of(db, user)
    body = {
        "version": getattr(request.app.state, "asset_version", None) or assets.asset_version(),
        "levels": levels_data(catalogs.levels()),
        "catalogs": [
            {
                "id": row.catalog_id,
                "version": row.version,
                "title": row.title,
                "min_age_years": row.min_age_years,
                "max_age_years": row.max_age_years,
                "url": request.url_for(
                    "api:offline_catalog", catalog_id=row.catalog_id, version=row.version
                ).path,
            }
            for row in catalogs.published_versions(db)
            if any(row.min_age_years <= age <= row.max_age_years for age in ages)
        ],
    }
    return JSONResponse(body, headers=GUIDE_CACHE)


@api_router.get("/catalogs/{catalog_id}/{version}", name="api:offline_catalog")
def catalog(db: DB, user: AnyUser, catalog_id: str, version: int) -> Response:
    """One published or retired catalog version (guidance, not personal data); the levels
    come with ``/api/v1/offline/guide``."""
    found = catalogs.get_version(db, catalog_id=catalog_id, version=version)
    body = catalog_data(found)
    return JSONResponse(body, headers=GUIDE_CACHE)


@api_router.post("/assessments/{assessment_id}/sync", name="api:offline_sync")
def sync(
    request: Request,
    db: DB,
    user: StaffOrLeader,
    assessment_id: int,
    body: OfflineSync,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Save a draft's ticks and texts as captured on the device and, when it was finished
    there, finish it with the same rules as the questionnaire. A retry with the same
    ``Idempotency-Key`` answers the first result and changes nothing."""

    def apply() -> tuple[int, dict[str, Any]]:
        state = assessments.save_draft(
            db,
            user,
            assessment_id=assessment_id,
            observed=list(body.observed),
            notes=body.notes,
            resources=body.resources,
        )
        if body.finish is not None:
            state = assessments.finish(
                db,
                user,
                assessment_id=assessment_id,
                level=body.finish.level,
                reason=body.finish.reason,
                follow_up_on=body.finish.follow_up_on,
            )
        return 200, state.read().model_dump(mode="json")

    return idempotent_json(request, db, user, key=idempotency_key, body=body, create=apply)
