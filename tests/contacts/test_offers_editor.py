"""Admins edit the offers in the browser: previewed (nothing stored), published as a new
version (audited) or refused by line; staff and the API get the published version."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app import db
from app.audit.models import AuditEvent
from app.catalogs.service import GUIDE_CONTENT_DIR
from app.contacts.models import OfferVersion
from app.guide.loader import load_offers
from tests.html import by_id

HTMX = {"HX-Request": "true"}
SHIPPED = (GUIDE_CONTENT_DIR / "offers.yaml").read_text(encoding="utf-8")
EDITED = SHIPPED.replace("title: Åben, anonym rådgivning", "title: Familierådgivningen, anonymt")
NEXT = load_offers(GUIDE_CONTENT_DIR).version + 1
"""The first published version: the one after the shipped file's own ``version``."""


def _post(user, path, text, headers=None):
    return user.client.post(
        path,
        data={"csrf_token": user.csrf_token, "yaml": text},
        headers=headers or {},
        follow_redirects=False,
    )


def _stored(app) -> list[OfferVersion]:
    with db.session_scope(app.state.engine) as s:
        rows = list(s.exec(select(OfferVersion)).all())
        for row in rows:
            s.expunge(row)
        return rows


class TestAccess:
    @pytest.mark.parametrize("username", ["staff", "leader", "social"])
    def test_only_admins(self, as_user, org, username):
        user = as_user(username)
        assert user.client.get("/admin/offers").status_code == 403
        assert _post(user, "/admin/offers", EDITED).status_code == 403
        assert _post(user, "/admin/offers/preview", EDITED).status_code == 403


class TestEditor:
    def test_starts_from_the_shipped_file(self, as_user, org):
        soup = BeautifulSoup(as_user("admin").client.get("/admin/offers").text, "html.parser")
        assert by_id(soup, "input-yaml").get_text() == SHIPPED
        assert f"Publicér som version {NEXT}" in by_id(soup, "offers-publish-button").get_text()
        assert "leverede version" in by_id(soup, "offers-history").get_text()

    @pytest.mark.parametrize("headers", [{}, HTMX])
    def test_preview_shows_the_offers_by_level_and_stores_nothing(self, app, as_user, org, headers):
        response = _post(as_user("admin"), "/admin/offers/preview", EDITED, headers)
        assert response.status_code == 200
        soup = BeautifulSoup(response.text, "html.parser")
        assert "Familierådgivningen, anonymt" in by_id(soup, "offers-preview").get_text()
        assert by_id(soup, "input-yaml").get_text() == EDITED
        assert _stored(app) == []

    @pytest.mark.parametrize("path", ["/admin/offers/preview", "/admin/offers"])
    def test_problems_are_shown_by_line_and_nothing_is_stored(self, app, as_user, org, path):
        broken = EDITED.replace("levels: [1, 2, 3]", "levels: [1, 7]", 1)
        line = broken.splitlines().index("    levels: [1, 7]") + 1
        response = _post(as_user("admin"), path, broken)
        assert response.status_code == 422
        soup = BeautifulSoup(response.text, "html.parser")
        assert f"Linje {line}, offers[0].levels[1]" in by_id(soup, "offers-issues").get_text()
        assert by_id(soup, "input-yaml").get_text() == broken
        assert _stored(app) == []

    def test_publishing_makes_the_next_version_for_everyone(self, app, as_user, org):
        admin = as_user("admin")
        response = _post(admin, "/admin/offers", EDITED)
        assert response.status_code == 303
        assert response.headers["location"].endswith(f"/admin/offers?published={NEXT}")
        [row] = _stored(app)
        assert (row.version, row.created_by) == (NEXT, org.users["admin"])
        titles = [o["title"] for o in as_user("staff").client.get("/api/v1/offers").json()]
        assert titles[0] == "Familierådgivningen, anonymt"
        soup = BeautifulSoup(
            admin.client.get(f"/admin/offers?published={NEXT}").text, "html.parser"
        )
        assert by_id(soup, "offers-published")
        assert f"Version {NEXT}" in by_id(soup, "offers-history").get_text()
        assert by_id(soup, "input-yaml").get_text() == EDITED
        assert (
            _post(admin, "/admin/offers", SHIPPED)
            .headers["location"]
            .endswith(f"published={NEXT + 1}")
        )
        with db.session_scope(app.state.engine) as s:
            tags = [e.action for e in s.exec(select(AuditEvent)).all()]
        assert tags.count("offers:update") == 2
