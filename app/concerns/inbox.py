"""Lists of concerns: the social worker's inbox in its order, the institution's list, the
header counts and the new replies the institution has not seen. Reads go through scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from app.accounts.models import Role, User
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.concerns import scope
from app.concerns.handling import deadlines_of
from app.concerns.models import Concern
from app.concerns.schemas import URGENCY_RANK, NotificationDetails, Urgency
from app.concerns.workflow import ConcernStatus
from app.db import utcnow
from app.deadlines import DeadlineState


def _earliest_open_due(concern: Concern) -> dt.datetime:
    open_dues = [d.due for d in deadlines_of(concern).values() if d.done_at is None]
    return min(open_dues) if open_dues else dt.datetime.max.replace(tzinfo=dt.UTC)


def urgency_of(concern: Concern) -> Urgency | None:
    """The urgency the notifier chose (notifications only)."""
    details = NotificationDetails.of(concern)
    return details.urgency if details else None


def inbox_order(concerns: Sequence[Concern]) -> list[Concern]:
    """api.md: notifications before consultations, critical notifications first, then the
    earliest open deadline, then oldest first; closed concerns last. Within the critical
    ones and within the others, "Akut" before "Hurtigst muligt" before "Almindelig"."""

    def rank(c: Concern) -> int:
        urgency = urgency_of(c)
        return URGENCY_RANK[urgency] if urgency else len(URGENCY_RANK)

    return sorted(
        concerns,
        key=lambda c: (
            c.status_enum is ConcernStatus.CLOSED,
            not c.is_notification,
            not c.critical,
            rank(c),
            _earliest_open_due(c),
            c.created_at,
            c.id,
        ),
    )


def list_for(session: Session, actor: User) -> list[Concern]:
    """The actor's concerns: the inbox order for social workers, newest first for staff."""
    concerns = scope.visible_concerns(session, actor)
    is_social_worker = actor.role_enum is Role.SOCIAL_WORKER
    audit.record(
        session,
        actor,
        AuditTag.CONCERN_LIST,
        object_type="district" if is_social_worker else "institution",
        object_id=actor.district_id if is_social_worker else actor.institution_id,
        detail=f"{len(concerns)} sager",
    )
    if is_social_worker:
        return inbox_order(concerns)
    return sorted(concerns, key=lambda c: (c.created_at, c.id), reverse=True)


def inbox_for(
    session: Session, actor: User, *, closed_shown: int | None
) -> tuple[list[Concern], int]:
    """A social worker's inbox page: every open concern of the district in the inbox order,
    then only the ``closed_shown`` most recently closed (all for None; a district's history
    grows by hundreds a year); and how many closed ones are left out. The API's list
    (:func:`list_for`) keeps every concern."""
    if actor.role_enum is not Role.SOCIAL_WORKER:
        return list_for(session, actor), 0
    concerns = scope.visible_concerns(session, actor, open_only=True)
    closed, total_closed = scope.latest_closed_concerns(session, actor, limit=closed_shown)
    shown = inbox_order(concerns) + closed
    audit.record(
        session,
        actor,
        AuditTag.CONCERN_LIST,
        object_type="district",
        object_id=actor.district_id,
        detail=f"{len(shown)} sager",
    )
    return shown, total_closed - len(closed)


@dataclass(frozen=True)
class Counts:
    """For the header: a social worker's open and overdue concerns; for staff and leaders
    the replies (answers, feedback) that arrived for their institution and are still open
    (``open`` is then the number of new replies, ``overdue`` 0)."""

    open: int
    overdue: int
    replies: int = 0
    mine: int = 0
    """A social worker's open concerns assigned to them (the institution's named social
    worker, or taken)."""


def has_reply(concern: Concern) -> bool:
    """An answer, an outcome or feedback has arrived from the social worker."""
    return bool(concern.answer or concern.feedback or concern.outcome)


def counts_for(session: Session, actor: User, now: dt.datetime | None = None) -> Counts | None:
    """Open and overdue concerns of a social worker's district; for staff and leaders the
    replies not yet closed; None for anyone else (not audited: no data, counts only)."""
    if actor.role_enum not in scope.CONCERN_ROLES:
        return None
    now = now or utcnow()
    concerns = scope.open_concerns(session, actor)
    if actor.role_enum is not Role.SOCIAL_WORKER:
        return Counts(open=0, overdue=0, replies=sum(1 for c in concerns if has_reply(c)))
    overdue = sum(
        1
        for c in concerns
        if any(d.state(now) is DeadlineState.OVERDUE for d in deadlines_of(c).values())
    )
    mine = sum(1 for c in concerns if c.assigned_to is not None and c.assigned_to == actor.id)
    return Counts(open=len(concerns), overdue=overdue, mine=mine)
