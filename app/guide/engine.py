"""The evaluation: from the indicators a professional observed to a level and what to do.

Pure and deterministic. The rules (see docs/content-authoring.md):
- the level is the highest L of 4, 3, 2 for which at least `catalog.threshold(L)` observed
  indicators are on level L or above; otherwise 1;
- any observed critical indicator (the abuse rule) gives level 4: notify the municipality now
  and do not tell the parents first;
- observing more never lowers the level;
- the rationale ("Hvorfor") is every observed sign of concern (level 2 or above) once the
  result is level 2 or above, worst first: critical, then by level, then in catalog order. A
  ticked level-2 sign still supports a level-3 result. At level 1 it is the observed level-1
  signs (and any sign below a raised threshold).
"""

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict

from app.guide.schema import (
    ACTION_ORDER,
    LEVEL_KEYS,
    ActionKey,
    Catalog,
    Indicator,
    LevelKey,
    LevelsConfig,
)


class UnknownIndicators(ValueError):
    """Observed ids that are not in the catalog (maybe in another one)."""

    def __init__(self, ids: tuple[str, ...], *, catalog_id: str | None = None) -> None:
        self.ids = ids
        self.catalog_id = catalog_id
        where = "kataloget" if catalog_id is None else f"kataloget '{catalog_id}'"
        listed = ", ".join(f"'{indicator_id}'" for indicator_id in ids)
        super().__init__(f"ukendte indikatorer for {where}: {listed}")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RationaleItem(_Frozen):
    """An observed indicator that explains the result."""

    indicator_id: str
    level: int
    critical: bool


class Evaluation(_Frozen):
    """The result of an evaluation."""

    level: int
    level_key: LevelKey
    critical: bool
    urgent: bool
    parents_may_be_informed: bool
    rationale: tuple[RationaleItem, ...]
    recommended_actions: tuple[ActionKey, ...]
    observed: tuple[str, ...]
    catalog_id: str
    catalog_version: int
    follow_up_days: int | None

    def to_api(self) -> dict[str, Any]:
        """The body of api.md's `POST /api/v1/evaluate` response, as plain JSON data."""
        return {
            "level": self.level,
            "level_key": self.level_key.value,
            "critical": self.critical,
            "rationale": [item.model_dump() for item in self.rationale],
            "recommended_actions": [action.value for action in self.recommended_actions],
            "parents_may_be_informed": self.parents_may_be_informed,
            "urgent": self.urgent,
            "catalog": {"id": self.catalog_id, "version": self.catalog_version},
        }


def _level(catalog: Catalog, observed: list[Indicator]) -> int:
    for level in (4, 3, 2):
        if sum(1 for indicator in observed if indicator.level >= level) >= catalog.threshold(level):
            return level
    return 1


def recommended_actions(
    level: int, *, critical: bool, levels: LevelsConfig
) -> tuple[ActionKey, ...]:
    """The actions for a level (also one a professional chose), in the canonical order.

    Critical (the abuse rule): always a notification, never a parent dialogue first.
    """
    actions = set(levels.level(level).actions)
    if critical:
        actions.add(ActionKey.notification)
        actions.discard(ActionKey.parent_dialogue)
    return tuple(action for action in ACTION_ORDER if action in actions)


def evaluate(catalog: Catalog, observed: Iterable[str], levels: LevelsConfig) -> Evaluation:
    """Evaluate the observed indicator ids against `catalog`; duplicates count once.

    Raises UnknownIndicators naming every id that is not in the catalog.
    """
    if isinstance(observed, str):
        raise TypeError("observed skal være en samling af indikator-id'er, ikke én tekst")
    wanted = set(observed)
    unknown = sorted(wanted - catalog.indicators_by_id.keys())
    if unknown:
        raise UnknownIndicators(tuple(unknown), catalog_id=catalog.id)

    in_order = [indicator for indicator in catalog.indicators() if indicator.id in wanted]
    critical = any(indicator.critical for indicator in in_order)
    level = 4 if critical else _level(catalog, in_order)

    floor = min(level, 2)  # every sign of concern supports a result of concern
    reasons = sorted(  # stable: catalog order among equals
        (indicator for indicator in in_order if indicator.level >= floor),
        key=lambda indicator: (not indicator.critical, -indicator.level),
    )
    return Evaluation(
        level=level,
        level_key=LEVEL_KEYS[level],
        critical=critical,
        urgent=critical or level == 4,
        parents_may_be_informed=not critical,
        rationale=tuple(
            RationaleItem(indicator_id=i.id, level=i.level, critical=i.critical) for i in reasons
        ),
        recommended_actions=recommended_actions(level, critical=critical, levels=levels),
        observed=tuple(indicator.id for indicator in in_order),
        catalog_id=catalog.id,
        catalog_version=catalog.version,
        follow_up_days=levels.level(level).follow_up_days,
    )


__all__ = ["Evaluation", "RationaleItem", "UnknownIndicators", "evaluate", "recommended_actions"]
