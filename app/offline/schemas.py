"""API shapes of the offline sync: a questionnaire's state as captured on the device."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.assessments.schemas import MAX_FOCUS_POINTS, FocusPointCreate, ParentsCreate
from app.fields import LevelNumber

MAX_OBSERVED = 500
TEXT_LIMIT = 12_000
"""A little above the service's limit, so that the service's Danish message is returned."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OfflineFinish(_Strict):
    """Finishing as chosen on the device: the level (the computed one or the professional's,
    with a reason) and the follow-up date (null: the level's suggestion)."""

    level: LevelNumber | None = None
    reason: Annotated[str, Field(max_length=TEXT_LIMIT)] = ""
    follow_up_on: dt.date | None = None
    # docs/api-extensions.md: optional, as in POST /api/v1/assessments.
    focus_points: list[FocusPointCreate] | None = Field(default=None, max_length=MAX_FOCUS_POINTS)
    parents: ParentsCreate | None = None


class OfflineSync(_Strict):
    """Everything the questionnaire held when it was captured on the device."""

    observed: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=200)]], Field(max_length=MAX_OBSERVED)
    ]
    notes: Annotated[str, Field(max_length=TEXT_LIMIT)] = ""
    resources: Annotated[str, Field(max_length=TEXT_LIMIT)] = ""
    finish: OfflineFinish | None = None


class DeviceKeyRead(BaseModel):
    """The caller's device key (AES-256-GCM, base64url) and the tag of their records."""

    owner: str
    key: str
    algorithm: str = "AES-GCM-256"
