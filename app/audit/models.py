"""The audit table. Rows are only ever inserted; database triggers refuse UPDATE and DELETE."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    """Who did what to which object, when, and from where."""

    __tablename__ = "audit_event"
    __table_args__ = (
        sa.Index("ix_audit_event_at", "at"),
        sa.Index("ix_audit_event_action_at", "action", "at"),
        sa.Index("ix_audit_event_actor_id_at", "actor_id", "at"),
        sa.Index("ix_audit_event_child_id_at", "child_id", "at"),
        # The viewer's filters by person (the username typed) and by object, newest first
        # (docs/performance.md: with a million rows, counting by actor read the table whole).
        sa.Index("ix_audit_event_actor_username_at", "actor_username", "at"),
        sa.Index("ix_audit_event_object_type_object_id_at", "object_type", "object_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor_id: int | None = Field(default=None)
    actor_username: str = Field(default="", max_length=64)
    actor_role: str = Field(default="", max_length=20)
    action: str = Field(max_length=64)
    object_type: str = Field(default="", max_length=40)
    object_id: str = Field(default="", max_length=64)
    child_id: int | None = Field(default=None)
    client_ip: str = Field(default="", max_length=64)
    request_id: str = Field(default="", max_length=64)
    detail: str = Field(default="", max_length=2000)


class AuditRetentionGate(SQLModel, table=True):
    """One row. The database refuses to delete an audit row unless it is older than
    ``delete_before``, which is NULL except inside the retention run's own transaction
    (it sets it, deletes, and sets it back before committing, so no other connection ever
    sees it set). Updates of audit rows stay refused always."""

    __tablename__ = "audit_retention_gate"
    __table_args__ = (sa.CheckConstraint("id = 1", name="one_row"),)

    id: int = Field(default=1, primary_key=True)
    delete_before: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
