"""Concerns about a child after an assessment: parent dialogues, consultations, notifications."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from app.concerns.workflow import ConcernKind, ConcernStatus
from app.db import UTCDateTime, utcnow


class ParentDialogue(SQLModel, table=True):
    """A dialogue meeting with the parents (dialogmøde) and what was agreed."""

    __tablename__ = "parent_dialogue"

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    institution_id: int = Field(foreign_key="institution.id")
    held_on: dt.date
    participants: str = Field(max_length=1000)
    agreed: str = Field(sa_type=sa.Text)
    follow_up_on: dt.date | None = Field(default=None)
    created_by: int = Field(foreign_key="user_account.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Concern(SQLModel, table=True):
    """A consultation (anonymous) or a notification (named) sent to a district's social
    workers. A consultation stores no identity of the child beyond the internal links that
    let the institution find it again; those are never shown to the social worker."""

    __tablename__ = "concern"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('consultation', 'notification')", name="kind"),
        sa.CheckConstraint(
            "status IN ('received', 'acknowledged', 'assessed', 'answered', 'closed')",
            name="status",
        ),
        sa.CheckConstraint(
            "kind = 'notification' OR (child_name IS NULL AND cpr_encrypted IS NULL)",
            name="consultation_anonymous",
        ),
        sa.Index("ix_concern_district_id_status", "district_id", "status"),
        sa.Index("ix_concern_institution_id", "institution_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    status: str = Field(default="received", max_length=20)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    institution_id: int = Field(foreign_key="institution.id")
    district_id: int = Field(foreign_key="district.id")
    created_by: int = Field(foreign_key="user_account.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    level: int
    critical: bool = Field(default=False)
    age_years: int
    observed: list[dict[str, object]] = Field(default_factory=list, sa_type=JSON)
    message: str = Field(sa_type=sa.Text)
    parents_informed: bool | None = Field(default=None)
    parents_note: str = Field(default="", sa_type=sa.Text)
    details: dict[str, object] = Field(default_factory=dict, sa_type=JSON)
    child_name: str | None = Field(default=None, max_length=201)
    child_birth_date: dt.date | None = Field(default=None)
    cpr_encrypted: str | None = Field(default=None, max_length=500)
    acknowledged_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    assessed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: str = Field(default="", max_length=40)
    feedback: str = Field(default="", sa_type=sa.Text)
    answer: str = Field(default="", sa_type=sa.Text)
    assigned_to: int | None = Field(default=None, foreign_key="user_account.id")
    """A consultation's social worker first in line: the one the institution's contacts name
    (with a user); any social worker of the district may still take it."""
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    """Counts the social workers' steps (move, take): a step is written only where the row still
    has the version the step was decided on (``UPDATE … WHERE id = ? AND version = ?``), so of
    two social workers moving the same concern at once one wins and the other gets 409."""

    @property
    def kind_enum(self) -> ConcernKind:
        """The stored kind as the enum (the column holds its value)."""
        return ConcernKind(self.kind)

    @property
    def status_enum(self) -> ConcernStatus:
        """The stored status as the enum."""
        return ConcernStatus(self.status)

    @property
    def is_notification(self) -> bool:
        """A named notification (underretning), not an anonymous consultation."""
        return self.kind_enum is ConcernKind.NOTIFICATION


class ConcernEvent(SQLModel, table=True):
    """One step in a concern's timeline: submitted, each status change, with note, who, when."""

    __tablename__ = "concern_event"

    id: int | None = Field(default=None, primary_key=True)
    concern_id: int = Field(foreign_key="concern.id", index=True)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor_id: int = Field(foreign_key="user_account.id")
    actor_role: str = Field(max_length=20)
    from_status: str = Field(default="", max_length=20)
    to_status: str = Field(max_length=20)
    note: str = Field(default="", sa_type=sa.Text)
