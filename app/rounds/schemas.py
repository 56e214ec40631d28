"""API shapes for groups and rounds (api.md, "Groups and well-being rounds")."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from app.fields import Id
from app.rounds.figures import Cell

MAX_IDS = 2000


class GroupCreate(BaseModel):
    """``POST /api/v1/groups``."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)


class GroupUpdate(BaseModel):
    """``PATCH /api/v1/groups/{id}``: a new name."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)


class GroupChildren(BaseModel):
    """``PUT /api/v1/groups/{id}/children``: the group's children, exactly."""

    model_config = ConfigDict(extra="forbid")

    child_ids: list[Id] = Field(max_length=MAX_IDS)


class GroupStaffUpdate(BaseModel):
    """``PUT /api/v1/groups/{id}/staff``: the group's staff members, exactly."""

    model_config = ConfigDict(extra="forbid")

    user_ids: list[Id] = Field(max_length=MAX_IDS)


class GroupRead(BaseModel):
    """A group as the API shows it."""

    id: int
    name: str
    institution_id: int
    child_ids: list[int]
    staff_ids: list[int]


class RoundCreate(BaseModel):
    """``POST /api/v1/rounds``."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=150)
    starts_on: dt.date
    ends_on: dt.date
    group_ids: list[Id] = Field(max_length=MAX_IDS)


class RoundRead(BaseModel):
    """A round as the API shows it."""

    id: int
    title: str
    starts_on: dt.date
    ends_on: dt.date
    group_ids: list[int]


class GroupProgressRead(BaseModel):
    """One group's progress in a round."""

    group_id: int
    name: str
    children: int
    assessed: int
    missing: list[int]
    levels: dict[str, Cell]


class RoundProgressRead(RoundRead):
    """``GET /api/v1/rounds/{id}``: the round with its progress per group."""

    progress: list[GroupProgressRead]


class GroupLevelsRead(BaseModel):
    """One group's levels in the overview."""

    group_id: int
    name: str
    levels: dict[str, Cell]
    previous: dict[str, Cell] | None


class BandLevelsRead(BaseModel):
    """One age band's levels in the overview."""

    min_age_years: int
    max_age_years: int
    levels: dict[str, Cell]
    previous: dict[str, Cell] | None


class MovementRead(BaseModel):
    """Of the children at level 2 or higher in the previous round, how many moved down,
    stayed, moved up, or are not assessed in this round."""

    followed: Cell
    down: Cell
    stayed: Cell
    up: Cell
    not_assessed: Cell


class OverviewRead(BaseModel):
    """``GET /api/v1/rounds/{id}/overview``: every count from 1 to 4 is ``"<5"``."""

    round_id: int
    previous_round_id: int | None
    children: Cell
    assessed: Cell
    levels: dict[str, Cell]
    previous_levels: dict[str, Cell] | None
    by_group: list[GroupLevelsRead]
    by_age_band: list[BandLevelsRead]
    movement: MovementRead | None
