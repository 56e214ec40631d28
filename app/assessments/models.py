"""An assessment of one child against one catalog version: a draft until it is finished."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from app.db import UTCDateTime, utcnow


class AssessmentStatus(StrEnum):
    """A draft is saved as the professional ticks; a finished assessment is read-only."""

    DRAFT = "draft"
    FINISHED = "finished"


class AssessmentKind(StrEnum):
    """``single`` today; ``individual`` and ``joint`` are planned (api.md)."""

    SINGLE = "single"
    INDIVIDUAL = "individual"
    JOINT = "joint"


class Assessment(SQLModel, table=True):
    """What one professional observed about one child, and the level it pointed to."""

    __tablename__ = "assessment"
    __table_args__ = (
        sa.CheckConstraint("status IN ('draft', 'finished')", name="status"),
        sa.CheckConstraint("kind IN ('single', 'individual', 'joint')", name="kind"),
        sa.CheckConstraint("level IS NULL OR level BETWEEN 1 AND 4", name="level"),
        sa.CheckConstraint(
            "computed_level IS NULL OR computed_level BETWEEN 1 AND 4", name="computed_level"
        ),
        # (child_id, status) first for a child's assessments; finished_at last for the
        # round figures' "latest counted assessment in the period" per child.
        sa.Index("ix_assessment_child_id_status_finished_at", "child_id", "status", "finished_at"),
        sa.Index("ix_assessment_institution_id", "institution_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id")
    institution_id: int = Field(foreign_key="institution.id")
    kind: str = Field(default=AssessmentKind.SINGLE, max_length=20)
    status: str = Field(default=AssessmentStatus.DRAFT, max_length=20)
    catalog_id: str = Field(max_length=40)
    catalog_version: int
    observed: list[str] = Field(default_factory=list, sa_type=JSON)
    notes: str = Field(default="", sa_type=sa.Text)
    resources: str = Field(default="", sa_type=sa.Text)
    computed_level: int | None = Field(default=None)
    level: int | None = Field(default=None)
    override_reason: str = Field(default="", max_length=2000)
    critical: bool = Field(default=False)
    result: dict[str, object] = Field(default_factory=dict, sa_type=JSON)
    follow_up_on: dt.date | None = Field(default=None)
    created_by: int = Field(foreign_key="user_account.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class FocusPoint(SQLModel, table=True):
    """A focus point (fokuspunkt) of a finished assessment: what the adults will do, who does
    it (a named person or role, free text) and by when. ``responsible_id`` is the user who
    follows it up and sees it on the start page when it is due (default: the assessor)."""

    __tablename__ = "focus_point"
    __table_args__ = (
        sa.Index("ix_focus_point_responsible_id_done_at", "responsible_id", "done_at"),
        sa.Index("ix_focus_point_institution_id_due_on", "institution_id", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    child_id: int = Field(foreign_key="child.id")
    institution_id: int = Field(foreign_key="institution.id")
    position: int = Field(default=0)
    text: str = Field(max_length=2000)
    who: str = Field(default="", max_length=200)
    responsible_id: int = Field(foreign_key="user_account.id")
    due_on: dt.date
    done_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ParentsInvolvement(StrEnum):
    """How the parents took part: told (orienteret) or involved (inddraget)."""

    INFORMED = "informed"
    INVOLVED = "involved"


class ParentContact(SQLModel, table=True):
    """That the parents were informed of or involved in an assessment (date, how), noted at
    the finish step; never stored when the abuse rule applies (the assessment is critical)."""

    __tablename__ = "parent_contact"
    __table_args__ = (
        sa.CheckConstraint("involvement IN ('informed', 'involved')", name="involvement"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", unique=True)
    involvement: str = Field(max_length=20)
    happened_on: dt.date
    how: str = Field(max_length=1000)
    created_by: int = Field(foreign_key="user_account.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
