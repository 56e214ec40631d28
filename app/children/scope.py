"""Which children an actor may see. The only place that selects children; every read of a
child is audited here, so a new view cannot forget it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.children.models import Child
from app.db import get_row, local_today, words_match
from app.errors import Forbidden, NotFound

CHILD_ROLES = frozenset({Role.STAFF, Role.LEADER})
EXPORT_PURPOSE = "indsigt (art. 15)"
"""The purpose a request of access (GDPR art. 15) is audited with."""


def ensure_may_see_children(actor: User) -> None:
    """Only an institution's staff and leaders work with its children (403 for others)."""
    if actor.role_enum not in CHILD_ROLES or actor.institution_id is None:
        raise Forbidden("Kun institutionens personale og leder kan se børnene.")


def _visible_query(actor: User, search: str, left: bool) -> Any:
    """The WHERE of the actor's list of children (see :func:`visible_children`)."""
    gone = col(Child.left_on).is_not(None) & (col(Child.left_on) <= local_today())
    where = [Child.institution_id == actor.institution_id, gone if left else ~gone]
    return where + words_match(search, col(Child.first_name), col(Child.last_name))


_BY_NAME = (col(Child.first_name), col(Child.last_name), col(Child.id))


def _audit_list(session: Session, actor: User, *, count: int, search: str, left: bool) -> None:
    audit.record(
        session,
        actor,
        AuditTag.CHILD_LIST,
        object_type="institution",
        object_id=actor.institution_id,
        detail=f"{count} børn"
        + (" (udmeldte)" if left else "")
        + (" (søgning)" if search.strip() else ""),
    )


def visible_children(
    session: Session,
    actor: User,
    *,
    search: str = "",
    limit: int = 200,
    left: bool = False,
) -> list[Child]:
    """The children of the actor's institution, by name, optionally filtered; audited.
    Children who have left (``left_on`` today or before) are not among them, unless
    ``left``: then only they are (the leader's list of children who left)."""
    ensure_may_see_children(actor)
    query = select(Child).where(*_visible_query(actor, search, left))
    children = list(session.exec(query.order_by(*_BY_NAME).limit(limit)).all())
    _audit_list(session, actor, count=len(children), search=search, left=left)
    return children


@dataclass(frozen=True)
class ListedChild:
    """What the list of children shows of a child: read as plain columns, not as a record."""

    id: int
    first_name: str
    last_name: str
    birth_date: dt.date


def visible_child_rows(
    session: Session,
    actor: User,
    *,
    search: str = "",
    limit: int = 200,
    left: bool = False,
) -> list[ListedChild]:
    """:func:`visible_children`, the same children and the same audit row, as the four
    columns the page of 100 children shows (loading each as an ORM record was most of the
    list's database CPU: docs/performance.md, issue 14)."""
    ensure_may_see_children(actor)
    query = sa.select(
        col(Child.id), col(Child.first_name), col(Child.last_name), col(Child.birth_date)
    ).where(*_visible_query(actor, search, left))
    rows = session.execute(query.order_by(*_BY_NAME).limit(limit)).all()
    children = [ListedChild(*row) for row in rows]
    _audit_list(session, actor, count=len(children), search=search, left=left)
    return children


def _viewed(session: Session, actor: User, child: Child, purpose: str) -> Child:
    """The child, its read audited (``CHILD_VIEW``) with ``purpose``."""
    audit.record(
        session,
        actor,
        AuditTag.CHILD_VIEW,
        object_type="child",
        object_id=child.id,
        child_id=child.id,
        detail=purpose,
    )
    return child


def get_child_for(session: Session, actor: User, *, child_id: int, purpose: str = "") -> Child:
    """One child the actor may see, or NotFound (also for other institutions' children);
    the read is audited with its purpose."""
    ensure_may_see_children(actor)
    child = get_row(session, Child, child_id)  # Core: read on every request for a child
    if child is None or child.institution_id != actor.institution_id:
        raise NotFound("Barnet findes ikke.")
    return _viewed(session, actor, child, purpose)


def institution_children(
    session: Session, *, institution_id: int, child_ids: Iterable[int] | None = None
) -> list[Child]:
    """The children of one institution (only ``child_ids`` when given), by name, NOT audited:
    for the callers that check the reader and audit the read themselves (a round's page
    audits the list it shows) or that show no identity at all (counts by age band)."""
    query = select(Child).where(Child.institution_id == institution_id)
    if child_ids is not None:
        ids = sorted(set(child_ids))
        if not ids:
            return []
        query = query.where(col(Child.id).in_(ids))
    return list(
        session.exec(query.order_by(col(Child.first_name), col(Child.last_name), col(Child.id)))
    )


def child_of(session: Session, *, child_id: int) -> Child | None:
    """One child by id, whatever its institution, NOT audited: for a handover, whose scope
    decides that the reader (the sending or the receiving institution) may see the child and
    audits the read itself (``app.handovers.scope``)."""
    return get_row(session, Child, child_id)


def full_names(session: Session, *, child_ids: Iterable[int]) -> dict[int, str]:
    """child id → full name for these children, whatever their institution, in one query,
    NOT audited: for the handovers' lists, whose scope chose the rows the reader may see and
    audits the list."""
    ids = sorted(set(child_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(Child.id, Child.first_name, Child.last_name).where(col(Child.id).in_(ids))
    ).all()
    return {int(i): f"{first} {last}" for i, first, last in rows if i is not None}


def institution_of(session: Session, *, child_id: int) -> int | None:
    """The institution a child belongs to now (None for no such child), NOT audited: for the
    scopes that check a record of the child is read only where the child is (after a
    handover, the sending institution's records stay its own but the child is not)."""
    return session.exec(select(Child.institution_id).where(Child.id == child_id)).first()


@dataclass(frozen=True)
class ChildName:
    """A child's id and name only: for a list of names (a round's missing children), read
    without loading the whole record."""

    id: int
    first_name: str
    last_name: str

    @property
    def full_name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}"


def names_of(session: Session, *, institution_id: int, child_ids: Iterable[int]) -> list[ChildName]:
    """The names of these children of one institution, by name, NOT audited (the caller
    checks the reader and audits the list it shows)."""
    ids = sorted(set(child_ids))
    if not ids:
        return []
    rows = session.exec(
        select(col(Child.id), col(Child.first_name), col(Child.last_name))
        .where(Child.institution_id == institution_id, col(Child.id).in_(ids))
        .order_by(col(Child.first_name), col(Child.last_name), col(Child.id))
    )
    return [ChildName(int(i), first, last) for i, first, last in rows if i is not None]


def names_for(
    session: Session, actor: User, *, child_ids: set[int], purpose: str = ""
) -> dict[int, str]:
    """The full names of some children of the actor's institution, in one query (others are
    left out); one audit row for the list they make (e.g. the start page's to-do)."""
    ensure_may_see_children(actor)
    if not child_ids:
        return {}
    rows = session.exec(
        select(Child.id, Child.first_name, Child.last_name).where(
            col(Child.id).in_(sorted(child_ids)), Child.institution_id == actor.institution_id
        )
    ).all()
    audit.record(
        session,
        actor,
        AuditTag.CHILD_LIST,
        object_type="institution",
        object_id=actor.institution_id,
        detail=f"{purpose}: {len(rows)} børn" if purpose else f"{len(rows)} børn",
    )
    return {int(i): f"{first} {last}" for i, first, last in rows if i is not None}


def get_child_for_export(session: Session, actor: User, *, child_id: int) -> Child:
    """The child whose record is handed out for a request of access (GDPR art. 15): the
    institution's leader for its own children (another institution's: NotFound), an admin for
    any child (admins have no institution, so this is their one, explicit path to a child's
    record); staff and social workers 403. The read is audited with ``EXPORT_PURPOSE``."""
    if actor.role_enum is Role.LEADER:
        return get_child_for(session, actor, child_id=child_id, purpose=EXPORT_PURPOSE)
    if actor.role_enum is not Role.ADMIN:
        raise Forbidden("Kun institutionens leder og administratorer kan udlevere indsigt.")
    child = get_row(session, Child, child_id)
    if child is None:
        raise NotFound("Barnet findes ikke.")
    return _viewed(session, actor, child, EXPORT_PURPOSE)
