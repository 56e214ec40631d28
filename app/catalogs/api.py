"""JSON API: the guide content (levels, catalogs) and the pure evaluation.

Catalog content is public guidance: any logged-in user may read it, nothing is audited and
nothing is stored. The administration endpoints (drafts, publishing, export) are for admins
only, and every change is audited.
"""

from __future__ import annotations

from fastapi.responses import PlainTextResponse, Response

from app.catalogs import service
from app.catalogs.models import VersionStatus
from app.catalogs.schemas import (
    CatalogRead,
    CatalogSummary,
    DraftCreate,
    DraftCreated,
    EvaluateRequest,
    EvaluationRead,
    LevelRead,
    Published,
    PublishRequest,
    VersionRead,
)
from app.web.deps import DB, AdminUser, AnyUser
from app.web.routing import make_router, read_only

router = make_router(prefix="/api/v1", tags=["guide"])


@router.get("/levels", name="api:levels_list", response_model=list[LevelRead])
def list_levels(user: AnyUser) -> list[LevelRead]:
    """The four levels in order, with their colours, actions and guidance."""
    return [LevelRead.of(level) for level in service.levels().levels]


@router.get("/catalogs", name="api:catalogs_list", response_model=list[CatalogSummary])
@read_only
def list_catalogs(db: DB, user: AnyUser) -> list[CatalogSummary]:
    """The published catalogs, youngest age band first."""
    return [
        CatalogSummary(
            id=row.catalog_id,
            version=row.version or 0,
            title=row.title,
            min_age_years=row.min_age_years,
            max_age_years=row.max_age_years,
        )
        for row in service.published_versions(db)
    ]


# Declared before ``/catalogs/{catalog_id}`` so that "for-age" is never read as an id.
@router.get("/catalogs/for-age/{years}", name="api:catalogs_for_age", response_model=CatalogRead)
@read_only
def catalog_for_age(db: DB, user: AnyUser, years: int) -> CatalogRead:
    """The published catalog for a child of ``years`` whole years; 404 outside 0–17."""
    return CatalogRead.of(service.for_age(db, years=years))


@router.get("/catalogs/{catalog_id}", name="api:catalogs_read", response_model=CatalogRead)
@read_only
def read_catalog(db: DB, user: AnyUser, catalog_id: str) -> CatalogRead:
    """The published version of one catalog with its areas and indicators."""
    return CatalogRead.of(service.get_published(db, catalog_id=catalog_id))


@router.post("/evaluate", name="api:evaluate", response_model=EvaluationRead)
@read_only
def evaluate(db: DB, user: AnyUser, body: EvaluateRequest) -> EvaluationRead:
    """The level and recommended actions for the observed indicators. Stores nothing;
    duplicates count once; an id the catalog does not have is 422."""
    return EvaluationRead.of(
        service.evaluate_published(db, catalog_id=body.catalog_id, observed=body.observed)
    )


# --- Catalog administration (admins only; everyone else 403) ----------------------------


@router.get(
    "/admin/catalogs/{catalog_id}/yaml",
    name="api:admin_catalog_yaml",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/yaml": {}}}},
)
def admin_catalog_yaml(db: DB, admin: AdminUser, catalog_id: str) -> Response:
    """The published version as YAML, in the format of guide_content/catalogs/."""
    export = service.export_yaml(db, admin, catalog_id=catalog_id)
    return Response(
        export.text,
        media_type="text/yaml; charset=utf-8",
        headers={"Content-Disposition": export.content_disposition},
    )


@router.get(
    "/admin/catalogs/{catalog_id}/versions",
    name="api:admin_catalog_versions",
    response_model=list[VersionRead],
)
def admin_catalog_versions(db: DB, admin: AdminUser, catalog_id: str) -> list[VersionRead]:
    """Every version (published, retired) and draft, newest first."""
    return [
        VersionRead(
            version=row.version,
            status=row.status,
            draft_id=row.id if row.status == VersionStatus.DRAFT else None,
            based_on_version=row.based_on_version,
            created_at=row.created_at,
            created_by=row.created_by,
            published_at=row.published_at,
            published_by=row.published_by,
        )
        for row in service.versions(db, catalog_id=catalog_id)
    ]


@router.post(
    "/admin/catalogs/{catalog_id}/drafts",
    name="api:admin_catalog_draft_create",
    status_code=201,
    response_model=DraftCreated,
)
def admin_catalog_draft_create(
    db: DB, admin: AdminUser, catalog_id: str, body: DraftCreate
) -> DraftCreated:
    """Store a draft from YAML; schema errors are 422 with line, path and message, and
    nothing is stored."""
    row, _check = service.create_draft(db, admin, catalog_id=catalog_id, text=body.yaml)
    return DraftCreated(draft_id=row.id, based_on_version=row.based_on_version)


@router.post(
    "/admin/catalogs/{catalog_id}/drafts/{draft_id}/publish",
    name="api:admin_catalog_publish",
    response_model=Published,
)
def admin_catalog_publish(
    db: DB, admin: AdminUser, catalog_id: str, draft_id: int, body: PublishRequest | None = None
) -> Published:
    """Publish the draft as the next version: 409 when another version was published after
    the draft's base, 422 when invalid or when 0–17 would not be covered exactly once."""
    extra = body.with_drafts if body else []
    rows = service.publish(db, admin, catalog_id=catalog_id, draft_ids=[draft_id, *extra])
    mine = next(row for row in rows if row.catalog_id == catalog_id)
    return Published(id=mine.catalog_id, version=mine.version or 0)
