"""Meetings about a child: record one (after it was held), the child's meetings newest first,
the follow-ups that have come (the start page), and ``list_for_child`` for the pages that
gather a child's records (the export, a handover summary). Flushes, never commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.accounts.models import User
from app.assessments import scope as assessments_scope
from app.assessments.models import AssessmentStatus
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.children import scope as children_scope
from app.children.models import Child
from app.db import id_of, local_today
from app.errors import Forbidden, Invalid, NotFound
from app.meetings import scope
from app.meetings.models import Meeting, MeetingKind
from app.meetings.schemas import (
    AGREED_MAX,
    FOLLOW_UP_WITHIN_DAYS,
    KIND_LABELS,
    MAX_PARTICIPANTS,
    NAME_MAX,
    ROLE_MAX,
)


@dataclass(frozen=True)
class Participant:
    """One participant as typed: the role (required) and the name (may be empty)."""

    role: str
    name: str = ""


def kind_label(kind: str) -> str:
    """The Danish name of a meeting's kind ("Tværfagligt møde", …)."""
    return KIND_LABELS[MeetingKind(kind)]


def _check(
    child: Child,
    *,
    kind: str,
    held_on: dt.date,
    participants: Sequence[Participant],
    agreed: str,
    follow_up_on: dt.date | None,
) -> list[dict[str, Any]]:
    """Every field error of a meeting (field, Danish message), before anything is stored."""
    errors: list[dict[str, Any]] = []

    def refuse(field: str, message: str) -> None:
        errors.append({"field": field, "message": message})

    if kind not in set(MeetingKind):
        refuse("kind", "Vælg mødets type: tværfagligt møde, netværksmøde eller statusmøde.")
    if held_on > local_today():
        refuse("held_on", "Registrér mødet, når det er holdt: datoen kan ikke ligge efter i dag.")
    elif held_on < child.birth_date:
        refuse("held_on", "Mødedatoen ligger før barnets fødselsdato.")
    if not participants:
        refuse("participants", "Skriv mindst én deltager med rolle.")
    elif len(participants) > MAX_PARTICIPANTS:
        refuse("participants", f"Højst {MAX_PARTICIPANTS} deltagere.")
    for i, person in enumerate(participants[:MAX_PARTICIPANTS]):
        if not person.role.strip():
            refuse(f"participants[{i}].role", "Skriv deltagerens rolle, fx pædagog.")
        elif len(person.role.strip()) > ROLE_MAX:
            refuse(f"participants[{i}].role", f"Højst {ROLE_MAX} tegn.")
        if len(person.name.strip()) > NAME_MAX:
            refuse(f"participants[{i}].name", f"Højst {NAME_MAX} tegn.")
    if not agreed.strip():
        refuse("agreed", "Skriv hvad I aftalte.")
    elif len(agreed.strip()) > AGREED_MAX:
        refuse("agreed", f"Højst {AGREED_MAX} tegn.")
    if follow_up_on is not None:
        if follow_up_on < held_on:
            refuse("follow_up_on", "Opfølgningsdatoen kan ikke ligge før mødet.")
        elif follow_up_on > held_on + dt.timedelta(days=FOLLOW_UP_WITHIN_DAYS):
            refuse("follow_up_on", "Opfølgningsdatoen ligger mere end to år efter mødet.")
    return errors


def _assessment_of(
    session: Session, actor: User, child: Child, assessment_id: int
) -> dict[str, Any] | None:
    """The field error when ``assessment_id`` is not a finished assessment of the child that
    the actor may read, else None (the read is audited by the assessments' scope)."""
    message = "Vælg en afsluttet vurdering af barnet."
    try:
        assessment = assessments_scope.get_assessment_for(
            session, actor, assessment_id=assessment_id, purpose="møde"
        )
    except (NotFound, Forbidden):
        return {"field": "assessment_id", "message": message}
    if assessment.child_id != child.id or assessment.status != AssessmentStatus.FINISHED:
        return {"field": "assessment_id", "message": message}
    return None


def record(
    session: Session,
    actor: User,
    *,
    child_id: int,
    kind: str,
    held_on: dt.date,
    participants: Sequence[Participant],
    parents_took_part: bool,
    agreed: str,
    follow_up_on: dt.date | None = None,
    assessment_id: int | None = None,
) -> Meeting:
    """Record a meeting that was held about a child of the actor's institution (another
    institution's child is 404, other roles 403). Every field is checked before anything is
    stored: a refusal (422) names each offending field. Audited."""
    child = children_scope.get_child_for(session, actor, child_id=child_id, purpose="møde")
    errors = _check(
        child,
        kind=kind,
        held_on=held_on,
        participants=participants,
        agreed=agreed,
        follow_up_on=follow_up_on,
    )
    if assessment_id is not None:
        wrong = _assessment_of(session, actor, child, assessment_id)
        if wrong:
            errors.append(wrong)
    if errors:
        raise Invalid(errors[0]["message"], details=errors)
    meeting = Meeting(
        child_id=id_of(child),
        institution_id=child.institution_id,
        kind=kind,
        held_on=held_on,
        participants=[{"role": p.role.strip(), "name": p.name.strip()} for p in participants],
        parents_took_part=parents_took_part,
        agreed=agreed.strip(),
        follow_up_on=follow_up_on,
        assessment_id=assessment_id,
        created_by=id_of(actor),
    )
    session.add(meeting)
    session.flush()
    audit.record(
        session,
        actor,
        AuditTag.MEETING_CREATE,
        object_type="meeting",
        object_id=meeting.id,
        child_id=child.id,
        detail=kind_label(kind),
    )
    return meeting


def for_child(session: Session, actor: User, child: Child, *, purpose: str) -> list[Meeting]:
    """The child's meetings, newest first, for someone who may see the child (fetched
    through its scope); audited with ``purpose``."""
    return scope.meetings_of(session, actor, child, purpose=purpose)


def list_for_child(session: Session, child_id: int) -> list[Meeting]:
    """The child's meetings, newest first, for a page that gathers a child's records (the
    export, a handover summary). The caller fetched the child through its scope (which
    checked the reader and audited the read) and decides what of each meeting it shows."""
    return scope.meetings_of_child(session, child_id=child_id)


def follow_ups(
    session: Session, actor: User, *, due_by: dt.date, everyone: bool = False
) -> Sequence[Meeting]:
    """Follow-ups that have come (``follow_up_on`` ≤ ``due_by``) of meetings with no later
    meeting about the child: the actor's own, or with ``everyone`` the institution's."""
    return scope.due_follow_ups(session, actor, due_by=due_by, everyone=everyone)
