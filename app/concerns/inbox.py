"""Lists of concerns: the social worker's inbox in its order, the institution's list, the
header counts and the new replies the institution has not seen. Reads go through scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from app.accounts.models import Role, User
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.concerns import scope
from app.concerns.handling import deadlines_of
from app.concerns.models import Concern
from app.concerns.schemas import URGENCY_RANK, KindAndStatus, NotificationDetails, Urgency
from app.concerns.workflow import ConcernKind, ConcernStatus
from app.db import utcnow
from app.deadlines import Deadline, DeadlineState, notification_deadlines

_NEVER = dt.datetime.max.replace(tzinfo=dt.UTC)
_NOTIFICATION = ConcernKind.NOTIFICATION.value


def _earliest_open(deadlines: Mapping[str, Deadline]) -> dt.datetime:
    open_dues = [d.due for d in deadlines.values() if d.done_at is None]
    return min(open_dues) if open_dues else _NEVER


def _earliest_open_due(concern: Concern) -> dt.datetime:
    return _earliest_open(deadlines_of(concern))


def _urgency_rank(urgency: Urgency | None) -> int:
    return URGENCY_RANK[urgency] if urgency else len(URGENCY_RANK)


def urgency_of(concern: Concern) -> Urgency | None:
    """The urgency the notifier chose (notifications only)."""
    details = NotificationDetails.of(concern)
    return details.urgency if details else None


def inbox_order(concerns: Sequence[Concern]) -> list[Concern]:
    """api.md: notifications before consultations, critical notifications first, then the
    earliest open deadline, then oldest first; closed concerns last. Within the critical
    ones and within the others, "Akut" before "Hurtigst muligt" before "Almindelig"."""

    return sorted(
        concerns,
        key=lambda c: (
            c.status_enum is ConcernStatus.CLOSED,
            not c.is_notification,
            not c.critical,
            _urgency_rank(urgency_of(c)),
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


#: What the inbox shows of a concern, and what its order and deadlines need: no message, no
#: observed signs, no CPR (the concern's own page shows those).
INBOX_COLUMNS: tuple[Any, ...] = (
    col(Concern.id),
    col(Concern.kind),
    col(Concern.status),
    col(Concern.created_at),
    col(Concern.assessed_at),
    col(Concern.acknowledged_at),
    col(Concern.assigned_to),
    col(Concern.critical),
    col(Concern.child_name),
    col(Concern.institution_id),
    col(Concern.age_years),
    col(Concern.level),
    col(Concern.details),
)


@dataclass(frozen=True, slots=True)
class InboxEntry(KindAndStatus):
    """One line of a social worker's inbox: ``concern`` is a row of :data:`INBOX_COLUMNS`
    (the attributes of a :class:`Concern` the line shows); the rest as
    :class:`~app.concerns.schemas.ConcernView` has it."""

    concern: sa.Row[Any]
    kind: ConcernKind
    status: ConcernStatus
    urgency: Urgency | None
    deadlines: dict[str, Deadline]


def _row_deadlines(row: sa.Row[Any]) -> dict[str, Deadline]:
    """:func:`~app.concerns.handling.deadlines_of` for a row with the deadline columns."""
    if row.kind != _NOTIFICATION:
        return {}
    return notification_deadlines(
        row.created_at, assessed_at=row.assessed_at, acknowledged_at=row.acknowledged_at
    )


def _entry(row: sa.Row[Any]) -> InboxEntry:
    return InboxEntry(
        concern=row,
        kind=ConcernKind(row.kind),
        status=ConcernStatus(row.status),
        # As NotificationDetails.of: the stored details validated (the default urgency when
        # none was stored), for notifications only.
        urgency=NotificationDetails.model_validate(row.details or {}).urgency
        if row.kind == _NOTIFICATION
        else None,
        deadlines=_row_deadlines(row),
    )


def _entry_order(entry: InboxEntry) -> tuple[Any, ...]:
    """:func:`inbox_order`'s key, for an open concern's line."""
    c = entry.concern
    return (
        not entry.is_notification,
        not c.critical,
        _urgency_rank(entry.urgency),
        _earliest_open(entry.deadlines),
        c.created_at,
        c.id,
    )


@dataclass(frozen=True)
class InboxPage:
    """What the inbox page shows: its lines, how many closed concerns are left out, and the
    header counts (from the same open concerns: the page needs no second query for them)."""

    entries: list[InboxEntry]
    closed_left_out: int
    counts: Counts


def inbox_for(
    session: Session,
    actor: User,
    *,
    closed_shown: int | None,
    now: dt.datetime | None = None,
) -> InboxPage:
    """A social worker's inbox page: every open concern of the district in the inbox order
    (:func:`inbox_order`'s), then only the ``closed_shown`` most recently closed (all for
    None; a district's history grows by hundreds a year); and how many closed ones are left
    out. Core rows of the columns the page shows (:data:`INBOX_COLUMNS`), no ORM instances.
    The API's list (:func:`list_for`) keeps every concern."""
    if actor.role_enum is not Role.SOCIAL_WORKER:
        raise ValueError("the inbox is a social worker's")
    now = now or utcnow()
    open_rows = scope.open_concern_rows(session, actor, INBOX_COLUMNS)
    closed, total_closed = scope.latest_closed_rows(
        session, actor, INBOX_COLUMNS, limit=closed_shown
    )
    shown = sorted((_entry(r) for r in open_rows), key=_entry_order)
    counts = _social_worker_counts(
        [(e.concern.assigned_to, e.deadlines) for e in shown], actor, now
    )
    shown += [_entry(r) for r in closed]
    audit.record(
        session,
        actor,
        AuditTag.CONCERN_LIST,
        object_type="district",
        object_id=actor.district_id,
        detail=f"{len(shown)} sager",
    )
    return InboxPage(shown, total_closed - len(closed), counts)


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


_COUNT_COLUMNS = (
    col(Concern.kind),
    col(Concern.created_at),
    col(Concern.assessed_at),
    col(Concern.acknowledged_at),
    col(Concern.assigned_to),
)


def counts_for(session: Session, actor: User, now: dt.datetime | None = None) -> Counts | None:
    """Open and overdue concerns of a social worker's district; for staff and leaders the
    replies not yet closed; None for anyone else (not audited: no data, counts only)."""
    if actor.role_enum not in scope.CONCERN_ROLES:
        return None
    now = now or utcnow()
    # Every page of these roles shows the counts: Core rows of the few columns they need.
    if actor.role_enum is not Role.SOCIAL_WORKER:
        return Counts(open=0, overdue=0, replies=scope.open_replied_count(session, actor))
    rows = scope.open_concern_rows(session, actor, _COUNT_COLUMNS)
    return _social_worker_counts([(r.assigned_to, _row_deadlines(r)) for r in rows], actor, now)


def _social_worker_counts(
    open_concerns: Sequence[tuple[int | None, Mapping[str, Deadline]]],
    actor: User,
    now: dt.datetime,
) -> Counts:
    """The header counts of a social worker from the district's open concerns (each as whom
    it is assigned to and its deadlines)."""
    overdue = sum(
        1
        for _, deadlines in open_concerns
        if any(d.state(now) is DeadlineState.OVERDUE for d in deadlines.values())
    )
    mine = sum(1 for assigned, _ in open_concerns if assigned is not None and assigned == actor.id)
    return Counts(open=len(open_concerns), overdue=overdue, mine=mine)
