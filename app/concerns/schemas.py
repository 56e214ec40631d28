"""Shapes for concerns: the notification's contents, and the API bodies."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

URGENCY_LABELS = {
    "acute": "Akut – barnet er i fare nu",
    "urgent": "Hurtigst muligt",
    "normal": "Almindelig",
}
OUTCOME_LABELS = {
    "no_action": "Ingen yderligere handling",
    "family_dialogue": "Dialog med familien",
    "investigation": "Børnefaglig undersøgelse",
    "acute_measures": "Akutte foranstaltninger",
    "forwarded": "Videregivet til anden myndighed",
}


class NotificationDetails(BaseModel):
    """What a professional notification holds beyond the child's identity and the message."""

    model_config = ConfigDict(extra="forbid")

    done_so_far: str = Field(default="", max_length=5000)
    notifier_name: str = Field(default="", max_length=150)
    notifier_role: str = Field(default="", max_length=150)
    notifier_contact: str = Field(default="", max_length=300)
    parents: str = Field(default="", max_length=1000)
    interpreter_language: str = Field(default="", max_length=100)
    urgency: Literal["acute", "urgent", "normal"] = "normal"


class ConcernCreate(BaseModel):
    """``POST /api/v1/concerns``."""

    model_config = ConfigDict(extra="forbid")

    assessment_id: int
    kind: Literal["consultation", "notification"]
    message: str = Field(min_length=1, max_length=5000)
    parents_informed: bool | None = None
    parents_note: str = Field(default="", max_length=2000)
    cpr: str | None = Field(default=None, max_length=20)
    details: NotificationDetails | None = None
    confirm: bool = True


class TransitionCreate(BaseModel):
    """``POST /api/v1/concerns/{id}/transitions``."""

    model_config = ConfigDict(extra="forbid")

    to: str = Field(min_length=1, max_length=20)
    note: str = Field(default="", max_length=5000)
    outcome: (
        Literal["no_action", "family_dialogue", "investigation", "acute_measures", "forwarded"]
        | None
    ) = None
    feedback: str = Field(default="", max_length=5000)


class DialogueCreate(BaseModel):
    """A parent dialogue meeting."""

    model_config = ConfigDict(extra="forbid")

    held_on: dt.date
    participants: str = Field(min_length=1, max_length=1000)
    agreed: str = Field(min_length=1, max_length=5000)
    follow_up_on: dt.date | None = None


class DeadlineRead(BaseModel):
    """One legal deadline: when, and whether it was met (null while open and not passed)."""

    due: dt.datetime
    met: bool | None
    state: Literal["open", "due_soon", "overdue", "met", "late"]


class ChildIdentity(BaseModel):
    """Only in a notification."""

    name: str | None
    birth_date: dt.date | None
    cpr_masked: str | None


class ConcernRead(BaseModel):
    """A concern as the caller may see it. For a social worker a consultation has no
    ``assessment_id``, ``child_id`` or ``child``."""

    id: int
    kind: Literal["consultation", "notification"]
    status: str
    next_status: str | None
    anonymous: bool
    created_at: dt.datetime
    district_id: int
    institution_id: int
    age_years: int
    level: int
    critical: bool
    observed_indicators: list[dict[str, object]]
    message: str
    deadlines: dict[str, DeadlineRead]
    acknowledged_at: dt.datetime | None
    assessed_at: dt.datetime | None
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
    answer: str | None
    outcome: str | None
    feedback: str | None
    assessment_id: int | None = None
    child_id: int | None = None
    child: ChildIdentity | None = None
    parents_informed: bool | None = None
    parents_note: str | None = None
    details: dict[str, object] | None = None


class DialogueRead(BaseModel):
    """A recorded parent dialogue."""

    id: int
    assessment_id: int
    held_on: dt.date
    participants: str
    agreed: str
    follow_up_on: dt.date | None
