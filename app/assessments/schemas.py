"""API shapes for assessments (api.md: ``POST /api/v1/assessments`` and the stored assessment)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.catalogs.schemas import (
    MAX_OBSERVED,
    CatalogRef,
    IndicatorRead,
    ObservedId,
    RationaleRead,
)
from app.guide.schema import ActionKey, LevelKey

MAX_TEXT = 10_000
MAX_REASON = 2_000


class LevelOverride(BaseModel):
    """The professional's own level and why; it can never lower a critical result."""

    model_config = ConfigDict(extra="forbid")

    level: int = Field(ge=1, le=4)
    reason: str = Field(max_length=MAX_REASON)


class AssessmentCreate(BaseModel):
    """``POST /api/v1/assessments``: a finished assessment in one call. Without
    ``catalog_id`` the catalog for the child's age today is used."""

    model_config = ConfigDict(extra="forbid")

    child_id: int
    observed: list[ObservedId] = Field(max_length=MAX_OBSERVED)
    catalog_id: str | None = Field(default=None, min_length=1, max_length=40)
    notes: str | None = Field(default=None, max_length=MAX_TEXT)
    resources: str | None = Field(default=None, max_length=MAX_TEXT)
    level_override: LevelOverride | None = None


class AssessmentRead(BaseModel):
    """A stored assessment, with the catalog version and indicator texts it was made with."""

    id: int
    child_id: int
    kind: Literal["single", "individual", "joint"]
    status: Literal["draft", "finished"]
    created_at: dt.datetime
    created_by: int
    finished_at: dt.datetime | None
    catalog: CatalogRef
    observed: list[str]
    observed_indicators: list[IndicatorRead]
    computed_level: int = Field(ge=1, le=4)
    level: int = Field(ge=1, le=4)
    level_key: LevelKey
    critical: bool
    rationale: list[RationaleRead]
    recommended_actions: list[ActionKey]
    parents_may_be_informed: bool
    urgent: bool
    notes: str
    resources: str
    override_reason: str | None
    follow_up_on: dt.date | None

    @classmethod
    def payload(cls, data: dict[str, Any]) -> dict[str, Any]:
        """``service.to_api(...)`` checked against this shape, as JSON data."""
        return cls.model_validate(data).model_dump(mode="json")
