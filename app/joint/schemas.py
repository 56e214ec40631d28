"""API shapes of joint assessments (api.md "Joint assessments")."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.assessments.schemas import (
    MAX_FOCUS_POINTS,
    MAX_TEXT,
    AssessmentRead,
    FocusPointCreate,
    LevelOverride,
    ParentsCreate,
)
from app.catalogs.schemas import MAX_OBSERVED, ObservedId
from app.children.schemas import ChildRead
from app.fields import Id
from app.meetings.schemas import MeetingRead

MAX_PARTICIPANTS = 20


class JointCreate(BaseModel):
    """``POST /api/v1/joint-assessments``: the child and the participants (the caller among
    them, at least two, each staff or leader of the child's institution)."""

    model_config = ConfigDict(extra="forbid")

    child_id: Id
    participant_ids: list[Id] = Field(max_length=MAX_PARTICIPANTS)


class AssessmentInput(BaseModel):
    """An individual or the joint assessment in one call: what was observed, the texts and
    the professional's own level (with its reason)."""

    model_config = ConfigDict(extra="forbid")

    observed: list[ObservedId] = Field(max_length=MAX_OBSERVED)
    notes: str | None = Field(default=None, max_length=MAX_TEXT)
    resources: str | None = Field(default=None, max_length=MAX_TEXT)
    level_override: LevelOverride | None = None


class JointFinish(AssessmentInput):
    """``POST /api/v1/joint-assessments/{id}/finish``: the team's assessment, and the plan the
    team agrees (docs/api-extensions.md: as ``POST /api/v1/assessments``, omitted means not
    asked; given, a result at level 2 or higher needs at least one focus point)."""

    focus_points: list[FocusPointCreate] | None = Field(default=None, max_length=MAX_FOCUS_POINTS)
    parents: ParentsCreate | None = None


class ParticipantRead(BaseModel):
    """Who takes part and whether they have submitted (visible to all who see the joint)."""

    user_id: int
    display_name: str
    submitted: bool


class IndividualRead(BaseModel):
    """A submitted individual assessment, shown once the caller submitted their own."""

    user_id: int
    assessment_id: int
    level: int
    observed: list[str]


class LevelRead(BaseModel):
    """One participant's level."""

    user_id: int
    level: int


class TickedRead(BaseModel):
    """One sign and who ticked it."""

    id: str
    ticked_by: list[int]


class ComparisonRead(BaseModel):
    """Side by side, once every participant has submitted."""

    levels: list[LevelRead]
    level_spread: int
    indicators: list[TickedRead]
    agreed: list[str]
    disputed: list[str]


class JointRead(BaseModel):
    """A joint assessment as the caller may see it (the independence rule: ``individual`` is
    null until the caller has submitted their own)."""

    id: int
    child_id: int
    status: Literal["collecting", "ready", "finished"]
    participants: list[ParticipantRead]
    individual: list[IndividualRead] | None
    comparison: ComparisonRead | None
    assessment_id: int | None


class JointResultRead(AssessmentRead):
    """The finished joint assessment: the stored assessment (``"kind": "joint"``) with its
    joint assessment and the participants."""

    joint_assessment_id: int
    participant_ids: list[int]


class AgreementRead(BaseModel):
    """How often the individual levels matched the joint level (finished joint assessments)."""

    joint_assessments: int
    individual_assessments: int
    matching_joint_level: int
    rate: float | None


class ChildDetail(ChildRead):
    """``GET /api/v1/children/{id}``: the child with its assessments, newest first (the
    caller's drafts included, with ``"status": "draft"``; the other participants' individual
    assessments once the independence rule lets the caller see them), and its meetings,
    newest first."""

    age_years: int
    assessments: list[AssessmentRead]
    meetings: list[MeetingRead]
