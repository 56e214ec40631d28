"""JSON API: the guide content (levels, catalogs) and the pure evaluation.

Catalog content is public guidance: any logged-in user may read it, nothing is audited and
nothing is stored.
"""

from __future__ import annotations

from app.catalogs import service
from app.catalogs.schemas import (
    CatalogRead,
    CatalogSummary,
    EvaluateRequest,
    EvaluationRead,
    LevelRead,
)
from app.web.deps import DB, AnyUser
from app.web.routing import make_router

router = make_router(prefix="/api/v1", tags=["guide"])


@router.get("/levels", name="api:levels_list", response_model=list[LevelRead])
def list_levels(user: AnyUser) -> list[LevelRead]:
    """The four levels in order, with their colours, actions and guidance."""
    return [LevelRead.of(level) for level in service.levels().levels]


@router.get("/catalogs", name="api:catalogs_list", response_model=list[CatalogSummary])
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
def catalog_for_age(db: DB, user: AnyUser, years: int) -> CatalogRead:
    """The published catalog for a child of ``years`` whole years; 404 outside 0–17."""
    return CatalogRead.of(service.for_age(db, years=years))


@router.get("/catalogs/{catalog_id}", name="api:catalogs_read", response_model=CatalogRead)
def read_catalog(db: DB, user: AnyUser, catalog_id: str) -> CatalogRead:
    """The published version of one catalog with its areas and indicators."""
    return CatalogRead.of(service.get_published(db, catalog_id=catalog_id))


@router.post("/evaluate", name="api:evaluate", response_model=EvaluationRead)
def evaluate(db: DB, user: AnyUser, body: EvaluateRequest) -> EvaluationRead:
    """The level and recommended actions for the observed indicators. Stores nothing;
    duplicates count once; an id the catalog does not have is 422."""
    return EvaluationRead.of(
        service.evaluate_published(db, catalog_id=body.catalog_id, observed=body.observed)
    )
