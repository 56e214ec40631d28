"""JSON API of the offline questionnaire (``/api/v1/offline``, docs/offline.md):

- ``GET /device-key``: the caller's key for their unsent work on the device.
- ``GET /guide``: levels and the published catalogs to cache for offline use.
- ``GET /catalogs/{id}/{version}``: one catalog version, in the shape static/guide-engine.js
  evaluates.
- ``POST /assessments/{id}/sync``: a draft's state captured on the device (and, when finished
  there, the finishing), sent once with an ``Idempotency-Key``.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from app.offline import assets, service
from app.offline.schemas import DeviceKeyRead, OfflineSync
from app.web.deps import DB, AnyUser, StaffOrLeader, get_settings
from app.web.idempotency import IdempotencyKey, idempotent_json
from app.web.routing import make_router

router = make_router(prefix="/api/v1/offline", tags=["offline"])

GUIDE_CACHE = {"Cache-Control": "private, no-cache"}


def _version(request: Request) -> str:
    return getattr(request.app.state, "asset_version", None) or assets.asset_version()


@router.get("/device-key", name="api:offline_device_key", response_model=DeviceKeyRead)
def device_key(request: Request, user: AnyUser) -> DeviceKeyRead:
    """The caller's AES-256-GCM key for unsent work on a device, and the tag of their records.
    Never cached; the browser keeps it in memory only."""
    return DeviceKeyRead(**service.device_credentials(request.app.state.secret_key, user))


@router.get("/guide", name="api:offline_guide")
def guide(request: Request, db: DB, user: AnyUser) -> Response:
    """What a tablet caches to evaluate offline: the levels and the published catalogs for
    the ages of the user's institution."""

    def catalog_url(catalog_id: str, version: int | None) -> str:
        return request.url_for("api:offline_catalog", catalog_id=catalog_id, version=version).path

    body = service.guide_index(
        db,
        user,
        version=_version(request),
        catalog_url=catalog_url,
        settings=get_settings(request),
    )
    return JSONResponse(body, headers=GUIDE_CACHE)


@router.get("/catalogs/{catalog_id}/{version}", name="api:offline_catalog")
def catalog(db: DB, user: AnyUser, catalog_id: str, version: int) -> Response:
    """One published or retired catalog version (guidance, not personal data); the levels
    come with ``/api/v1/offline/guide``."""
    body = service.catalog(db, catalog_id=catalog_id, version=version)
    return JSONResponse(body, headers=GUIDE_CACHE)


@router.post("/assessments/{assessment_id}/sync", name="api:offline_sync")
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

    def apply() -> tuple[int, dict[str, object]]:
        state = service.sync(db, user, assessment_id=assessment_id, body=body)
        return 200, state.read().model_dump(mode="json")

    return idempotent_json(request, db, user, key=idempotency_key, body=body, create=apply)
