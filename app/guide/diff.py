"""PURE: what changed between two versions of a catalog, indicator by indicator."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.guide.schema import Catalog, Indicator


@dataclass(frozen=True)
class IndicatorChange:
    """One indicator in both versions that is not the same."""

    id: str
    old: Indicator
    new: Indicator
    area: str

    @property
    def level_changed(self) -> bool:
        """The level moved (highlighted: it changes what staff are told to do)."""
        return self.old.level != self.new.level

    @property
    def fields(self) -> tuple[str, ...]:
        """Which of text, level, critical and acute changed (an id names its area, so an indicator
        moved to another area shows as removed and added)."""
        changed = []
        if self.old.text != self.new.text:
            changed.append("text")
        if self.level_changed:
            changed.append("level")
        if self.old.critical != self.new.critical:
            changed.append("critical")
        if self.old.acute != self.new.acute:
            changed.append("acute")
        return tuple(changed)


@dataclass(frozen=True)
class CatalogDiff:
    """Added, removed and changed indicators, and changes to the catalog's own fields."""

    added: tuple[tuple[str, Indicator], ...] = ()
    removed: tuple[tuple[str, Indicator], ...] = ()
    changed: tuple[IndicatorChange, ...] = ()
    catalog_fields: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        """Nothing changed."""
        return not (self.added or self.removed or self.changed or self.catalog_fields)


def _placed(catalog: Catalog) -> dict[str, tuple[str, Indicator]]:
    return {i.id: (area.title, i) for area in catalog.areas for i in area.indicators}


_CATALOG_FIELDS = ("title", "min_age_years", "max_age_years", "description", "thresholds")


def diff(old: Catalog | None, new: Catalog) -> CatalogDiff:
    """The difference from ``old`` (None: a new catalog) to ``new``, in ``new``'s order."""
    before = _placed(old) if old is not None else {}
    after = _placed(new)
    added = tuple((area, i) for i_id, (area, i) in after.items() if i_id not in before)
    removed = tuple((area, i) for i_id, (area, i) in before.items() if i_id not in after)
    changed = tuple(
        IndicatorChange(i_id, before[i_id][1], indicator, area)
        for i_id, (area, indicator) in after.items()
        if i_id in before and before[i_id][1] != indicator
    )
    fields = (
        tuple(name for name in _CATALOG_FIELDS if getattr(old, name) != getattr(new, name))
        if old is not None
        else ()
    )
    return CatalogDiff(added=added, removed=removed, changed=changed, catalog_fields=fields)
