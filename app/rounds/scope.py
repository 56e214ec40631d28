"""Which groups and rounds an actor may see: those of their own institution. Another
institution's group or round is NotFound, as if it did not exist (api.md)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.children.scope import ensure_may_see_children
from app.errors import Forbidden, NotFound
from app.rounds.models import Group, Round


def ensure_leader(actor: User) -> None:
    """Only the institution's leader keeps groups and starts rounds (403 for others)."""
    if actor.role_enum is not Role.LEADER or actor.institution_id is None:
        raise Forbidden("Kun institutionens leder kan oprette grupper og starte trivselsrunder.")


def get_group_for(session: Session, actor: User, *, group_id: int) -> Group:
    """A group of the actor's institution, or NotFound."""
    ensure_may_see_children(actor)
    group = session.get(Group, group_id)
    if group is None or group.institution_id != actor.institution_id:
        raise NotFound("Gruppen findes ikke.")
    return group


def groups_of(session: Session, *, institution_id: int) -> list[Group]:
    """The institution's groups by name."""
    return list(
        session.exec(
            select(Group)
            .where(Group.institution_id == institution_id)
            .order_by(col(Group.name), col(Group.id))
        )
    )


def get_round_for(session: Session, actor: User, *, round_id: int) -> Round:
    """A round of the actor's institution, or NotFound."""
    ensure_may_see_children(actor)
    found = session.get(Round, round_id)
    if found is None or found.institution_id != actor.institution_id:
        raise NotFound("Trivselsrunden findes ikke.")
    return found


def rounds_of(session: Session, *, institution_id: int) -> list[Round]:
    """The institution's rounds, newest first."""
    return list(
        session.exec(
            select(Round)
            .where(Round.institution_id == institution_id)
            .order_by(col(Round.starts_on).desc(), col(Round.id).desc())
        )
    )
