"""Which children an actor may see. The only place that selects children; every read of a
child is audited here, so a new view cannot forget it."""

from __future__ import annotations

from sqlmodel import Session, col, func, or_, select

from app.accounts.models import Role, User
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.children.models import Child
from app.errors import Forbidden, NotFound

CHILD_ROLES = frozenset({Role.STAFF, Role.LEADER})


def ensure_may_see_children(actor: User) -> None:
    """Only an institution's staff and leaders work with its children (403 for others)."""
    if actor.role_enum not in CHILD_ROLES or actor.institution_id is None:
        raise Forbidden("Kun institutionens personale og leder kan se børnene.")


def visible_children(
    session: Session, actor: User, *, search: str = "", limit: int = 200
) -> list[Child]:
    """The children of the actor's institution, by name, optionally filtered; audited."""
    ensure_may_see_children(actor)
    query = select(Child).where(Child.institution_id == actor.institution_id)
    for word in search.split()[:5]:
        pattern = f"%{word.lower()}%"
        query = query.where(
            or_(
                func.lower(Child.first_name).like(pattern),
                func.lower(Child.last_name).like(pattern),
            )
        )
    children = list(
        session.exec(
            query.order_by(col(Child.first_name), col(Child.last_name), col(Child.id)).limit(limit)
        ).all()
    )
    audit.record(
        session,
        actor,
        AuditTag.CHILD_LIST,
        object_type="institution",
        object_id=actor.institution_id,
        detail=f"{len(children)} børn" + (" (søgning)" if search.strip() else ""),
    )
    return children


def get_child_for(session: Session, actor: User, *, child_id: int, purpose: str = "") -> Child:
    """One child the actor may see, or NotFound (also for other institutions' children);
    the read is audited with its purpose."""
    ensure_may_see_children(actor)
    child = session.get(Child, child_id)
    if child is None or child.institution_id != actor.institution_id:
        raise NotFound("Barnet findes ikke.")
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
