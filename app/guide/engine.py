"""The evaluation: from the indicators a professional observed to a level and what to do.

Pure and deterministic. The rules (see docs/content-authoring.md):
- the level is the highest L of 4, 3, 2 for which at least `catalog.threshold(L)` observed
  indicators are on level L or above; otherwise 1 (level 4's threshold is always 1);
- any observed critical indicator (the abuse rule) gives level 4: notify the municipality now
  and do not tell the parents first (`parents_may_be_informed` false);
- any observed acute indicator (danger now, the parents are not suspected) gives level 4 too:
  act now and notify, and the parents may still be spoken to (`acute` true,
  `parents_may_be_informed` stays true unless a critical sign is observed as well);
- breadth (levels.yaml `breadth`): a result of level 2 with at least `min_signs` observed signs
  on level 2 or above in at least `min_areas` areas is level 3, and `escalated_from` is 2
  (else None). Breadth never gives level 4 and never lowers a level;
- observing more never lowers the level;
- the rationale ("Hvorfor") is every observed sign of concern (level 2 or above) once the
  result is level 2 or above, worst first: critical, then by level, then in catalog order. A
  ticked level-2 sign still supports a level-3 result, and after breadth the rationale is
  exactly the signs that raised it. At level 1 it is the observed level-1 signs (and any sign
  below a raised threshold);
- the strengths are the observed level-1 signs (what works well), in catalog order.
"""

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict

from app.guide.schema import (
    ACTION_ORDER,
    LEVEL_KEYS,
    ActionKey,
    BreadthRule,
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
    acute: bool
    escalated_from: int | None
    urgent: bool
    parents_may_be_informed: bool
    rationale: tuple[RationaleItem, ...]
    recommended_actions: tuple[ActionKey, ...]
    strengths: tuple[str, ...]
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
            "acute": self.acute,
            "escalated_from": self.escalated_from,
            "rationale": [item.model_dump() for item in self.rationale],
            "recommended_actions": [action.value for action in self.recommended_actions],
            "parents_may_be_informed": self.parents_may_be_informed,
            "urgent": self.urgent,
            "strengths": list(self.strengths),
            "catalog": {"id": self.catalog_id, "version": self.catalog_version},
        }


def _level(catalog: Catalog, observed: list[Indicator]) -> int:
    for level in (4, 3, 2):
        if sum(1 for indicator in observed if indicator.level >= level) >= catalog.threshold(level):
            return level
    return 1


def _broad(rule: BreadthRule, catalog: Catalog, observed: list[Indicator]) -> bool:
    """Whether the observed signs of concern are enough, and spread enough, for breadth."""
    concern = {indicator.id for indicator in observed if indicator.level >= 2}
    areas = sum(1 for area in catalog.areas if any(i.id in concern for i in area.indicators))
    return len(concern) >= rule.min_signs and areas >= rule.min_areas


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
    acute = any(indicator.acute for indicator in in_order)
    level = 4 if critical or acute else _level(catalog, in_order)
    escalated_from = None
    breadth = levels.breadth
    if level == 2 and breadth is not None and _broad(breadth, catalog, in_order):
        escalated_from, level = level, breadth.level

    floor = min(level, 2)  # every sign of concern supports a result of concern
    reasons = sorted(  # stable: catalog order among equals
        (indicator for indicator in in_order if indicator.level >= floor),
        key=lambda indicator: (not indicator.critical, -indicator.level),
    )
    return Evaluation(
        level=level,
        level_key=LEVEL_KEYS[level],
        critical=critical,
        acute=acute,
        escalated_from=escalated_from,
        urgent=level == 4,
        parents_may_be_informed=not critical,
        rationale=tuple(
            RationaleItem(indicator_id=i.id, level=i.level, critical=i.critical) for i in reasons
        ),
        recommended_actions=recommended_actions(level, critical=critical, levels=levels),
        strengths=tuple(indicator.id for indicator in in_order if indicator.level == 1),
        observed=tuple(indicator.id for indicator in in_order),
        catalog_id=catalog.id,
        catalog_version=catalog.version,
        follow_up_days=levels.level(level).follow_up_days,
    )


__all__ = ["Evaluation", "RationaleItem", "UnknownIndicators", "evaluate", "recommended_actions"]
