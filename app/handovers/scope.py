"""Which handovers an actor may see: those sent from or to their institution. Every read of a
handover names a child, so it is audited here with its purpose."""

from __future__ import annotations

from sqlmodel import Session, col, or_, select

from app.accounts.models import User
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.children.scope import ensure_may_see_children
from app.errors import NotFound
from app.handovers.models import Handover, HandoverStatus


def involves(actor: User, handover: Handover) -> bool:
    """The sending and the receiving institution see the handover; nobody else."""
    return actor.institution_id in (handover.from_institution_id, handover.to_institution_id)


def get_handover_for(
    session: Session, actor: User, *, handover_id: int, purpose: str = ""
) -> Handover:
    """A handover from or to the actor's institution, or NotFound (for anyone else too:
    a social worker or admin may not know it exists); audited."""
    handover = session.get(Handover, handover_id)
    if handover is None or not involves(actor, handover):
        raise NotFound("Overleveringen findes ikke.")
    audit.record(
        session,
        actor,
        AuditTag.HANDOVER_VIEW,
        object_type="handover",
        object_id=handover.id,
        child_id=handover.child_id,
        detail=purpose,
    )
    return handover


def handovers_of(session: Session, actor: User, *, limit: int = 200) -> list[Handover]:
    """The handovers to and from the actor's institution, newest first; one audit row for
    the list (it names the children)."""
    ensure_may_see_children(actor)
    rows = list(
        session.exec(
            select(Handover)
            .where(
                or_(
                    Handover.from_institution_id == actor.institution_id,
                    Handover.to_institution_id == actor.institution_id,
                )
            )
            .order_by(col(Handover.created_at).desc(), col(Handover.id).desc())
            .limit(limit)
        ).all()
    )
    audit.record(
        session,
        actor,
        AuditTag.HANDOVER_LIST,
        object_type="institution",
        object_id=actor.institution_id,
        detail=f"{len(rows)} overleveringer",
    )
    return rows


def incoming_open(session: Session, actor: User) -> list[Handover]:
    """The handovers sent to the actor's institution and not yet accepted, oldest first (the
    start page's to-do; the caller audits the names it shows)."""
    ensure_may_see_children(actor)
    return list(
        session.exec(
            select(Handover)
            .where(
                Handover.to_institution_id == actor.institution_id,
                Handover.status == HandoverStatus.SENT,
            )
            .order_by(col(Handover.created_at), col(Handover.id))
        ).all()
    )


def of_child(session: Session, actor: User, *, child_id: int) -> list[Handover]:
    """The child's handovers from or to the actor's institution, newest first (the child was
    fetched through its scope, which audited the read)."""
    ensure_may_see_children(actor)
    return list(
        session.exec(
            select(Handover)
            .where(
                Handover.child_id == child_id,
                or_(
                    Handover.from_institution_id == actor.institution_id,
                    Handover.to_institution_id == actor.institution_id,
                ),
            )
            .order_by(col(Handover.created_at).desc(), col(Handover.id).desc())
        ).all()
    )


def open_of_child(session: Session, *, child_id: int) -> Handover | None:
    """The child's open (sent) handover, if any (at most one: a unique index)."""
    return session.exec(
        select(Handover).where(
            Handover.child_id == child_id, Handover.status == HandoverStatus.SENT
        )
    ).first()


def of_children(session: Session, child_ids: list[int]) -> list[Handover]:
    """Every handover of these children (a request of access; the caller checked the
    reader), oldest first."""
    if not child_ids:
        return []
    return list(
        session.exec(
            select(Handover)
            .where(col(Handover.child_id).in_(child_ids))
            .order_by(col(Handover.created_at), col(Handover.id))
        ).all()
    )
