"""Published catalogs: imported from guide_content/ on first start, parsed once per version."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app.accounts.models import Role, User
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.catalogs.models import CatalogVersion, VersionStatus
from app.db import utcnow
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.guide.diff import CatalogDiff, diff
from app.guide.engine import Evaluation, UnknownIndicators, evaluate
from app.guide.loader import ContentError, ContentIssue, dump_catalog, load_guide, parse_catalog
from app.guide.schema import (
    Catalog,
    Guide,
    LevelsConfig,
    NoCatalogForAge,
    catalog_for_age,
    check_catalog_set,
)

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
            shipped_version=catalog.version,
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
    content = dump_catalog(shipped.model_copy(update={"version": number}))
    current.status = VersionStatus.RETIRED
    session.add(current)
    session.flush()
    row = CatalogVersion(
        catalog_id=shipped.id,
        version=number,
        status=VersionStatus.PUBLISHED,
        title=shipped.title,
        min_age_years=shipped.min_age_years,
        max_age_years=shipped.max_age_years,
        content=content,
        content_sha256=_sha(content),
        source="shipped",
        shipped_version=shipped.version,
        based_on_version=current.version,
        published_at=utcnow(),
    )
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


# --- Administration: drafts, publishing, history ----------------------------------------

MAX_YAML_CHARS = 500_000


@dataclass(frozen=True)
class DraftCheck:
    """A draft's content parsed, or the problems that stop it (file, line, path, message)."""

    catalog: Catalog | None
    issues: tuple[ContentIssue, ...]


def _user_ok(actor: User) -> None:
    if actor.role_enum is not Role.ADMIN:
        raise Forbidden("Kun administratorer redigerer guidens indhold.")


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


def check_content(text: str, *, catalog_id: str) -> DraftCheck:
    """Parse a draft's YAML like ``trivsel catalog validate``; the id must stay the same."""
    filename = f"{catalog_id}.yaml"
    if len(text) > MAX_YAML_CHARS:
        return DraftCheck(None, (ContentIssue(filename, None, "", "Kataloget er for stort."),))
    try:
        catalog = parse_catalog(text, filename=filename)
    except ContentError as error:
        return DraftCheck(None, tuple(error.issues))
    if catalog.id != catalog_id:
        line = next((n for n, ln in enumerate(text.splitlines(), 1) if ln.startswith("id:")), None)
        issue = ContentIssue(
            filename, line, "id", f"id skal være '{catalog_id}' (kladden hører til det katalog)"
        )
        return DraftCheck(None, (issue,))
    return DraftCheck(catalog, ())


def issues_as_details(issues: Sequence[ContentIssue]) -> list[dict[str, Any]]:
    """api.md's details: ``[{"line", "path", "message"}]``."""
    return [{"line": i.line, "path": i.path, "message": i.message} for i in issues]


def _invalid_content(issues: Sequence[ContentIssue]) -> Invalid:
    first = issues[0]
    return Invalid(
        f"Kataloget er ikke gyldigt: {first}",
        code="invalid_catalog",
        details=issues_as_details(issues),
    )


def _store_fields(row: CatalogVersion, text: str, catalog: Catalog | None) -> None:
    row.content = text
    row.content_sha256 = _sha(text)
    if catalog is not None:
        row.title = catalog.title[:200]
        row.min_age_years = catalog.min_age_years
        row.max_age_years = catalog.max_age_years


def create_draft(
    session: Session,
    actor: User,
    *,
    catalog_id: str,
    text: str | None = None,
    strict: bool = True,
    source: str = "admin",
) -> tuple[CatalogVersion, DraftCheck]:
    """A new draft of ``catalog_id`` (a new catalog when it has no version yet), based on the
    published version. ``text`` defaults to the published content. With ``strict`` (API,
    upload) invalid YAML is refused and nothing is stored; otherwise it is kept as typed."""
    _user_ok(actor)
    published = published_row(session, catalog_id=catalog_id)
    if text is None:
        if published is None:
            raise NotFound("Kataloget findes ikke.")
        text = published.content
    check = check_content(text, catalog_id=catalog_id)
    if strict and check.issues:
        raise _invalid_content(check.issues)
    row = CatalogVersion(
        catalog_id=catalog_id,
        version=None,
        status=VersionStatus.DRAFT,
        title=published.title if published else catalog_id,
        min_age_years=published.min_age_years if published else 0,
        max_age_years=published.max_age_years if published else 0,
        content="",
        content_sha256="",
        source=source,
        based_on_version=published.version if published else None,
        created_by=actor.id,
    )
    _store_fields(row, text, check.catalog)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        AuditTag.CATALOG_DRAFT_CREATE,
        object_type="catalog",
        object_id=f"{catalog_id}#{row.id}",
        detail=f"grundlag v{row.based_on_version}" if row.based_on_version else "nyt katalog",
    )
    return row, check


def save_draft(
    session: Session, actor: User, *, catalog_id: str, draft_id: int, text: str
) -> tuple[CatalogVersion, DraftCheck]:
    """Store what the admin typed, valid or not (nothing typed is lost), and check it."""
    _user_ok(actor)
    row = get_draft(session, catalog_id=catalog_id, draft_id=draft_id)
    if len(text) > MAX_YAML_CHARS:
        raise Invalid(
            "Kataloget er for stort.", details=[{"field": "yaml", "message": "For stort"}]
        )
    check = check_content(text, catalog_id=catalog_id)
    if text != row.content:
        _store_fields(row, text, check.catalog)
        row.source = "admin"
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            AuditTag.CATALOG_DRAFT_SAVE,
            object_type="catalog",
            object_id=f"{catalog_id}#{row.id}",
            detail="gyldig" if not check.issues else f"{len(check.issues)} fejl",
        )
    return row, check


def delete_draft(session: Session, actor: User, *, catalog_id: str, draft_id: int) -> None:
    """Throw a draft away."""
    _user_ok(actor)
    row = get_draft(session, catalog_id=catalog_id, draft_id=draft_id)
    session.delete(row)
    session.flush()
    audit.record(
        session,
        actor,
        AuditTag.CATALOG_DRAFT_DELETE,
        object_type="catalog",
        object_id=f"{catalog_id}#{draft_id}",
    )


def publish(
    session: Session, actor: User, *, catalog_id: str, draft_ids: Sequence[int]
) -> list[CatalogVersion]:
    """Publish one draft, or several together (e.g. an age band split into two catalogs).

    Refused when a draft is invalid (422), when another version of its catalog was published
    after the draft was started (409: nothing is silently dropped), or when the published
    catalogs would no longer cover 0–17 exactly once (422)."""
    _user_ok(actor)
    drafts = []
    for draft_id in dict.fromkeys(draft_ids):
        row = session.get(CatalogVersion, draft_id)
        if row is None or row.status != VersionStatus.DRAFT:
            raise NotFound("Kladden findes ikke.")
        drafts.append(row)
    if not drafts or all(d.catalog_id != catalog_id for d in drafts):
        raise NotFound("Kladden findes ikke.")
    if len({d.catalog_id for d in drafts}) != len(drafts):
        raise Invalid("Vælg højst én kladde pr. katalog.")
    checked: dict[str, Catalog] = {}
    for draft in drafts:
        current = session.exec(
            select(CatalogVersion)
            .where(
                CatalogVersion.catalog_id == draft.catalog_id,
                CatalogVersion.status == VersionStatus.PUBLISHED,
            )
            .with_for_update()
        ).first()
        current_version = current.version if current else None
        if current_version != draft.based_on_version:
            raise Conflict(
                f"Katalog '{draft.catalog_id}' er publiceret i version {current_version}, efter "
                f"at kladden blev startet på version {draft.based_on_version}. Start en ny "
                "kladde fra den publicerede version, og overfør dine ændringer, så ingen "
                "ændringer går tabt.",
                code="publish_conflict",
            )
        check = check_content(draft.content, catalog_id=draft.catalog_id)
        if check.issues or check.catalog is None:
            raise _invalid_content(check.issues)
        checked[draft.catalog_id] = check.catalog
    others = [c for c in published_catalogs(session) if c.id not in checked]
    problems = check_catalog_set([*others, *checked.values()])
    if problems:
        message = "Aldersgrupperne skal dække 0–17 år præcis én gang: " + "; ".join(
            p.message for p in problems
        )
        raise Invalid(
            message,
            code="coverage",
            details=[{"line": None, "path": p.path or "", "message": p.message} for p in problems],
        )
    now = utcnow()
    published = []
    for draft in drafts:
        catalog = checked[draft.catalog_id]
        highest = session.exec(
            select(func.max(CatalogVersion.version)).where(
                CatalogVersion.catalog_id == draft.catalog_id
            )
        ).one()
        number = (highest or 0) + 1
        for old in session.exec(
            select(CatalogVersion).where(
                CatalogVersion.catalog_id == draft.catalog_id,
                CatalogVersion.status == VersionStatus.PUBLISHED,
            )
        ).all():
            old.status = VersionStatus.RETIRED
            session.add(old)
        session.flush()
        text = dump_catalog(catalog.model_copy(update={"version": number}))
        _store_fields(draft, text, catalog)
        draft.version = number
        draft.status = VersionStatus.PUBLISHED
        draft.published_at = now
        draft.published_by = actor.id
        session.add(draft)
        session.flush()
        audit.record(
            session,
            actor,
            AuditTag.CATALOG_PUBLISH,
            object_type="catalog",
            object_id=f"{draft.catalog_id} v{number}",
            detail=f"kladde #{draft.id}, grundlag v{draft.based_on_version}",
        )
        published.append(draft)
    return published


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


def export_yaml(session: Session, actor: User, *, catalog_id: str) -> str:
    """The published version as YAML, in the format of guide_content/catalogs/ (audited)."""
    _user_ok(actor)
    row = published_row(session, catalog_id=catalog_id)
    if row is None:
        raise NotFound("Kataloget findes ikke.")
    audit.record(
        session,
        actor,
        AuditTag.CATALOG_EXPORT,
        object_type="catalog",
        object_id=f"{catalog_id} v{row.version}",
    )
    return row.content


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


def adopt_shipped(session: Session, actor: User, *, catalog_id: str) -> CatalogVersion:
    """A draft holding the newer shipped version, for the admin to review and publish."""
    shipped = shipped_update(session, catalog_id=catalog_id)
    if shipped is None:
        raise NotFound("Der er ingen nyere leveret version af kataloget.")
    row, _check = create_draft(
        session, actor, catalog_id=catalog_id, text=dump_catalog(shipped), source="shipped"
    )
    row.shipped_version = shipped.version
    session.add(row)
    session.flush()
    return row
