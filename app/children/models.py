"""A child in an institution. Only what an assessment needs: name and birth date."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class Child(SQLModel, table=True):
    """A child known by an institution's staff."""

    __tablename__ = "child"
    __table_args__ = (
        sa.Index("ix_child_institution_id_last_name", "institution_id", "last_name"),
        # Never reuse the id of a deleted child (retention): the audit log keeps child ids,
        # and a new child must not inherit another's access log. PostgreSQL's sequences
        # never reuse one; SQLite needs AUTOINCREMENT for that.
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(foreign_key="institution.id")
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    birth_date: dt.date
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: int = Field(foreign_key="user_account.id")
    #: The day the child left the institution (udmeldt); its records are deleted a retention
    #: period later (app/retention). None while the child is there.
    left_on: dt.date | None = Field(default=None)

    @property
    def full_name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}"
