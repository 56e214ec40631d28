"""Catalog versions: the shipped content is imported once and served from the database."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.catalogs import service as catalogs
from app.catalogs.models import CatalogVersion
from app.errors import NotFound


class TestImportShipped:
    def test_first_start_imports_every_shipped_catalog_as_published(self, app, client, session):
        rows = session.exec(select(CatalogVersion)).all()
        assert sorted(r.catalog_id for r in rows) == sorted(
            c.id for c in catalogs.shipped_guide().catalogs
        )
        assert {r.status for r in rows} == {"published"}

    def test_a_second_start_imports_nothing_and_changes_nothing(self, app, client, session):
        before = [(r.id, r.content_sha256) for r in session.exec(select(CatalogVersion)).all()]
        assert catalogs.import_shipped(session) == []
        after = [(r.id, r.content_sha256) for r in session.exec(select(CatalogVersion)).all()]
        assert before == after

    def test_stored_version_parses_back_to_the_shipped_catalog(self, app, client, session):
        for shipped in catalogs.shipped_guide().catalogs:
            stored = catalogs.get_version(session, catalog_id=shipped.id, version=shipped.version)
            assert stored == shipped


class TestLookups:
    @pytest.mark.parametrize(("years", "catalog_id"), [(0, "0-2"), (5, "3-5"), (17, "14-17")])
    def test_catalog_for_age(self, app, client, session, years, catalog_id):
        assert catalogs.for_age(session, years=years).id == catalog_id

    @pytest.mark.parametrize("years", [-1, 18])
    def test_no_catalog_outside_0_to_17(self, app, client, session, years):
        with pytest.raises(NotFound):
            catalogs.for_age(session, years=years)

    def test_unknown_catalog_and_version_are_not_found(self, app, client, session):
        with pytest.raises(NotFound):
            catalogs.get_published(session, catalog_id="99-100")
        with pytest.raises(NotFound):
            catalogs.get_version(session, catalog_id="3-5", version=99)
