"""Reading catalogs: the published ones for staff and the API, every version and draft for
the admins, what changed between versions, and the evaluation against a catalog.

A request never loads a version's YAML to learn which version is published: it reads the
published row's id and content hash (one small indexed query, a statement built once) and
takes the parsed catalog from the per-process cache by that hash (``content.parsed_by_hash``);
only a version this process has not parsed yet loads its text, once. So a version published
by another process is served on the next request. A given published or retired version
(``get_version``: what a stored assessment is pinned to) never changes, so it is kept per
engine after its first read and costs no query at all."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import defer
from sqlmodel import Session, col, func, select

from app.catalogs.models import CatalogVersion, VersionStatus
from app.catalogs.service.content import check_content, levels, parsed, parsed_by_hash
from app.errors import Invalid, NotFound
from app.guide.diff import CatalogDiff, diff
from app.guide.engine import Evaluation, UnknownIndicators, evaluate
from app.guide.schema import Catalog, NoCatalogForAge, catalog_for_age

#: Load a version's row without its YAML (read on first access: ``parsed`` of a version
#: that is not in the cache yet, the editor).
_WITHOUT_TEXT = defer(CatalogVersion.content)  # type: ignore[arg-type]

_table = CatalogVersion.__table__  # type: ignore[attr-defined]
_PUBLISHED_HEAD = sa.select(_table.c.id, _table.c.content_sha256).where(
    _table.c.catalog_id == sa.bindparam("catalog_id"),
    _table.c.status == VersionStatus.PUBLISHED.value,
)
_VERSION_HEAD = sa.select(_table.c.id, _table.c.content_sha256).where(
    _table.c.catalog_id == sa.bindparam("catalog_id"),
    _table.c.version == sa.bindparam("version"),
    _table.c.status != VersionStatus.DRAFT.value,
)
_TEXT = sa.select(_table.c.content).where(_table.c.id == sa.bindparam("id"))

#: Published and retired versions by (catalog id, version), per engine (per database).
_versions: weakref.WeakKeyDictionary[Engine, dict[tuple[str, int], Catalog]] = (
    weakref.WeakKeyDictionary()
)
_versions_lock = threading.Lock()


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def _parsed_head(session: Session, head: sa.Row[tuple[int, str]], catalog_id: str) -> Catalog:
    def text() -> str:
        return str(session.execute(_TEXT, {"id": head.id}).scalar_one())

    return parsed_by_hash(head.content_sha256, text, catalog_id=catalog_id)


def published_versions(session: Session) -> Sequence[CatalogVersion]:
    """The published version of every catalog, youngest age band first."""
    return session.exec(
        select(CatalogVersion)
        .options(_WITHOUT_TEXT)
        .where(CatalogVersion.status == VersionStatus.PUBLISHED)
        .order_by(col(CatalogVersion.min_age_years))
    ).all()


def published_catalogs(session: Session) -> list[Catalog]:
    """The published catalogs, parsed."""
    return [parsed(row) for row in published_versions(session)]


def get_published(session: Session, *, catalog_id: str) -> Catalog:
    """The published version of one catalog, or NotFound."""
    head = session.execute(_PUBLISHED_HEAD, {"catalog_id": catalog_id}).first()
    if head is None:
        raise NotFound("Kataloget findes ikke.")
    return _parsed_head(session, head, catalog_id)


def get_version(session: Session, *, catalog_id: str, version: int) -> Catalog:
    """A given (published or retired) version of a catalog, or NotFound."""
    engine = _engine(session)
    with _versions_lock:
        cached = _versions.get(engine, {}).get((catalog_id, version))
    if cached is not None:
        return cached
    head = session.execute(_VERSION_HEAD, {"catalog_id": catalog_id, "version": version}).first()
    if head is None:
        raise NotFound("Katalogversionen findes ikke.")
    catalog = _parsed_head(session, head, catalog_id)
    with _versions_lock:
        _versions.setdefault(engine, {})[(catalog_id, version)] = catalog
    return catalog


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


def catalog_ids(session: Session) -> list[str]:
    """Every catalog id that has a version, youngest band first."""
    rows = session.exec(
        select(CatalogVersion.catalog_id, func.min(CatalogVersion.min_age_years))
        .group_by(col(CatalogVersion.catalog_id))
        .order_by(func.min(CatalogVersion.min_age_years))
    ).all()
    return [row[0] for row in rows]


def versions(session: Session, *, catalog_id: str) -> list[CatalogVersion]:
    """All versions and drafts of a catalog: published and retired by version, then drafts."""
    rows = list(
        session.exec(
            select(CatalogVersion)
            .where(CatalogVersion.catalog_id == catalog_id)
            .order_by(col(CatalogVersion.version).desc(), col(CatalogVersion.id).desc())
        ).all()
    )
    if not rows:
        raise NotFound("Kataloget findes ikke.")
    return sorted(rows, key=lambda r: (r.status != VersionStatus.DRAFT, -(r.version or 0)))


def published_row(session: Session, *, catalog_id: str) -> CatalogVersion | None:
    """The published version's row of a catalog, if any."""
    return session.exec(
        select(CatalogVersion).where(
            CatalogVersion.catalog_id == catalog_id,
            CatalogVersion.status == VersionStatus.PUBLISHED,
        )
    ).first()


def get_draft(session: Session, *, catalog_id: str, draft_id: int) -> CatalogVersion:
    """A draft of the catalog, or NotFound."""
    row = session.get(CatalogVersion, draft_id)
    if row is None or row.catalog_id != catalog_id or row.status != VersionStatus.DRAFT:
        raise NotFound("Kladden findes ikke.")
    return row


def previous_of(session: Session, row: CatalogVersion) -> CatalogVersion | None:
    """The version before a published/retired one (or a draft's base)."""
    base = row.based_on_version if row.status == VersionStatus.DRAFT else (row.version or 0) - 1
    if not base:
        return None
    return session.exec(
        select(CatalogVersion).where(
            CatalogVersion.catalog_id == row.catalog_id, CatalogVersion.version == base
        )
    ).first()


def diff_to_previous(session: Session, row: CatalogVersion) -> CatalogDiff | None:
    """What changed from the previous version (None when the row does not parse)."""
    check = check_content(row.content, catalog_id=row.catalog_id)
    if check.catalog is None:
        return None
    before = previous_of(session, row)
    return diff(parsed(before) if before is not None else None, check.catalog)
