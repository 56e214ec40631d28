"""API shapes for assessments (api.md: ``POST /api/v1/assessments`` and the stored assessment),
and the typed snapshot a finished assessment keeps (``AssessmentResult``)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.assessments.models import Assessment, FocusPoint, ParentContact
from app.catalogs.schemas import (
    MAX_OBSERVED,
    CatalogRef,
    IndicatorRead,
    ObservedId,
    RationaleRead,
)
from app.fields import Id, LevelNumber
from app.guide.schema import ActionKey, LevelKey

MAX_TEXT = 10_000
MAX_REASON = 2_000


class LevelOverride(BaseModel):
    """The professional's own level and why; it can never lower a critical result."""

    model_config = ConfigDict(extra="forbid")

    level: LevelNumber
    reason: str = Field(max_length=MAX_REASON)


MAX_FOCUS_POINTS = 10
FOCUS_TEXT_MAX = 2000
FOCUS_WHO_MAX = 200
PARENTS_HOW_MAX = 1000


class FocusPointCreate(BaseModel):
    """A focus point given when an assessment is finished: what the adults will do, who does
    it (free text: a named person or a role), who follows it up in the app
    (``responsible_id``, default the assessor) and by when (``due_on``, default the
    assessment's follow-up date)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=FOCUS_TEXT_MAX)
    who: str | None = Field(default=None, max_length=FOCUS_WHO_MAX)
    responsible_id: Id | None = None
    due_on: dt.date | None = None


class ParentsCreate(BaseModel):
    """The parents informed (``informed``) or involved (``involved``) about the assessment:
    when and how. Refused (422) when the abuse rule applies."""

    model_config = ConfigDict(extra="forbid")

    involvement: Literal["informed", "involved"]
    on: dt.date
    how: str = Field(max_length=PARENTS_HOW_MAX)


class FocusPointRead(BaseModel):
    """A stored focus point."""

    id: int
    text: str
    who: str
    responsible_id: int
    due_on: dt.date
    done_at: dt.datetime | None

    @classmethod
    def of(cls, point: FocusPoint) -> FocusPointRead:
        """From the stored row."""
        return cls(
            id=point.id or 0,
            text=point.text,
            who=point.who,
            responsible_id=point.responsible_id,
            due_on=point.due_on,
            done_at=point.done_at,
        )


class ParentsRead(BaseModel):
    """What was noted about the parents at the finish step."""

    involvement: Literal["informed", "involved"]
    on: dt.date
    how: str

    @classmethod
    def of(cls, contact: ParentContact) -> ParentsRead:
        """From the stored row."""
        return cls.model_validate(
            {"involvement": contact.involvement, "on": contact.happened_on, "how": contact.how}
        )


class AssessmentCreate(BaseModel):
    """``POST /api/v1/assessments``: a finished assessment in one call. Without
    ``catalog_id`` the catalog for the child's age today is used."""

    model_config = ConfigDict(extra="forbid")

    child_id: Id
    observed: list[ObservedId] = Field(max_length=MAX_OBSERVED)
    catalog_id: str | None = Field(default=None, min_length=1, max_length=40)
    notes: str | None = Field(default=None, max_length=MAX_TEXT)
    resources: str | None = Field(default=None, max_length=MAX_TEXT)
    level_override: LevelOverride | None = None
    # docs/api-extensions.md: omitted, nothing is asked (clients of api.md keep working);
    # given, a result at level 2 or higher needs at least one.
    focus_points: list[FocusPointCreate] | None = Field(default=None, max_length=MAX_FOCUS_POINTS)
    parents: ParentsCreate | None = None


class AssessmentResult(BaseModel):
    """What a finished assessment concluded, as it was when it was finished (stored in
    ``Assessment.result``); for a draft the same shape comes from the live evaluation
    (``service.result_of``). The signs carry the texts of the catalog version used."""

    level: int = Field(ge=1, le=4)
    computed_level: int = Field(ge=1, le=4)
    level_key: LevelKey
    critical: bool
    rationale: list[RationaleRead]
    recommended_actions: list[ActionKey]
    parents_may_be_informed: bool
    urgent: bool
    observed_indicators: list[IndicatorRead]
    override_reason: str = ""
    # Added with acute signs, breadth and strengths: snapshots stored before have none of
    # them, and were made by rules that had none.
    acute: bool = False
    escalated_from: Literal[2] | None = None
    strengths: list[str] = Field(default_factory=list)

    @property
    def strength_indicators(self) -> list[IndicatorRead]:
        """The observed level-1 signs (what works well), with their texts."""
        return [i for i in self.observed_indicators if i.id in set(self.strengths)]

    def indicator(self, indicator_id: str) -> IndicatorRead | None:
        """One observed sign by id (None if it was not observed)."""
        return next((i for i in self.observed_indicators if i.id == indicator_id), None)


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
    acute: bool
    escalated_from: Literal[2] | None
    rationale: list[RationaleRead]
    recommended_actions: list[ActionKey]
    parents_may_be_informed: bool
    urgent: bool
    strengths: list[str]
    notes: str
    resources: str
    override_reason: str | None
    follow_up_on: dt.date | None
    focus_points: list[FocusPointRead] = Field(default_factory=list)
    parents: ParentsRead | None = None

    @classmethod
    def of(
        cls,
        assessment: Assessment,
        result: AssessmentResult,
        *,
        focus_points: tuple[FocusPoint, ...] = (),
        parents: ParentContact | None = None,
    ) -> AssessmentRead:
        """From the stored assessment and what it concludes (``AssessmentState.result``),
        with its focus points and what was noted about the parents."""
        return cls(
            id=assessment.id,
            child_id=assessment.child_id,
            kind=assessment.kind,
            status=assessment.status,
            created_at=assessment.created_at,
            created_by=assessment.created_by,
            finished_at=assessment.finished_at,
            catalog=CatalogRef(id=assessment.catalog_id, version=assessment.catalog_version),
            observed=list(assessment.observed),
            observed_indicators=result.observed_indicators,
            computed_level=result.computed_level,
            level=result.level,
            level_key=result.level_key,
            critical=result.critical,
            acute=result.acute,
            escalated_from=result.escalated_from,
            rationale=result.rationale,
            recommended_actions=result.recommended_actions,
            parents_may_be_informed=result.parents_may_be_informed,
            urgent=result.urgent,
            strengths=result.strengths,
            notes=assessment.notes,
            resources=assessment.resources,
            override_reason=result.override_reason or None,
            follow_up_on=assessment.follow_up_on,
            focus_points=[FocusPointRead.of(p) for p in focus_points],
            parents=ParentsRead.of(parents) if parents else None,
        )
