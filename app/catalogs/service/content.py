"""Catalog content as text: the shipped files parsed once, a stored version parsed once per
content hash, and the check of a draft's YAML (like ``trivsel catalog validate``)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.catalogs.models import CatalogVersion
from app.guide.loader import ContentError, ContentIssue, load_guide, parse_catalog
from app.guide.schema import Catalog, Guide, LevelsConfig

GUIDE_CONTENT_DIR = Path(__file__).resolve().parent.parent.parent.parent / "guide_content"
MAX_YAML_CHARS = 500_000

_parsed: dict[str, Catalog] = {}
_parsed_lock = threading.Lock()


@cache
def shipped_guide() -> Guide:
    """The content shipped in ``guide_content/``, parsed and validated once per process."""
    return load_guide(GUIDE_CONTENT_DIR)


def levels() -> LevelsConfig:
    """The four levels, their actions and guidance."""
    return shipped_guide().levels


def content_hash(text: str) -> str:
    """The stored hash of a version's content (the key of the parse cache)."""
    return hashlib.sha256(text.encode()).hexdigest()


def parsed(row: CatalogVersion) -> Catalog:
    """The catalog of a stored version, parsed once per process (keyed by content hash)."""
    return parsed_by_hash(row.content_sha256, lambda: row.content, catalog_id=row.catalog_id)


def parsed_by_hash(sha256: str, text: Callable[[], str], *, catalog_id: str) -> Catalog:
    """The catalog whose content has ``sha256``; ``text()`` loads the YAML only when this
    process has not parsed it yet."""
    with _parsed_lock:
        catalog = _parsed.get(sha256)
    if catalog is None:
        catalog = parse_catalog(text(), filename=f"{catalog_id}.yaml", stored=True)
        with _parsed_lock:
            _parsed[sha256] = catalog
    return catalog


@dataclass(frozen=True)
class DraftCheck:
    """A draft's content parsed, or the problems that stop it (file, line, path, message)."""

    catalog: Catalog | None
    issues: tuple[ContentIssue, ...]


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
