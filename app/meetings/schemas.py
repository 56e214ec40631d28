"""API shapes of meetings (api.md "Meetings"), and the limits of what one holds."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from app.fields import Id
from app.meetings.models import Meeting, MeetingKind

MAX_PARTICIPANTS = 30
ROLE_MAX = 100
NAME_MAX = 200
AGREED_MAX = 5000
FOLLOW_UP_WITHIN_DAYS = 2 * 366
"""A follow-up date more than two years after the meeting is a typing error, not a plan."""

KIND_LABELS = {
    MeetingKind.CROSS_DISCIPLINARY: "Tværfagligt møde",
    MeetingKind.NETWORK: "Netværksmøde",
    MeetingKind.STATUS: "Statusmøde",
}

Kind = Literal["cross_disciplinary", "network", "status"]


class ParticipantCreate(BaseModel):
    """One participant: the role (required, e.g. "pædagog", "sundhedsplejerske") and the name
    (may be empty)."""

    model_config = ConfigDict(extra="forbid")

    role: str = Field(max_length=ROLE_MAX)
    name: str = Field(max_length=NAME_MAX)


class MeetingCreate(BaseModel):
    """``POST /api/v1/children/{id}/meetings``: a meeting that was held (``held_on`` today or
    before), at least one participant, ``follow_up_on`` not before ``held_on``."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind
    held_on: dt.date
    participants: list[ParticipantCreate] = Field(max_length=MAX_PARTICIPANTS)
    parents_took_part: StrictBool
    agreed: str = Field(max_length=AGREED_MAX)
    follow_up_on: dt.date | None = None
    assessment_id: Id | None = None


class ParticipantRead(BaseModel):
    """A participant as recorded."""

    role: str
    name: str


class MeetingRead(BaseModel):
    """A recorded meeting (api.md), with the assessment it was about (docs/api-extensions.md)."""

    id: int
    child_id: int
    kind: Kind
    held_on: dt.date
    participants: list[ParticipantRead]
    parents_took_part: bool
    agreed: str
    follow_up_on: dt.date | None
    assessment_id: int | None
    created_by: int
    created_at: dt.datetime

    @classmethod
    def of(cls, meeting: Meeting) -> MeetingRead:
        """From the stored row."""
        return cls.model_validate(
            {
                "id": meeting.id,
                "child_id": meeting.child_id,
                "kind": meeting.kind,
                "held_on": meeting.held_on,
                "participants": [
                    {"role": p.get("role", ""), "name": p.get("name", "")}
                    for p in meeting.participants
                ],
                "parents_took_part": meeting.parents_took_part,
                "agreed": meeting.agreed,
                "follow_up_on": meeting.follow_up_on,
                "assessment_id": meeting.assessment_id,
                "created_by": meeting.created_by,
                "created_at": meeting.created_at,
            }
        )
