"""A joint assessment of one child and its participants, each with their own individual one."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class JointStatus(StrEnum):
    """``collecting`` until every participant submitted, ``ready`` for the meeting, then
    ``finished`` with the joint result (``assessment_id``)."""

    COLLECTING = "collecting"
    READY = "ready"
    FINISHED = "finished"


class JointAssessment(SQLModel, table=True):
    """Two or more professionals assess one child alone, then agree one joint assessment."""

    __tablename__ = "joint_assessment"
    __table_args__ = (
        sa.CheckConstraint("status IN ('collecting', 'ready', 'finished')", name="status"),
        sa.Index("ix_joint_assessment_child_id", "child_id"),
        sa.Index("ix_joint_assessment_institution_id_status", "institution_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id")
    institution_id: int = Field(foreign_key="institution.id")
    started_by: int = Field(foreign_key="user_account.id")
    status: str = Field(default=JointStatus.COLLECTING, max_length=20)
    assessment_id: int | None = Field(default=None, foreign_key="assessment.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class JointParticipant(SQLModel, table=True):
    """One participant: their own individual assessment (a draft until they submit it)."""

    __tablename__ = "joint_participant"
    __table_args__ = (
        sa.UniqueConstraint("joint_id", "user_id"),
        sa.UniqueConstraint("assessment_id"),
        sa.Index("ix_joint_participant_user_id", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    joint_id: int = Field(foreign_key="joint_assessment.id")
    user_id: int = Field(foreign_key="user_account.id")
    assessment_id: int | None = Field(default=None, foreign_key="assessment.id")
    submitted_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
