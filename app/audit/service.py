"""Writing and reading the audit log. ``record`` is the one helper every domain calls."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.audit.context import RequestContext, current_request
from app.audit.models import AuditEvent
from app.audit.tags import AuditTag
from app.db import utcnow


class Actor(Protocol):
    """What the audit log needs to know of the person acting."""

    id: int | None
    username: str
    role: str


_INSERT = sa.insert(AuditEvent.__table__)  # type: ignore[attr-defined]
_NO_REQUEST = RequestContext()


def record(
    session: Session,
    actor: Actor | None,
    tag: AuditTag,
    *,
    object_type: str = "",
    object_id: int | str | None = None,
    child_id: int | None = None,
    detail: str = "",
    username: str | None = None,
) -> None:
    """Append one audit row in the caller's transaction (it commits or rolls back with it)."""
    context = current_request.get() or _NO_REQUEST
    # A Core INSERT of the values themselves, not the ORM's unit of work nor an ``AuditEvent``
    # built and dumped first (that alone cost as much as the INSERT): the row is written at
    # once, in the caller's transaction; an audited read pays this on every request.
    session.execute(
        _INSERT,
        {
            "at": utcnow(),
            "actor_id": actor.id if actor else None,
            "actor_username": (actor.username if actor else (username or ""))[:64],
            "actor_role": actor.role if actor else "",
            "action": tag.value,
            "object_type": object_type,
            "object_id": "" if object_id is None else str(object_id),
            "child_id": child_id,
            "client_ip": context.client_ip[:64],
            "request_id": context.request_id[:64],
            "detail": detail[:2000],
        },
    )


@dataclass(frozen=True)
class AuditFilter:
    """What the admin filters the log by; every field optional."""

    action: str | None = None
    actor: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    child_id: int | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


_TABLE = AuditEvent.__table__  # type: ignore[attr-defined]


def get_page(
    session: Session, *, filters: AuditFilter, page: int = 1, per_page: int = 50
) -> tuple[Sequence[sa.Row[Any]], int]:
    """One page of audit rows, newest first, and the total count matching the filter. The
    rows are Core rows of the table's columns (the attributes of an ``AuditEvent``): the
    viewer and the CSV export only read them, and a page of ORM instances cost more than
    the query."""
    conditions: list[sa.ColumnElement[bool]] = []
    if filters.action:
        conditions.append(_TABLE.c.action == filters.action)
    if filters.actor:
        conditions.append(_TABLE.c.actor_username == filters.actor.strip().lower())
    if filters.object_type:
        conditions.append(_TABLE.c.object_type == filters.object_type)
    if filters.object_id:
        conditions.append(_TABLE.c.object_id == filters.object_id)
    if filters.child_id is not None:
        conditions.append(_TABLE.c.child_id == filters.child_id)
    if filters.since is not None:
        conditions.append(_TABLE.c.at >= filters.since)
    if filters.until is not None:
        conditions.append(_TABLE.c.at < filters.until)
    total = session.execute(
        sa.select(func.count()).select_from(_TABLE).where(*conditions)
    ).scalar_one()
    rows = session.execute(
        sa.select(_TABLE)
        .where(*conditions)
        .order_by(_TABLE.c.at.desc(), _TABLE.c.id.desc())
        .offset((max(page, 1) - 1) * per_page)
        .limit(per_page)
    ).all()
    return rows, int(total)


def for_child(session: Session, *, child_id: int) -> Sequence[AuditEvent]:
    """Every audit row about one child, newest first (for a request of access)."""
    return session.exec(
        select(AuditEvent)
        .where(AuditEvent.child_id == child_id)
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
    ).all()
