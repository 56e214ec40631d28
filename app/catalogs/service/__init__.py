"""Catalog services, one module per responsibility; they flush, never commit.

- ``content``: the shipped files and stored versions parsed once; a draft's YAML checked
- ``reads``: published catalogs, versions and drafts, diffs, the evaluation
- ``shipped``: importing ``guide_content/`` at start, newer shipped versions
- ``drafts``: drafts, publishing, export (admins only, audited)
- ``editor``: the form editor's rules (areas, search, the form's operations)

Callers import this package (``from app.catalogs import service``); its names are the
catalogs domain's service interface.
"""

from app.catalogs.service import editor
from app.catalogs.service.content import (
    GUIDE_CONTENT_DIR,
    MAX_YAML_CHARS,
    DraftCheck,
    check_content,
    content_hash,
    levels,
    parsed,
    shipped_guide,
)
from app.catalogs.service.drafts import (
    CatalogExport,
    adopt_shipped,
    create_draft,
    delete_draft,
    export_yaml,
    invalid_content,
    other_drafts,
    publish,
    require_admin,
    save_draft,
)
from app.catalogs.service.reads import (
    catalog_ids,
    diff_to_previous,
    evaluate_observed,
    evaluate_published,
    for_age,
    get_draft,
    get_published,
    get_version,
    previous_of,
    published_catalogs,
    published_row,
    published_versions,
    versions,
)
from app.catalogs.service.shipped import import_shipped, shipped_update

__all__ = [
    "GUIDE_CONTENT_DIR",
    "MAX_YAML_CHARS",
    "CatalogExport",
    "DraftCheck",
    "adopt_shipped",
    "catalog_ids",
    "check_content",
    "content_hash",
    "create_draft",
    "delete_draft",
    "diff_to_previous",
    "editor",
    "evaluate_observed",
    "evaluate_published",
    "export_yaml",
    "for_age",
    "get_draft",
    "get_published",
    "get_version",
    "import_shipped",
    "invalid_content",
    "levels",
    "other_drafts",
    "parsed",
    "previous_of",
    "publish",
    "published_catalogs",
    "published_row",
    "published_versions",
    "require_admin",
    "save_draft",
    "shipped_guide",
    "shipped_update",
    "versions",
]
