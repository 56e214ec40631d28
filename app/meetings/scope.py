"""Which meetings an actor may see. Every read of a child's meetings is audited here (they
name a child and what was agreed about it); the child itself is fetched through its scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.children.models import Child
from app.children.scope import ensure_may_see_children
from app.db import id_of
from app.meetings.models import Meeting


def _of_child(session: Session, child_id: int) -> list[Meeting]:
    return list(
        session.exec(
            select(Meeting)
            .where(Meeting.child_id == child_id)
            .order_by(
                col(Meeting.held_on).desc(), col(Meeting.created_at).desc(), col(Meeting.id).desc()
            )
        ).all()
    )


def meetings_of(session: Session, actor: User, child: Child, *, purpose: str) -> list[Meeting]:
    """The child's meetings, newest first (by the day held, then the latest recorded), for
    someone who may see the child (it was fetched through the child scope). One audit row for
    the list when it holds any meeting."""
    ensure_may_see_children(actor)
    meetings = _of_child(session, id_of(child))
    if meetings:
        audit.record(
            session,
            actor,
            AuditTag.MEETING_VIEW,
            object_type="child",
            object_id=child.id,
            child_id=child.id,
            detail=purpose,
        )
    return meetings


def meetings_of_child(session: Session, *, child_id: int) -> list[Meeting]:
    """The child's meetings, newest first, NOT audited: for callers that fetched the child
    through its scope and audit what they show themselves (the export, a handover)."""
    return _of_child(session, child_id)


def due_follow_ups(
    session: Session,
    actor: User,
    *,
    due_by: dt.date,
    everyone: bool = False,
    limit: int = 100,
) -> Sequence[Meeting]:
    """Meetings of the actor's institution whose follow-up date is on or before ``due_by``
    and whose child has had no later meeting (held after it: that was the follow-up): those
    the actor recorded, or with ``everyone`` all of them (for the institution's leader). Not
    audited: the start page reads the children's names through the child scope."""
    ensure_may_see_children(actor)
    later = aliased(Meeting)
    newer = (
        sa.exists()
        .where(
            col(later.child_id) == col(Meeting.child_id),
            col(later.held_on) > col(Meeting.held_on),
        )
        .correlate(Meeting)
    )
    query = select(Meeting).where(
        Meeting.institution_id == actor.institution_id,
        col(Meeting.follow_up_on).is_not(None),
        col(Meeting.follow_up_on) <= due_by,
        ~newer,
    )
    if not everyone:
        query = query.where(Meeting.created_by == actor.id)
    return session.exec(
        query.order_by(col(Meeting.follow_up_on), col(Meeting.id)).limit(limit)
    ).all()
