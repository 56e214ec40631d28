"""API and form shapes for children."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from app.children.models import Child
from app.fields import Id


class ChildCreate(BaseModel):
    """``POST /api/v1/children``."""

    model_config = ConfigDict(extra="forbid")

    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    birth_date: dt.date
    institution_id: Id | None = None


class ChildLeaving(BaseModel):
    """``PUT /api/v1/children/{id}/leaving``: the day the child leaves (or left) the
    institution, or null to undo it."""

    model_config = ConfigDict(extra="forbid")

    left_on: dt.date | None


class ChildRead(BaseModel):
    """A child as the API shows it."""

    id: int
    first_name: str
    last_name: str
    birth_date: dt.date
    institution_id: int
    created_at: dt.datetime
    left_on: dt.date | None = None

    @classmethod
    def of(cls, child: Child) -> ChildRead:
        """From a child row."""
        return cls(
            id=child.id,
            first_name=child.first_name,
            last_name=child.last_name,
            birth_date=child.birth_date,
            institution_id=child.institution_id,
            created_at=child.created_at,
            left_on=child.left_on,
        )
