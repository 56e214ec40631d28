"""Parent dialogue meetings (dialogmøder) after an assessment. Flushes, never commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.assessments.models import Assessment
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.concerns import scope
from app.concerns.models import ParentDialogue
from app.concerns.schemas import ABUSE_RULE, MESSAGE_MAX
from app.db import id_of, local_today
from app.errors import Conflict, Invalid


def record_dialogue(
    session: Session,
    actor: User,
    *,
    assessment_id: int,
    held_on: dt.date,
    participants: str,
    agreed: str,
    follow_up_on: dt.date | None,
) -> ParentDialogue:
    """Record a dialogue meeting with the parents. Refused for a critical assessment: there
    the parents must not be told before the municipality is contacted."""
    assessment = scope.get_finished_assessment_for(session, actor, assessment_id=assessment_id)
    if assessment.critical:
        raise Conflict(ABUSE_RULE, code="abuse_rule")
    errors = []
    if held_on > local_today():
        errors.append({"field": "held_on", "message": "Mødedatoen ligger i fremtiden."})
    if not participants.strip():
        errors.append({"field": "participants", "message": "Skriv hvem der deltog."})
    if not agreed.strip():
        errors.append({"field": "agreed", "message": "Skriv hvad I aftalte."})
    elif len(agreed.strip()) > MESSAGE_MAX:
        errors.append({"field": "agreed", "message": f"Højst {MESSAGE_MAX} tegn."})
    if follow_up_on is not None and follow_up_on < held_on:
        errors.append({"field": "follow_up_on", "message": "Opfølgning før mødet?"})
    if errors:
        raise Invalid(errors[0]["message"], details=errors)
    dialogue = ParentDialogue(
        assessment_id=id_of(assessment),
        child_id=assessment.child_id,
        institution_id=assessment.institution_id,
        held_on=held_on,
        participants=participants.strip()[:1000],
        agreed=agreed.strip(),
        follow_up_on=follow_up_on,
        created_by=id_of(actor),
    )
    session.add(dialogue)
    session.flush()
    audit.record(
        session,
        actor,
        AuditTag.DIALOGUE_CREATE,
        object_type="parent_dialogue",
        object_id=dialogue.id,
        child_id=assessment.child_id,
    )
    return dialogue


def dialogues_of(session: Session, assessment: Assessment) -> Sequence[ParentDialogue]:
    """The dialogue meetings recorded for an assessment (fetched through its scope)."""
    return session.exec(
        select(ParentDialogue)
        .where(ParentDialogue.assessment_id == assessment.id)
        .order_by(col(ParentDialogue.held_on), col(ParentDialogue.id))
    ).all()


def dialogues_of_child(session: Session, *, child_id: int) -> Sequence[ParentDialogue]:
    """Every dialogue meeting recorded about a child (fetched through its scope), oldest first."""
    return session.exec(
        select(ParentDialogue)
        .where(ParentDialogue.child_id == child_id)
        .order_by(col(ParentDialogue.held_on), col(ParentDialogue.id))
    ).all()
