"""API shapes for the guide content: levels, catalogs and the evaluation (api.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.fields import Id
from app.guide.engine import Evaluation
from app.guide.schema import ActionKey, Catalog, Indicator, LevelDef, LevelKey

MAX_OBSERVED = 500
MAX_ID_LENGTH = 100

ObservedId = Annotated[str, Field(min_length=1, max_length=MAX_ID_LENGTH)]


class GuidanceRead(BaseModel):
    """What staff should do, whom to involve and what to tell the parents."""

    what_to_do: str
    who_to_involve: str
    parents: str


class LevelRead(BaseModel):
    """One of the four levels, with its badge colours, actions and guidance."""

    level: int = Field(ge=1, le=4)
    key: LevelKey
    name: str
    color: str
    text_color: str
    description: str
    actions: list[ActionKey]
    follow_up_days: int | None
    guidance: GuidanceRead

    @classmethod
    def of(cls, level: LevelDef) -> LevelRead:
        """From the content of levels.yaml."""
        return cls(
            level=level.level,
            key=level.key,
            name=level.name,
            color=level.color,
            text_color=level.text_color,
            description=level.description,
            actions=list(level.actions),
            follow_up_days=level.follow_up_days,
            guidance=GuidanceRead(
                what_to_do=level.guidance.what_to_do,
                who_to_involve=level.guidance.who_to_involve,
                parents=level.guidance.parents,
            ),
        )


class CatalogRef(BaseModel):
    """The catalog and the version a result was computed with."""

    id: str
    version: int


class CatalogSummary(BaseModel):
    """A published catalog without its indicators; age bands are whole years, inclusive."""

    id: str
    version: int
    title: str
    min_age_years: int
    max_age_years: int


class IndicatorRead(BaseModel):
    """One observable sign."""

    id: str
    text: str
    level: int = Field(ge=1, le=4)
    critical: bool
    # Snapshots stored before signs could be acute have no key: they were not.
    acute: bool = False

    @classmethod
    def of(cls, indicator: Indicator) -> IndicatorRead:
        """From the catalog content."""
        return cls(
            id=indicator.id,
            text=indicator.text,
            level=indicator.level,
            critical=indicator.critical,
            acute=indicator.acute,
        )


class AreaRead(BaseModel):
    """An area of the child's life and its signs, in catalog order."""

    id: str
    title: str
    indicators: list[IndicatorRead]


class CatalogRead(CatalogSummary):
    """The published version of one catalog, with its areas and indicators."""

    areas: list[AreaRead]

    @classmethod
    def of(cls, catalog: Catalog) -> CatalogRead:
        """From the parsed catalog."""
        return cls(
            id=catalog.id,
            version=catalog.version,
            title=catalog.title,
            min_age_years=catalog.min_age_years,
            max_age_years=catalog.max_age_years,
            areas=[
                AreaRead(
                    id=area.id,
                    title=area.title,
                    indicators=[IndicatorRead.of(i) for i in area.indicators],
                )
                for area in catalog.areas
            ],
        )


class EvaluateRequest(BaseModel):
    """``POST /api/v1/evaluate``: the indicator ids observed, against one catalog."""

    model_config = ConfigDict(extra="forbid")

    catalog_id: str = Field(min_length=1, max_length=40)
    observed: list[ObservedId] = Field(max_length=MAX_OBSERVED)


class RationaleRead(BaseModel):
    """An observed indicator that explains the result."""

    indicator_id: str
    level: int = Field(ge=1, le=4)
    critical: bool


class EvaluationRead(BaseModel):
    """The level, why, and what to do. Critical: notify now, never a parent dialogue first.
    Acute: notify now, and the parents may be spoken to. ``escalated_from``: the breadth rule
    raised the level from 2. ``strengths``: the observed level-1 signs."""

    level: int = Field(ge=1, le=4)
    level_key: LevelKey
    critical: bool
    acute: bool
    escalated_from: Literal[2] | None
    rationale: list[RationaleRead]
    recommended_actions: list[ActionKey]
    parents_may_be_informed: bool
    urgent: bool
    strengths: list[str]
    catalog: CatalogRef

    @classmethod
    def of(cls, evaluation: Evaluation) -> EvaluationRead:
        """From the engine's result (the shape of ``Evaluation.to_api()``)."""
        return cls.model_validate(evaluation.to_api())


class VersionRead(BaseModel):
    """One version (or draft) of a catalog."""

    version: int | None
    status: str
    draft_id: int | None = None
    based_on_version: int | None = None
    created_at: datetime
    created_by: int | None
    published_at: datetime | None
    published_by: int | None


class DraftCreate(BaseModel):
    """``POST /api/v1/admin/catalogs/{id}/drafts``."""

    model_config = ConfigDict(extra="forbid")

    yaml: str = Field(min_length=1, max_length=500_000)


class DraftCreated(BaseModel):
    """The stored draft."""

    draft_id: int
    based_on_version: int | None


class PublishRequest(BaseModel):
    """Optional: publish other drafts together with this one (an age band split)."""

    model_config = ConfigDict(extra="forbid")

    with_drafts: list[Id] = Field(default_factory=list, max_length=20)


class Published(BaseModel):
    """The new published version."""

    id: str
    version: int
