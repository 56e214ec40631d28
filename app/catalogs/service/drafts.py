"""Drafts and publishing (admins only): create, save as typed, delete, publish one or
several together, export, and adopt a newer shipped version. Every change is audited."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from app.accounts.models import Role, User
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.catalogs.models import CatalogVersion, VersionStatus
from app.catalogs.service.content import MAX_YAML_CHARS, DraftCheck, check_content, content_hash
from app.catalogs.service.reads import get_draft, published_catalogs, published_row
from app.catalogs.service.shipped import shipped_update
from app.db import utcnow
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.guide.loader import ContentIssue, dump_catalog
from app.guide.schema import Catalog, check_catalog_set


def require_admin(actor: User) -> None:
    """Only admins edit the guide's content (Forbidden for everyone else)."""
    if actor.role_enum is not Role.ADMIN:
        raise Forbidden("Kun administratorer redigerer guidens indhold.")


def invalid_content(issues: Sequence[ContentIssue]) -> Invalid:
    """The 422 of a draft that does not parse: api.md's details ``[{"line", "path",
    "message"}]`` (``ContentIssue.to_detail``)."""
    first = issues[0]
    return Invalid(
        f"Kataloget er ikke gyldigt: {first}",
        code="invalid_catalog",
        details=[issue.to_detail() for issue in issues],
    )


def _store_fields(row: CatalogVersion, text: str, catalog: Catalog | None) -> None:
    row.content = text
    row.content_sha256 = content_hash(text)
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
    upload) invalid YAML is refused and nothing is stored; otherwise it is kept as typed. A
    copy of the published version is never refused: one stored before catalogs had sources
    becomes a draft that asks for them."""
    require_admin(actor)
    published = published_row(session, catalog_id=catalog_id)
    copied = text is None
    if text is None:
        if published is None:
            raise NotFound("Kataloget findes ikke.")
        text = published.content
    check = check_content(text, catalog_id=catalog_id)
    if strict and check.issues and not copied:
        raise invalid_content(check.issues)
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
    require_admin(actor)
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
    require_admin(actor)
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
    require_admin(actor)
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
            raise invalid_content(check.issues)
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


@dataclass(frozen=True)
class CatalogExport:
    """The published version as a file: its content and a safe file name."""

    filename: str
    text: str

    @property
    def content_disposition(self) -> str:
        """The ``Content-Disposition`` header of the download."""
        return f'attachment; filename="{self.filename}"'


_FILENAME_UNSAFE = re.compile(r"[^a-z0-9-]+")


def export_yaml(session: Session, actor: User, *, catalog_id: str) -> CatalogExport:
    """The published version as YAML, in the format of guide_content/catalogs/ (audited);
    the same file for the page's download and the API."""
    require_admin(actor)
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
    name = _FILENAME_UNSAFE.sub("", row.catalog_id) or "katalog"
    return CatalogExport(filename=f"{name}.yaml", text=row.content)


def other_drafts(session: Session, *, catalog_id: str) -> list[CatalogVersion]:
    """The drafts of every other catalog (to publish together, e.g. an age band split)."""
    return list(
        session.exec(
            select(CatalogVersion)
            .where(
                CatalogVersion.status == VersionStatus.DRAFT,
                CatalogVersion.catalog_id != catalog_id,
            )
            .order_by(col(CatalogVersion.min_age_years), col(CatalogVersion.id))
        ).all()
    )


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
