"""Shapes for concerns: the notification's contents, what a viewer may see of a concern
(:class:`ConcernView`, built once by the service) and the API bodies made from it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.catalogs.schemas import IndicatorRead
from app.concerns.models import Concern, ParentDialogue
from app.concerns.workflow import STATUS_LABELS, ConcernKind, ConcernStatus
from app.deadlines import Deadline
from app.fields import Id

MESSAGE_MAX = 5000
"""The longest message of a consultation or notification (and of a note, answer or feedback);
the forms allow a little more so that the service, not the form, says what is wrong."""
FORM_TEXT_MAX = MESSAGE_MAX + 1000

ABUSE_RULE = (
    "Ved mistanke om vold eller seksuelle overgreb må forældrene ikke orienteres, før "
    "kommunen er kontaktet. Kommunen beslutter, hvornår forældrene får besked."
)


class Urgency(StrEnum):
    """How urgent the notifier finds it (most urgent first)."""

    ACUTE = "acute"
    URGENT = "urgent"
    NORMAL = "normal"

    @property
    def label(self) -> str:
        """The Danish words on the form and in the inbox."""
        return URGENCY_LABELS[self]


URGENCY_LABELS = {
    Urgency.ACUTE: "Akut – barnet er i fare nu",
    Urgency.URGENT: "Hurtigst muligt",
    Urgency.NORMAL: "Almindelig",
}
URGENCY_RANK = {Urgency.ACUTE: 0, Urgency.URGENT: 1, Urgency.NORMAL: 2}


class Outcome(StrEnum):
    """What the municipality's assessment of a notification led to (api.md's five values)."""

    NO_ACTION = "no_action"
    FAMILY_DIALOGUE = "family_dialogue"
    INVESTIGATION = "investigation"
    ACUTE_MEASURES = "acute_measures"
    FORWARDED = "forwarded"

    @property
    def label(self) -> str:
        """The Danish words shown to the notifier."""
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    Outcome.NO_ACTION: "Ingen yderligere handling",
    Outcome.FAMILY_DIALOGUE: "Dialog med familien",
    Outcome.INVESTIGATION: "Børnefaglig undersøgelse",
    Outcome.ACUTE_MEASURES: "Akutte foranstaltninger",
    Outcome.FORWARDED: "Videregivet til anden myndighed",
}


class NotificationDetails(BaseModel):
    """What a professional notification holds beyond the child's identity and the message."""

    model_config = ConfigDict(extra="forbid")

    done_so_far: str = Field(default="", max_length=MESSAGE_MAX)
    notifier_name: str = Field(default="", max_length=150)
    notifier_role: str = Field(default="", max_length=150)
    notifier_contact: str = Field(default="", max_length=300)
    parents: str = Field(default="", max_length=1000)
    interpreter_language: str = Field(default="", max_length=100)
    urgency: Urgency = Urgency.NORMAL

    @classmethod
    def of(cls, concern: Concern) -> NotificationDetails | None:
        """A notification's stored details (None for a consultation)."""
        if not concern.is_notification:
            return None
        return cls.model_validate(concern.details or {})


class ConcernCreate(BaseModel):
    """``POST /api/v1/concerns``."""

    model_config = ConfigDict(extra="forbid")

    assessment_id: Id
    kind: ConcernKind
    message: str = Field(min_length=1, max_length=MESSAGE_MAX)
    parents_informed: bool | None = None
    parents_note: str = Field(default="", max_length=2000)
    cpr: str | None = Field(default=None, max_length=20)
    details: NotificationDetails | None = None
    confirm: bool = True


class TransitionCreate(BaseModel):
    """``POST /api/v1/concerns/{id}/transitions``."""

    model_config = ConfigDict(extra="forbid")

    to: str = Field(min_length=1, max_length=20)
    note: str = Field(default="", max_length=MESSAGE_MAX)
    outcome: Outcome | None = None
    feedback: str = Field(default="", max_length=MESSAGE_MAX)


class CprReveal(BaseModel):
    """``POST /api/v1/concerns/{id}/cpr``: why the full number is needed (audited)."""

    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(min_length=1, max_length=300)


class CprRead(BaseModel):
    """The full CPR number, for the district's social workers."""

    cpr: str | None


class DialogueCreate(BaseModel):
    """A parent dialogue meeting."""

    model_config = ConfigDict(extra="forbid")

    held_on: dt.date
    participants: str = Field(min_length=1, max_length=1000)
    agreed: str = Field(min_length=1, max_length=MESSAGE_MAX)
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


@dataclass(frozen=True)
class Step:
    """One line of a concern's record ("Forløb") as the viewer may read it: the note is
    internal to the district's social workers and empty for everyone else."""

    at: dt.datetime
    actor_id: int
    status: ConcernStatus
    note: str
    taken: bool = False
    """A social worker took the concern (the status stayed)."""

    @property
    def status_label(self) -> str:
        """The status in Danish ("Overtaget" for a take)."""
        return "Overtaget" if self.taken else STATUS_LABELS[self.status]


class KindAndStatus:
    """What a concern's line and its page both say of its kind and status (a mixin of
    :class:`ConcernView` and the inbox's lines, which have ``kind`` and ``status``)."""

    __slots__ = ()
    kind: ConcernKind
    status: ConcernStatus

    @property
    def is_notification(self) -> bool:
        """A named notification (underretning)."""
        return self.kind is ConcernKind.NOTIFICATION

    @property
    def status_label(self) -> str:
        """The status in Danish."""
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class ConcernView(KindAndStatus):
    """A concern as one viewer may see it: what the API answers and the concern page shows.

    ``shows_links``: the viewer may know which child and assessment it is about (never a
    social worker on a consultation). ``shows_identity``: a notification's identity.
    ``events`` are the steps the viewer may read: internal notes only for the district's
    social workers."""

    concern: Concern
    kind: ConcernKind
    status: ConcernStatus
    next_status: ConcernStatus | None
    now: dt.datetime
    deadlines: dict[str, Deadline]
    observed: list[IndicatorRead]
    shows_links: bool
    shows_identity: bool
    for_social_worker: bool
    details: NotificationDetails | None = None
    cpr_masked: str | None = None
    has_cpr: bool = False
    events: list[Step] = field(default_factory=list)

    @property
    def anonymous(self) -> bool:
        """A consultation never carries the child's identity."""
        return self.kind is ConcernKind.CONSULTATION

    @property
    def outcome(self) -> Outcome | None:
        """The outcome of the municipality's assessment, once assessed."""
        return Outcome(self.concern.outcome) if self.concern.outcome else None

    @property
    def urgency(self) -> Urgency | None:
        """The notifier's urgency (notifications only)."""
        return self.details.urgency if self.details else None

    @property
    def has_reply(self) -> bool:
        """An answer, feedback or outcome has arrived."""
        c = self.concern
        return bool(c.answer or c.feedback or c.outcome)


class ConcernRead(BaseModel):
    """A concern as the caller may see it. For a social worker a consultation has no
    ``assessment_id``, ``child_id`` or ``child``."""

    id: int
    kind: ConcernKind
    status: ConcernStatus
    next_status: ConcernStatus | None
    anonymous: bool
    created_at: dt.datetime
    district_id: int
    institution_id: int
    age_years: int
    level: int
    critical: bool
    observed_indicators: list[IndicatorRead]
    message: str
    deadlines: dict[str, DeadlineRead]
    acknowledged_at: dt.datetime | None
    assessed_at: dt.datetime | None
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
    answer: str | None
    outcome: Outcome | None
    feedback: str | None
    assigned_to: int | None = None
    version: int = 1
    """Counts the social workers' steps; what ``If-Match`` names (docs/api-extensions.md)."""
    assessment_id: int | None = None
    child_id: int | None = None
    child: ChildIdentity | None = None
    parents_informed: bool | None = None
    parents_note: str | None = None
    details: NotificationDetails | None = None

    @classmethod
    def of(cls, view: ConcernView) -> ConcernRead:
        """api.md's shape of what the viewer may see; hidden fields are left unset."""
        c = view.concern
        read = cls(
            id=c.id or 0,
            kind=view.kind,
            status=view.status,
            next_status=view.next_status,
            anonymous=view.anonymous,
            created_at=c.created_at,
            district_id=c.district_id,
            institution_id=c.institution_id,
            age_years=c.age_years,
            level=c.level,
            critical=c.critical,
            observed_indicators=view.observed,
            message=c.message,
            deadlines={
                name: DeadlineRead(due=d.due, met=d.met(view.now), state=d.state(view.now).value)
                for name, d in view.deadlines.items()
            },
            acknowledged_at=c.acknowledged_at,
            assessed_at=c.assessed_at,
            answered_at=c.answered_at,
            closed_at=c.closed_at,
            answer=c.answer or None,
            outcome=view.outcome,
            feedback=c.feedback or None,
            assigned_to=c.assigned_to,
            version=c.version,
        )
        if view.shows_links:
            read.assessment_id = c.assessment_id
            read.child_id = c.child_id
        if view.shows_identity:
            read.child = ChildIdentity(
                name=c.child_name, birth_date=c.child_birth_date, cpr_masked=view.cpr_masked
            )
            read.parents_informed = c.parents_informed
            read.parents_note = c.parents_note or None
            read.details = view.details
        return read

    def to_json(self) -> dict[str, object]:
        """The JSON body, without the fields the viewer may not see."""
        return self.model_dump(mode="json", exclude_unset=True)


class DialogueRead(BaseModel):
    """A recorded parent dialogue."""

    id: int
    assessment_id: int
    held_on: dt.date
    participants: str
    agreed: str
    follow_up_on: dt.date | None

    @classmethod
    def of(cls, dialogue: ParentDialogue) -> DialogueRead:
        """From a dialogue row (its columns are the answer's fields)."""
        return cls.model_validate(dialogue, from_attributes=True)
