"""Groups of an institution, their children and staff, and the rounds that cover groups."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class Group(SQLModel, table=True):
    """A stue, gruppe or klasse of one institution."""

    __tablename__ = "child_group"
    __table_args__ = (sa.UniqueConstraint("institution_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(foreign_key="institution.id", index=True)
    name: str = Field(max_length=100)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class GroupChild(SQLModel, table=True):
    """A child in a group (a child may be in several, e.g. a class and an SFO group)."""

    __tablename__ = "child_group_child"

    group_id: int = Field(foreign_key="child_group.id", primary_key=True)
    child_id: int = Field(foreign_key="child.id", primary_key=True, index=True)


class GroupStaff(SQLModel, table=True):
    """A staff member or leader who works with a group: its missing children are on their
    to-do list."""

    __tablename__ = "child_group_staff"

    group_id: int = Field(foreign_key="child_group.id", primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", primary_key=True, index=True)


class Round(SQLModel, table=True):
    """A well-being round: every child of its groups is to be assessed from ``starts_on`` to
    ``ends_on`` (both included, Danish dates)."""

    __tablename__ = "wellbeing_round"
    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="period"),
        sa.Index("ix_wellbeing_round_institution_id_starts_on", "institution_id", "starts_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(foreign_key="institution.id")
    title: str = Field(max_length=150)
    starts_on: dt.date
    ends_on: dt.date
    created_by: int = Field(foreign_key="user_account.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RoundGroup(SQLModel, table=True):
    """A group covered by a round."""

    __tablename__ = "wellbeing_round_group"

    round_id: int = Field(foreign_key="wellbeing_round.id", primary_key=True)
    group_id: int = Field(foreign_key="child_group.id", primary_key=True, index=True)
