"""A handover (overlevering) of a child from its daycare to a school, with the parents' consent."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow

GIVEN_BY_MAX = 200
COVERS_MAX = 1000


class HandoverStatus(StrEnum):
    """``sent`` until the receiving school accepts it (``accepted``: the child moved) or the
    sender withdraws it (``withdrawn``: nothing moved)."""

    SENT = "sent"
    ACCEPTED = "accepted"
    WITHDRAWN = "withdrawn"


class Handover(SQLModel, table=True):
    """One handover of one child: from the institution it belonged to, to a school, with the
    consent the parents gave (who, when, what it covers). At most one is open (``sent``) per
    child: the partial unique index refuses a second one, even from two requests at once."""

    __tablename__ = "handover"
    __table_args__ = (
        sa.CheckConstraint("status IN ('sent', 'accepted', 'withdrawn')", name="status"),
        sa.CheckConstraint("from_institution_id <> to_institution_id", name="other_institution"),
        sa.Index("ix_handover_child_id", "child_id"),
        sa.Index("ix_handover_from_institution_id", "from_institution_id"),
        sa.Index("ix_handover_to_institution_id_status", "to_institution_id", "status"),
        sa.Index(
            "uq_handover_child_id_open",
            "child_id",
            unique=True,
            sqlite_where=sa.text("status = 'sent'"),
            postgresql_where=sa.text("status = 'sent'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id")
    from_institution_id: int = Field(foreign_key="institution.id")
    to_institution_id: int = Field(foreign_key="institution.id")
    status: str = Field(default=HandoverStatus.SENT, max_length=20)
    consent_given_by: str = Field(max_length=GIVEN_BY_MAX)
    consent_given_on: dt.date
    consent_covers: str = Field(max_length=COVERS_MAX)
    consent_includes_meetings: bool = Field(default=False)
    """The consent also covers the meetings the sending institution recorded about the child."""
    created_by: int = Field(foreign_key="user_account.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    accepted_by: int | None = Field(default=None, foreign_key="user_account.id")
    accepted_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_by: int | None = Field(default=None, foreign_key="user_account.id")
    withdrawn_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
