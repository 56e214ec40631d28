"""Who sees which concern. Social workers: their district's; staff and leaders: their
institution's. Every view is audited here; a notification's identity is revealed (and the
read logged with the child) only to the district's social workers and the institution."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.concerns.models import Concern
from app.errors import Forbidden, NotFound

CONCERN_ROLES = frozenset({Role.STAFF, Role.LEADER, Role.SOCIAL_WORKER})


def _visible(actor: User, concern: Concern) -> bool:
    if actor.role_enum is Role.SOCIAL_WORKER:
        return concern.district_id == actor.district_id
    if actor.role_enum in (Role.STAFF, Role.LEADER):
        return concern.institution_id == actor.institution_id
    return False


def ensure_may_see_concerns(actor: User) -> None:
    """Admins handle the organisation, not cases (403)."""
    if actor.role_enum not in CONCERN_ROLES:
        raise Forbidden("Kun personale, ledere og socialrådgivere arbejder med bekymringer.")


def visible_concerns(session: Session, actor: User) -> list[Concern]:
    """The concerns the actor may see (unordered; the service orders them)."""
    ensure_may_see_concerns(actor)
    query = select(Concern)
    if actor.role_enum is Role.SOCIAL_WORKER:
        query = query.where(Concern.district_id == actor.district_id)
    else:
        query = query.where(Concern.institution_id == actor.institution_id)
    return list(session.exec(query.order_by(col(Concern.created_at))).all())


def get_concern_for(
    session: Session, actor: User, *, concern_id: int, purpose: str = ""
) -> Concern:
    """One concern the actor may see, or NotFound; the view is audited. For a consultation
    the audit row carries no child id when a social worker reads it (it is anonymous)."""
    ensure_may_see_concerns(actor)
    concern = session.get(Concern, concern_id)
    if concern is None or not _visible(actor, concern):
        raise NotFound("Sagen findes ikke.")
    reveals_child = concern.kind == "notification" or actor.role_enum is not Role.SOCIAL_WORKER
    audit.record(
        session,
        actor,
        AuditTag.CONCERN_VIEW,
        object_type="concern",
        object_id=concern.id,
        child_id=concern.child_id if reveals_child else None,
        detail=purpose or concern.kind,
    )
    return concern
