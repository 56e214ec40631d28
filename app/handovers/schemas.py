"""API shapes of handovers (api.md "Handover"; additions in docs/api-extensions.md)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from app.fields import Id
from app.handovers.models import COVERS_MAX, GIVEN_BY_MAX, Handover


class ConsentCreate(BaseModel):
    """The parents' consent: who gave it, when, and what it covers (all required)."""

    model_config = ConfigDict(extra="forbid")

    given_by: str = Field(max_length=GIVEN_BY_MAX)
    given_on: dt.date
    covers: str = Field(max_length=COVERS_MAX)
    includes_meetings: StrictBool = False
    """The consent also covers the meetings recorded about the child (docs/api-extensions.md)."""


class HandoverCreate(BaseModel):
    """``POST /api/v1/children/{id}/handovers``."""

    model_config = ConfigDict(extra="forbid")

    to_institution_id: Id
    consent: ConsentCreate


class ConsentRead(BaseModel):
    """The consent as recorded."""

    given_by: str
    given_on: dt.date
    covers: str
    includes_meetings: bool


class HandoverRead(BaseModel):
    """A handover (api.md), with the names of both institutions and the times of its steps."""

    id: int
    child_id: int
    from_institution_id: int
    to_institution_id: int
    from_institution_name: str
    to_institution_name: str
    status: Literal["sent", "accepted", "withdrawn"]
    created_at: dt.datetime
    accepted_at: dt.datetime | None
    withdrawn_at: dt.datetime | None

    @classmethod
    def of(cls, handover: Handover, names: dict[int, str]) -> HandoverRead:
        """From the stored row and the institutions' names."""
        return cls.model_validate(
            {
                "id": handover.id or 0,
                "child_id": handover.child_id,
                "from_institution_id": handover.from_institution_id,
                "to_institution_id": handover.to_institution_id,
                "from_institution_name": names.get(handover.from_institution_id, ""),
                "to_institution_name": names.get(handover.to_institution_id, ""),
                "status": handover.status,
                "created_at": handover.created_at,
                "accepted_at": handover.accepted_at,
                "withdrawn_at": handover.withdrawn_at,
            }
        )


class HandoverChildRead(BaseModel):
    """The child as the handover shows it."""

    first_name: str
    last_name: str
    birth_date: dt.date


class SummaryFocusPointRead(BaseModel):
    """A focus point of the summary: what the adults do, who, by when, and whether done."""

    text: str
    who: str
    due_on: dt.date
    done_at: dt.datetime | None


class SummaryRead(BaseModel):
    """From the sending institution's latest finished assessment of the child."""

    level: int
    level_key: str
    assessed_on: dt.date
    focus_points: list[SummaryFocusPointRead]


class HandoverMeetingRead(BaseModel):
    """A meeting the consent covers, as the receiving school sees it."""

    kind: str
    held_on: dt.date
    participant_roles: list[str]
    parents_took_part: bool
    agreed: str
    follow_up_on: dt.date | None


class HandoverDetailRead(HandoverRead):
    """``GET /api/v1/handovers/{id}``: the handover with the child, the consent and the
    summary (null when the sender has no finished assessment of the child)."""

    child: HandoverChildRead
    consent: ConsentRead
    summary: SummaryRead | None
    meetings: list[HandoverMeetingRead]
    """The sending institution's meetings about the child, newest first, when the consent
    covers them (else empty): participants by role only."""
