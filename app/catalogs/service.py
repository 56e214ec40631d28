"""Published catalogs: imported from guide_content/ on first start, parsed once per version."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.catalogs.models import CatalogVersion, VersionStatus
from app.db import utcnow
from app.errors import Invalid, NotFound
from app.guide.engine import Evaluation, UnknownIndicators, evaluate
from app.guide.loader import dump_catalog, load_guide, parse_catalog
from app.guide.schema import Catalog, Guide, LevelsConfig, NoCatalogForAge, catalog_for_age

GUIDE_CONTENT_DIR = Path(__file__).resolve().parent.parent.parent / "guide_content"

_parsed: dict[str, Catalog] = {}
_parsed_lock = threading.Lock()


@cache
def shipped_guide() -> Guide:
    """The content shipped in ``guide_content/``, parsed and validated once per process."""
    return load_guide(GUIDE_CONTENT_DIR)


def levels() -> LevelsConfig:
    """The four levels, their actions and guidance."""
    return shipped_guide().levels


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def parsed(row: CatalogVersion) -> Catalog:
    """The catalog of a stored version, parsed once per process (keyed by content hash)."""
    with _parsed_lock:
        catalog = _parsed.get(row.content_sha256)
    if catalog is None:
        catalog = parse_catalog(row.content, filename=f"{row.catalog_id}.yaml")
        with _parsed_lock:
            _parsed[row.content_sha256] = catalog
    return catalog


def import_shipped(session: Session, guide: Guide | None = None) -> list[str]:
    """Store each shipped catalog as its first published version when the database has none
    of that id yet; returns the ids imported. Never touches an existing catalog."""
    guide = guide or shipped_guide()
    existing = set(session.exec(select(CatalogVersion.catalog_id).distinct()).all())
    imported = []
    for catalog in guide.catalogs:
        if catalog.id in existing:
            continue
        content = dump_catalog(catalog)
        row = CatalogVersion(
            catalog_id=catalog.id,
            version=catalog.version,
            status=VersionStatus.PUBLISHED,
            title=catalog.title,
            min_age_years=catalog.min_age_years,
            max_age_years=catalog.max_age_years,
            content=content,
            content_sha256=_sha(content),
            source="shipped",
            published_at=utcnow(),
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # another process imported it at the same moment
            continue
        imported.append(catalog.id)
    session.flush()
    return imported


def published_versions(session: Session) -> Sequence[CatalogVersion]:
    """The published version of every catalog, youngest age band first."""
    return session.exec(
        select(CatalogVersion)
        .where(CatalogVersion.status == VersionStatus.PUBLISHED)
        .order_by(col(CatalogVersion.min_age_years))
    ).all()


def published_catalogs(session: Session) -> list[Catalog]:
    """The published catalogs, parsed."""
    return [parsed(row) for row in published_versions(session)]


def get_published(session: Session, *, catalog_id: str) -> Catalog:
    """The published version of one catalog, or NotFound."""
    row = session.exec(
        select(CatalogVersion).where(
            CatalogVersion.catalog_id == catalog_id,
            CatalogVersion.status == VersionStatus.PUBLISHED,
        )
    ).first()
    if row is None:
        raise NotFound("Kataloget findes ikke.")
    return parsed(row)


def get_version(session: Session, *, catalog_id: str, version: int) -> Catalog:
    """A given (published or retired) version of a catalog, or NotFound."""
    row = session.exec(
        select(CatalogVersion).where(
            CatalogVersion.catalog_id == catalog_id,
            CatalogVersion.version == version,
            CatalogVersion.status != VersionStatus.DRAFT,
        )
    ).first()
    if row is None:
        raise NotFound("Katalogversionen findes ikke.")
    return parsed(row)


def for_age(session: Session, *, years: int) -> Catalog:
    """The published catalog for a child of ``years``, or NotFound outside 0–17."""
    try:
        return catalog_for_age(published_catalogs(session), years)
    except NoCatalogForAge as error:
        raise NotFound(str(error)) from error


def evaluate_observed(catalog: Catalog, observed: Iterable[str]) -> Evaluation:
    """The evaluation of ``observed`` against ``catalog`` (duplicates count once); Invalid
    naming every id the catalog does not have (unknown, or from another catalog)."""
    try:
        return evaluate(catalog, list(observed), levels())
    except UnknownIndicators as error:
        message = "Ukendt indikator for dette katalog: " + ", ".join(error.ids)
        raise Invalid(
            message,
            details=[{"field": "observed", "message": message, "ids": list(error.ids)}],
        ) from error


def evaluate_published(session: Session, *, catalog_id: str, observed: Iterable[str]) -> Evaluation:
    """Evaluate against the published version of a catalog (NotFound for an unknown one).
    Pure: stores nothing."""
    return evaluate_observed(get_published(session, catalog_id=catalog_id), observed)
