"""The diff between catalog versions that admins review before publishing."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from app.guide.diff import diff
from app.guide.loader import load_guide
from app.guide.schema import Catalog

SHIPPED = Path(__file__).resolve().parents[2] / "guide_content"


@cache
def _shipped() -> Catalog:
    return load_guide(SHIPPED).catalog("3-5")


@pytest.fixture
def young() -> Catalog:
    """A shipped catalog: several indicators per level, so one can move."""
    return _shipped()


def _edit(catalog: Catalog, area_index: int, indicator_index: int, **changes) -> Catalog:
    data = catalog.model_dump()
    data["areas"][area_index]["indicators"][indicator_index].update(changes)
    return Catalog.model_validate(data)


class TestDiff:
    def test_identical_versions_have_no_changes(self, young):
        catalog = young
        assert diff(catalog, catalog).empty

    def test_a_new_catalog_lists_every_indicator_as_added(self, young):
        catalog = young
        result = diff(None, catalog)
        assert len(result.added) == len(catalog.indicators())
        assert result.removed == ()
        assert result.catalog_fields == ()

    def test_text_and_level_changes_are_reported_and_level_flagged(self, young):
        catalog = young
        first = catalog.areas[0].indicators[0]
        edited = _edit(catalog, 0, 0, text="En ny tekst om barnet.", level=2)
        [change] = diff(catalog, edited).changed
        assert change.id == first.id
        assert change.fields == ("text", "level")
        assert change.level_changed

    def test_critical_flag_change(self, young):
        catalog = young
        area = catalog.areas[0]
        index = next(n for n, i in enumerate(area.indicators) if i.level == 4)
        edited = _edit(catalog, 0, index, critical=not area.indicators[index].critical)
        [change] = diff(catalog, edited).changed
        assert change.fields == ("critical",)
        assert not change.level_changed

    def test_critical_sign_made_acute_shows_both_flags(self, young):
        catalog = young
        area_index, index = next(
            (a, n)
            for a, area in enumerate(catalog.areas)
            for n, i in enumerate(area.indicators)
            if i.critical
        )
        edited = _edit(catalog, area_index, index, critical=False, acute=True)
        [change] = diff(catalog, edited).changed
        assert change.fields == ("critical", "acute")
        assert (change.old.acute, change.new.acute) == (False, True)

    def test_added_removed_and_catalog_fields(self, young):
        catalog = young
        data = catalog.model_dump()
        removed = data["areas"][1]["indicators"].pop(0)
        new_id = f"{catalog.id}.{data['areas'][1]['id']}.brand-new"
        data["areas"][1]["indicators"].append(
            {"id": new_id, "text": "Barnet gør noget nyt.", "level": 4, "critical": False}
        )
        data["title"] = "Ny titel"
        result = diff(catalog, Catalog.model_validate(data))
        assert [i.id for _area, i in result.added] == [new_id]
        assert [i.id for _area, i in result.removed] == [removed["id"]]
        assert result.changed == ()
        assert result.catalog_fields == ("title",)
        assert not result.empty
