"""The first answer to a creating request, kept so a retry with the same key replays it."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from app.db import UTCDateTime, utcnow


class IdempotentRequest(SQLModel, table=True):
    """``(user, key) → response``, stored in the same transaction as the create."""

    __tablename__ = "idempotent_request"
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id")
    key: str = Field(max_length=200)
    fingerprint: str = Field(max_length=64)
    status_code: int
    response: dict[str, object] = Field(sa_type=JSON)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
