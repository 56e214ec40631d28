"""Which joint assessments an actor may see, and the independence rule: what of the other
participants' individual assessments the actor may see. Every read of a joint assessment is
audited here (it names a child)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, or_, select

from app.accounts.models import User
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.children.models import Child
from app.children.scope import ensure_may_see_children
from app.errors import NotFound
from app.joint.models import JointAssessment, JointParticipant, JointStatus


def may_see_individuals(actor: User, joint: JointAssessment, submitted: set[int]) -> bool:
    """The independence rule: the participants' ticks, notes and levels are shown to a
    participant only once they have submitted their own, and to the institution's other staff
    and leaders only once the joint assessment is finished. Who has submitted is always
    visible."""
    if joint.status == JointStatus.FINISHED:
        return True
    return actor.id in submitted


def get_joint_for(
    session: Session, actor: User, *, joint_id: int, purpose: str = ""
) -> JointAssessment:
    """A joint assessment of a child in the actor's institution, or NotFound; audited."""
    ensure_may_see_children(actor)
    joint = session.get(JointAssessment, joint_id)
    if joint is None or joint.institution_id != actor.institution_id:
        raise NotFound("Den fælles vurdering findes ikke.")
    audit.record(
        session,
        actor,
        AuditTag.JOINT_VIEW,
        object_type="joint_assessment",
        object_id=joint.id,
        child_id=joint.child_id,
        detail=purpose,
    )
    return joint


def participants_of(session: Session, joint_ids: list[int]) -> list[JointParticipant]:
    """The participants of these joint assessments (fetched through ``get_joint_for`` or
    the child's scope), in the order they were named."""
    if not joint_ids:
        return []
    return list(
        session.exec(
            select(JointParticipant)
            .where(col(JointParticipant.joint_id).in_(joint_ids))
            .order_by(col(JointParticipant.id))
        ).all()
    )


def joints_of_child(
    session: Session, *, child_id: int, institution_id: int
) -> list[JointAssessment]:
    """A child's joint assessments in its institution, newest first (the child was fetched
    through its scope; a school that received it by a handover does not see the daycare's)."""
    return list(
        session.exec(
            select(JointAssessment)
            .where(
                JointAssessment.child_id == child_id,
                JointAssessment.institution_id == institution_id,
            )
            .order_by(col(JointAssessment.created_at).desc(), col(JointAssessment.id).desc())
        ).all()
    )


def joint_of_assessment(session: Session, *, assessment_id: int) -> JointAssessment | None:
    """The joint assessment an individual or joint assessment belongs to (the assessment was
    fetched through its scope), if any."""
    part = select(JointParticipant.joint_id).where(JointParticipant.assessment_id == assessment_id)
    return session.exec(
        select(JointAssessment).where(
            or_(
                JointAssessment.assessment_id == assessment_id,
                col(JointAssessment.id).in_(part),
            )
        )
    ).first()


def open_parts_of(session: Session, actor: User) -> list[tuple[JointParticipant, JointAssessment]]:
    """The actor's parts in joint assessments still collecting (submitted or not)."""
    rows = session.exec(
        select(JointParticipant, JointAssessment)
        .join(JointAssessment, col(JointAssessment.id) == col(JointParticipant.joint_id))
        # The child still belongs to the institution (not handed over to a school since).
        .join(Child, col(Child.id) == col(JointAssessment.child_id))
        .where(
            JointParticipant.user_id == actor.id,
            JointAssessment.status == JointStatus.COLLECTING,
            JointAssessment.institution_id == actor.institution_id,
            Child.institution_id == actor.institution_id,
        )
        .order_by(col(JointAssessment.created_at), col(JointAssessment.id))
    ).all()
    return [(part, joint) for part, joint in rows]


def finished_in(
    session: Session, *, institution_id: int, between: tuple[dt.date, dt.date] | None = None
) -> list[JointAssessment]:
    """The institution's finished joint assessments (for counts, not shown one by one),
    optionally those finished within ``between`` (both days included, UTC dates)."""
    query = select(JointAssessment).where(
        JointAssessment.institution_id == institution_id,
        JointAssessment.status == JointStatus.FINISHED,
    )
    if between is not None:
        start = dt.datetime.combine(between[0], dt.time.min, tzinfo=dt.UTC)
        end = dt.datetime.combine(between[1] + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
        query = query.where(
            col(JointAssessment.finished_at) >= start, col(JointAssessment.finished_at) < end
        )
    return list(session.exec(query.order_by(col(JointAssessment.id))).all())
