"""Shipped content: bring ``guide_content/`` into the database at start, and offer a newer
shipped version to the admins without ever overwriting their published one."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from app.audit import service as audit
from app.audit.tags import AuditTag
from app.catalogs.models import CatalogVersion, VersionStatus
from app.catalogs.service.content import content_hash, shipped_guide
from app.catalogs.service.reads import published_catalogs, published_row
from app.db import utcnow
from app.guide.loader import dump_catalog
from app.guide.schema import Catalog, Guide, check_catalog_set


def import_shipped(session: Session, guide: Guide | None = None) -> list[str]:
    """Bring shipped content into the database at start; returns the ids imported.

    A catalog the database does not have is stored as its first published version. A newer
    shipped version replaces the published one only when that one is itself shipped content
    (no admin has published a version since) and the age bands still cover 0–17; otherwise
    the admin sees that a newer shipped version exists and may adopt it. An admin's published
    version is never overwritten."""
    guide = guide or shipped_guide()
    existing = set(session.exec(select(CatalogVersion.catalog_id).distinct()).all())
    imported = []
    for catalog in guide.catalogs:
        if catalog.id in existing:
            if _auto_update(session, catalog):
                imported.append(catalog.id)
            continue
        row = _published_shipped(catalog, version=catalog.version)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # another process imported it at the same moment
            continue
        imported.append(catalog.id)
    session.flush()
    return imported


def _published_shipped(
    shipped: Catalog, *, version: int, based_on: int | None = None
) -> CatalogVersion:
    """Shipped content as a published version ``version`` of its catalog (the stored YAML
    carries that number; ``shipped_version`` the number it was shipped with)."""
    content = dump_catalog(shipped.model_copy(update={"version": version}))
    return CatalogVersion(
        catalog_id=shipped.id,
        version=version,
        status=VersionStatus.PUBLISHED,
        title=shipped.title,
        min_age_years=shipped.min_age_years,
        max_age_years=shipped.max_age_years,
        content=content,
        content_sha256=content_hash(content),
        source="shipped",
        shipped_version=shipped.version,
        based_on_version=based_on,
        published_at=utcnow(),
    )


def _auto_update(session: Session, shipped: Catalog) -> bool:
    current = published_row(session, catalog_id=shipped.id)
    if (
        current is None
        or current.source != "shipped"
        or shipped_update(session, catalog_id=shipped.id) is None
    ):
        return False
    others = [c for c in published_catalogs(session) if c.id != shipped.id]
    if check_catalog_set([*others, shipped]):
        return False
    highest = session.exec(
        select(func.max(CatalogVersion.version)).where(CatalogVersion.catalog_id == shipped.id)
    ).one()
    number = (highest or 0) + 1
    current.status = VersionStatus.RETIRED
    session.add(current)
    session.flush()
    row = _published_shipped(shipped, version=number, based_on=current.version)
    session.add(row)
    session.flush()
    audit.record(
        session,
        None,
        AuditTag.CATALOG_IMPORT_SHIPPED,
        object_type="catalog",
        object_id=f"{shipped.id} v{number}",
        detail=f"leveret version {shipped.version}",
    )
    return True


def shipped_update(session: Session, *, catalog_id: str) -> Catalog | None:
    """A shipped version newer than any shipped version the database has seen, if any."""
    try:
        shipped = shipped_guide().catalog(catalog_id)
    except KeyError:
        return None
    seen = session.exec(
        select(func.max(CatalogVersion.shipped_version)).where(
            CatalogVersion.catalog_id == catalog_id
        )
    ).one()
    return shipped if shipped.version > (seen or 0) else None
