"""API and form shapes for children."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class ChildCreate(BaseModel):
    """``POST /api/v1/children``."""

    model_config = ConfigDict(extra="forbid")

    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    birth_date: dt.date
    institution_id: int | None = None
