"""A request of access (GDPR art. 15): everything stored about one child, in one place for the
JSON answer (``GET /api/v1/children/{id}/export``) and the leader's printable page.

It lives in concerns, the highest domain whose records it gathers (concerns above assessments
above children). Who may ask, and the audit row with the purpose ``indsigt (art. 15)``, are
``children.scope.get_child_for_export``'s business; what of the concerns the caller sees is
``concerns.scope.concerns_for_export``'s (the institution's own view). Employees' names and
user ids are left out, as in the child's access log. Flushes, never commits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import MultiFernet
from sqlmodel import Session

from app.accounts.models import User
from app.assessments import scope as assessments_scope
from app.assessments import service as assessments
from app.assessments.schemas import AssessmentRead
from app.children import scope as children_scope
from app.children import service as children
from app.children.models import Child
from app.children.schemas import ChildRead
from app.children.service import AccessRow
from app.concerns import scope
from app.concerns.dialogues import dialogues_of_child
from app.concerns.models import ParentDialogue
from app.concerns.schemas import ConcernRead, DialogueRead
from app.concerns.service import view_of
from app.db import utcnow
from app.handovers import service as handovers
from app.handovers.models import Handover
from app.meetings import service as meetings_service
from app.meetings.models import Meeting
from app.meetings.schemas import MeetingRead

HIDDEN_ASSESSMENT_FIELDS = frozenset({"created_by"})
"""Who made an assessment is an employee's identity, not the child's data (as in the log)."""
HIDDEN_MEETING_FIELDS = frozenset({"created_by"})
"""Who recorded a meeting, likewise."""


def meeting_json(meeting: Meeting) -> dict[str, Any]:
    """A meeting as the export hands it out: the participants by role only (their names are
    employees' and other professionals' identities, as in the access log), no recorder."""
    read = MeetingRead.of(meeting).model_dump(mode="json", exclude=set(HIDDEN_MEETING_FIELDS))
    read["participants"] = [{"role": p["role"]} for p in read["participants"]]
    return read


@dataclass(frozen=True)
class ChildExport:
    """What is stored about one child, as the caller may hand it out."""

    child: Child
    exported_at: dt.datetime
    assessments: list[AssessmentRead]
    dialogues: list[ParentDialogue]
    concerns: list[ConcernRead]
    access_log: list[AccessRow]
    handovers: list[Handover]
    meetings: list[Meeting]
    """Meetings about the child, newest first."""

    def to_json(self) -> dict[str, Any]:
        """The JSON answer of ``GET /api/v1/children/{id}/export``."""
        return {
            "exported_at": self.exported_at.isoformat(),
            "purpose": children_scope.EXPORT_PURPOSE,
            "child": ChildRead.of(self.child).model_dump(mode="json"),
            "assessments": [
                a.model_dump(mode="json", exclude=set(HIDDEN_ASSESSMENT_FIELDS))
                for a in self.assessments
            ],
            "dialogues": [DialogueRead.of(d).model_dump(mode="json") for d in self.dialogues],
            "meetings": [meeting_json(m) for m in self.meetings],
            "concerns": [c.to_json() for c in self.concerns],
            "handovers": [
                {
                    "id": h.id,
                    "from_institution_id": h.from_institution_id,
                    "to_institution_id": h.to_institution_id,
                    "status": h.status,
                    "created_at": h.created_at.isoformat(),
                    "accepted_at": h.accepted_at.isoformat() if h.accepted_at else None,
                    "withdrawn_at": h.withdrawn_at.isoformat() if h.withdrawn_at else None,
                    "consent": {
                        "given_by": h.consent_given_by,
                        "given_on": h.consent_given_on.isoformat(),
                        "covers": h.consent_covers,
                        "includes_meetings": h.consent_includes_meetings,
                    },
                }
                for h in self.handovers
            ],
            "access_log": [
                {
                    "at": row.at.isoformat(),
                    "action": row.what,
                    "purpose": row.purpose,
                    "role": row.role,
                }
                for row in self.access_log
            ],
        }


def _without_employees(read: ConcernRead) -> ConcernRead:
    """A notification names and reaches its notifier (an employee); the export keeps only
    the notifier's role, as the access log keeps only the role (GDPR art. 15(4))."""
    if read.details is not None:
        read.details = read.details.model_copy(update={"notifier_name": "", "notifier_contact": ""})
    return read


def export_child(
    session: Session, actor: User, *, child_id: int, cipher: MultiFernet | None = None
) -> ChildExport:
    """Everything stored about the child for a request of access: the register entry, every
    assessment (drafts too: they are stored data about the child) with its notes, resources,
    observed signs with their texts as stored, levels and override reason; the parent
    dialogues; the meetings (participants by role); the concerns as the institution sees
    them (a notification's CPR number masked); and the access log, whose newest line is
    this export. Audited."""
    child = children_scope.get_child_for_export(session, actor, child_id=child_id)
    rows = assessments_scope.assessments_of(
        session, actor, child, with_others_drafts=True, all_institutions=True
    )
    now = utcnow()
    return ChildExport(
        child=child,
        exported_at=now,
        assessments=assessments.reads_of(session, rows),
        dialogues=list(dialogues_of_child(session, child_id=child.id or 0)),
        meetings=meetings_service.list_for_child(session, child.id or 0),
        concerns=[
            _without_employees(ConcernRead.of(view_of(session, c, actor, cipher=cipher, now=now)))
            for c in scope.concerns_for_export(session, actor, child)
        ],
        access_log=children.access_rows(session, child),
        handovers=handovers.of_child_for_export(session, child),
    )
