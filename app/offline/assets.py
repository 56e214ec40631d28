"""The release's static assets as the service worker sees them: one version, one precache list.

The version is the app's package version plus a hash of every file under ``static/``, so a
release that changes any asset installs a new service worker, whose new cache replaces the old
one in one step (and the page offers "Ny version – genindlæs" instead of mixing versions).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import metadata
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "static"
SW_SOURCE = STATIC_DIR / "sw.js"
VERSION_PLACEHOLDER = '"__TRIVSEL_VERSION__"'
PRECACHE_PLACEHOLDER = "/*PRECACHE*/[]"

PRECACHE = (
    "/static/offline.html",
    "/static/app.css",
    "/static/app.js",
    "/static/offline.js",
    *(f"/static/js/{module.name}" for module in sorted((STATIC_DIR / "js").glob("*.js"))),
    "/static/guide-engine.js",
    "/static/icons/icon-192.png",
    "/static/vendor/htmx-2.0.11/htmx.min.js",
    "/static/dkfds-used.css",
    "/static/vendor/ibm-plex-sans-1.1.0/fonts/split/woff2/IBMPlexSans-Regular-Latin1.woff2",
    "/static/vendor/ibm-plex-sans-1.1.0/fonts/split/woff2/IBMPlexSans-SemiBold-Latin1.woff2",
    "/static/vendor/dkfds-11.2.0/img/svg-icons/chevron-down.svg",
    "/manifest.webmanifest",
)
"""The app shell: what a page needs to render and work offline (no personal data)."""


def app_version() -> str:
    """The installed package version (``0`` when run from a bare source tree)."""
    try:
        return metadata.version("trivselsguiden")
    except metadata.PackageNotFoundError:  # pragma: no cover - always installed in tests
        return "0"


@cache
def static_hash(static_dir: Path = STATIC_DIR) -> str:
    """A short hash over the names and contents of every static file."""
    digest = hashlib.sha256()
    for path in sorted(p for p in static_dir.rglob("*") if p.is_file()):
        digest.update(path.relative_to(static_dir).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def asset_version() -> str:
    """``<package version>-<static hash>``: names the service worker's caches."""
    return f"{app_version()}-{static_hash()}"


def service_worker_source(version: str | None = None) -> str:
    """static/sw.js with the version and the precache list filled in."""
    source = SW_SOURCE.read_text(encoding="utf-8")
    return source.replace(VERSION_PLACEHOLDER, json.dumps(version or asset_version())).replace(
        PRECACHE_PLACEHOLDER, json.dumps(list(PRECACHE))
    )
