"""A meeting about one child: kind, date, participants by role, the parents' part, what was
agreed and when to follow up."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from app.db import UTCDateTime, utcnow


class MeetingKind(StrEnum):
    """The meetings professionals hold about a child (api.md "Meetings")."""

    CROSS_DISCIPLINARY = "cross_disciplinary"
    NETWORK = "network"
    STATUS = "status"


class Meeting(SQLModel, table=True):
    """A cross-disciplinary, network or status meeting about a child, recorded after it was
    held by a staff member or leader of the child's institution. ``participants`` is the list
    of ``{"role", "name"}`` in the order given; ``assessment_id`` the finished assessment the
    meeting was about, if any."""

    __tablename__ = "meeting"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('cross_disciplinary', 'network', 'status')", name="kind"),
        sa.CheckConstraint(
            "follow_up_on IS NULL OR follow_up_on >= held_on", name="follow_up_after_meeting"
        ),
        sa.Index("ix_meeting_child_id_held_on", "child_id", "held_on"),
        # The start page: the institution's (or the recorder's) follow-ups that have come.
        sa.Index("ix_meeting_institution_id_follow_up_on", "institution_id", "follow_up_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id")
    institution_id: int = Field(foreign_key="institution.id")
    kind: str = Field(max_length=30)
    held_on: dt.date
    participants: list[dict[str, str]] = Field(default_factory=list, sa_type=JSON)
    parents_took_part: bool = Field(default=False)
    agreed: str = Field(sa_type=sa.Text)
    follow_up_on: dt.date | None = Field(default=None)
    assessment_id: int | None = Field(default=None, foreign_key="assessment.id")
    created_by: int = Field(foreign_key="user_account.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
