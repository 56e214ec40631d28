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


#: The viewer counts the rows that match its filter up to this many and says "more than"
#: beyond: an exact count reads every matching row (the whole log, unfiltered: a million
#: rows and 0.1 s of the database's time on every view at a municipality's scale), a capped
#: one at most this many. The CSV export has every row.
COUNT_CAP = 1000


@dataclass(frozen=True)
class AuditPage:
    """One page of the viewer: its rows (Core rows of the table's columns, the attributes of
    an ``AuditEvent``), how many rows match (``total``: exact up to :data:`COUNT_CAP`, else
    ``total_capped`` and ``total`` is the cap) and whether an older page follows."""

    rows: Sequence[sa.Row[Any]]
    total: int
    total_capped: bool
    has_older: bool


def _conditions(filters: AuditFilter) -> list[sa.ColumnElement[bool]]:
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
    return conditions


def get_page(
    session: Session, *, filters: AuditFilter, page: int = 1, per_page: int = 50
) -> AuditPage:
    """One page of audit rows, newest first, and how many match the filter (counted up to
    :data:`COUNT_CAP`). Core rows, not ORM instances: the viewer only reads them, and a page
    of instances cost more than the query."""
    conditions = _conditions(filters)
    # The newest matching rows up to one past the cap, in the page's order: on the filter's
    # (column, at) index that is a range scan that stops there, whatever the statistics say.
    newest = (
        sa.select(sa.literal(1))
        .select_from(_TABLE)
        .where(*conditions)
        .order_by(_TABLE.c.at.desc())
        .limit(COUNT_CAP + 1)
    )
    counted = session.execute(sa.select(func.count()).select_from(newest.subquery())).scalar_one()
    found = session.execute(
        sa.select(_TABLE)
        .where(*conditions)
        .order_by(_TABLE.c.at.desc(), _TABLE.c.id.desc())
        .offset((max(page, 1) - 1) * per_page)
        .limit(per_page + 1)
    ).all()
    return AuditPage(
        rows=found[:per_page],
        total=min(int(counted), COUNT_CAP),
        total_capped=int(counted) > COUNT_CAP,
        has_older=len(found) > per_page,
    )


def all_rows(session: Session, *, filters: AuditFilter, limit: int) -> Sequence[sa.Row[Any]]:
    """The newest ``limit`` rows that match the filter, newest first (the CSV export)."""
    return session.execute(
        sa.select(_TABLE)
        .where(*_conditions(filters))
        .order_by(_TABLE.c.at.desc(), _TABLE.c.id.desc())
        .limit(limit)
    ).all()


def for_child(session: Session, *, child_id: int) -> Sequence[AuditEvent]:
    """Every audit row about one child, newest first (for a request of access)."""
    return session.exec(
        select(AuditEvent)
        .where(AuditEvent.child_id == child_id)
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
    ).all()
