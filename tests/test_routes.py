"""Deny by default: every route declares who may use it; every template parses and has a title."""

from __future__ import annotations

from pathlib import Path

import jinja2
from fastapi.routing import APIRoute

from app.web.templating import TEMPLATES_DIR, make_templates

ALLOWED_PUBLIC = {
    "/login",
    "/healthz",
    "/readyz",
    "/manifest.webmanifest",
    "/sw.js",
    "/api/v1/session",
    "/tilgaengelighed",
}


def _access_markers(dependant) -> set[str]:
    found = set()
    for dep in dependant.dependencies:
        marker = getattr(dep.call, "__trivsel_access__", None)
        if marker:
            found.add(marker)
        found |= _access_markers(dep)
    return found


class TestRouteAccess:
    def test_every_route_declares_its_access(self, app):
        missing = []
        public = []
        for route in app.routes:
            if not isinstance(route, APIRoute):
                continue
            markers = _access_markers(route.dependant)
            if not markers:
                missing.append(f"{sorted(route.methods or ())} {route.path}")
            if markers == {"public"} or ("public" in markers and len(markers) == 1):
                public.append(route.path)
        assert missing == []
        assert set(public) <= ALLOWED_PUBLIC

    def test_every_route_has_a_name(self, app):
        unnamed = [r.path for r in app.routes if isinstance(r, APIRoute) and ":" not in r.name]
        assert unnamed == []


class TestTemplates:
    def test_every_template_parses(self):
        env = make_templates().env
        names = [str(p.relative_to(TEMPLATES_DIR)) for p in Path(TEMPLATES_DIR).rglob("*.html")]
        assert names
        for name in names:
            try:
                env.get_template(name)
            except jinja2.TemplateSyntaxError as error:  # pragma: no cover - shows the culprit
                raise AssertionError(f"{name}: {error}") from error

    def test_every_page_has_a_title(self):
        for path in Path(TEMPLATES_DIR).rglob("*.html"):
            name = path.name
            if name.startswith("_") or path.parent.name == "_macros" or name == "base.html":
                continue
            text = path.read_text(encoding="utf-8")
            assert "{% block title %}" in text or "{% block error_title %}" in text, name
