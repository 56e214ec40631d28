"""Who may see which institution: the one place later domains ask before showing a child.

Staff and leaders see their own institution; social workers the institutions of their
district; admins manage the organisation but see no child data (they get ``Forbidden`` from
the domains that hold it). An institution the actor may not see raises ``NotFound``, so its
existence does not leak.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.accounts.models import Institution, Role, User
from app.errors import NotFound


def visible_institution_ids(session: Session, actor: User) -> list[int]:
    """The ids of the institutions whose children ``actor`` may see (empty for admins)."""
    role = actor.role_enum
    if role in (Role.STAFF, Role.LEADER):
        return [actor.institution_id] if actor.institution_id is not None else []
    if role is Role.SOCIAL_WORKER:
        return [
            i
            for i in session.exec(
                select(Institution.id).where(Institution.district_id == actor.district_id)
            ).all()
            if i is not None
        ]
    return []


def get_institution_for(session: Session, actor: User, *, institution_id: int) -> Institution:
    """The institution if ``actor`` may see it, else NotFound."""
    if institution_id not in visible_institution_ids(session, actor):
        raise NotFound()
    institution = session.get(Institution, institution_id)
    if institution is None:  # pragma: no cover - ids come from the table itself
        raise NotFound()
    return institution


def institutions_in_district(session: Session, *, district_id: int) -> list[Institution]:
    """The institutions of a district, by name."""
    return list(
        session.exec(
            select(Institution)
            .where(Institution.district_id == district_id)
            .order_by(col(Institution.name))
        ).all()
    )
