"""Who sees which concern: every read of a concern goes through here. Social workers: their
district's; staff and leaders: their institution's. Every view of one concern is audited
here; a notification's identity is revealed (and the read logged with the child) only to the
district's social workers and the institution."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, or_, select

from app.accounts.models import Institution, Role, User
from app.assessments import scope as assessments_scope
from app.assessments.models import Assessment, AssessmentStatus
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.children.models import Child
from app.concerns.models import Concern, ConcernEvent, ParentDialogue
from app.concerns.workflow import ConcernKind, ConcernStatus
from app.errors import Conflict, Forbidden, NotFound

CONCERN_ROLES = frozenset({Role.STAFF, Role.LEADER, Role.SOCIAL_WORKER})
SENDER_ROLES = frozenset({Role.STAFF, Role.LEADER})


def _visible(actor: User, concern: Concern) -> bool:
    if actor.role_enum is Role.SOCIAL_WORKER:
        return concern.district_id == actor.district_id
    if actor.role_enum in SENDER_ROLES:
        return concern.institution_id == actor.institution_id
    return False


def ensure_may_see_concerns(actor: User) -> None:
    """Admins handle the organisation, not cases (403)."""
    if actor.role_enum not in CONCERN_ROLES:
        raise Forbidden("Kun personale, ledere og socialrådgivere arbejder med bekymringer.")


def reveals_child(actor: User, concern: Concern) -> bool:
    """Whether the actor may know which child a concern is about: always for the
    institution, for a social worker only on a notification."""
    return concern.is_notification or actor.role_enum is not Role.SOCIAL_WORKER


def visible_concerns(session: Session, actor: User) -> list[Concern]:
    """The concerns the actor may see (the service orders them)."""
    query = select(Concern).where(_district_or_institution(actor))
    return list(session.exec(query.order_by(col(Concern.created_at))).all())


OPEN_STATUSES = tuple(s.value for s in ConcernStatus if s is not ConcernStatus.CLOSED)


def _district_or_institution(actor: User) -> sa.ColumnElement[bool]:
    """The concerns ``actor`` may see: the district's for a social worker, else the
    institution's (the rule of every list here)."""
    ensure_may_see_concerns(actor)
    if actor.role_enum is Role.SOCIAL_WORKER:
        return col(Concern.district_id) == actor.district_id
    return col(Concern.institution_id) == actor.institution_id


def open_concern_rows(
    session: Session, actor: User, columns: Sequence[Any]
) -> Sequence[sa.Row[Any]]:
    """The open (not closed) concerns the actor may see, as Core rows of ``columns`` only
    (oldest first; on the district's (district, status) index): the lists and counts that
    show a few columns of every open concern load no ORM instance and none of the large
    columns (message, observed signs, CPR). Unaudited: the caller audits what it shows."""
    where = _district_or_institution(actor) & col(Concern.status).in_(OPEN_STATUSES)
    query = sa.select(*columns).where(where).order_by(col(Concern.created_at))
    return session.execute(query).all()


_CONCERNS = Concern.__table__  # type: ignore[attr-defined]
#: Built once (only the institution differs): the open concerns of an institution that have
#: an answer, an outcome or feedback from the social worker (``ConcernView.has_reply`` in SQL).
_OPEN_REPLIED = (
    sa.select(sa.func.count())
    .select_from(_CONCERNS)
    .where(
        _CONCERNS.c.institution_id == sa.bindparam("institution_id"),
        _CONCERNS.c.status != ConcernStatus.CLOSED.value,
        sa.or_(_CONCERNS.c.answer != "", _CONCERNS.c.feedback != "", _CONCERNS.c.outcome != ""),
    )
)


def open_replied_count(session: Session, actor: User) -> int:
    """How many of the open concerns of the actor's institution (staff and leaders) have a
    reply from the social worker: one count, no rows (the header of every page shows it)."""
    found = (
        session.connection()
        .execute(_OPEN_REPLIED, {"institution_id": actor.institution_id})
        .scalar_one()
    )
    return int(found)


def latest_closed_rows(
    session: Session,
    actor: User,
    columns: Sequence[Any],
    *,
    limit: int | None,
) -> tuple[Sequence[sa.Row[Any]], int]:
    """A social worker's district's ``limit`` most recently closed concerns (all for None) as
    Core rows of ``columns`` only, and how many closed ones the district has in all
    (unaudited: the caller audits the list it shows)."""
    ensure_may_see_concerns(actor)
    closed = (col(Concern.district_id) == actor.district_id) & (
        col(Concern.status) == ConcernStatus.CLOSED.value
    )
    rows = session.execute(
        sa.select(*columns)
        .where(closed)
        .order_by(col(Concern.closed_at).desc(), col(Concern.id).desc())
        .limit(limit)
    ).all()
    total = session.exec(select(sa.func.count()).select_from(Concern).where(closed)).one()
    return rows, int(total)


def institution_names(session: Session, ids: set[int]) -> dict[int, str]:
    """The names of the institutions ``ids`` (the senders a list shows): two columns, no
    ORM instances (an institution's name is no personal data)."""
    if not ids:
        return {}
    rows = session.execute(
        sa.select(col(Institution.id), col(Institution.name)).where(col(Institution.id).in_(ids))
    ).all()
    return {row.id: row.name for row in rows}


def get_concern_for(
    session: Session, actor: User, *, concern_id: int, purpose: str = ""
) -> Concern:
    """One concern the actor may see, or NotFound; the view is audited. For a consultation
    the audit row carries no child id when a social worker reads it (it is anonymous)."""
    ensure_may_see_concerns(actor)
    concern = session.get(Concern, concern_id)
    if concern is None or not _visible(actor, concern):
        raise NotFound("Sagen findes ikke.")
    audit.record(
        session,
        actor,
        AuditTag.CONCERN_VIEW,
        object_type="concern",
        object_id=concern.id,
        child_id=concern.child_id if reveals_child(actor, concern) else None,
        detail=purpose or concern.kind,
    )
    return concern


def get_notification_for(
    session: Session, actor: User, *, concern_id: int, purpose: str
) -> Concern:
    """A notification the actor may see (its institution's staff and leaders, its district's
    social workers), or NotFound, for its document: a consultation has none, and is refused
    before anything is logged. The read is audited with the child and ``purpose``."""
    ensure_may_see_concerns(actor)
    concern = session.get(Concern, concern_id)
    if concern is None or not _visible(actor, concern) or not concern.is_notification:
        raise NotFound("Underretningen findes ikke.")
    audit.record(
        session,
        actor,
        AuditTag.CONCERN_DOCUMENT,
        object_type="concern",
        object_id=concern.id,
        child_id=concern.child_id,
        detail=purpose,
    )
    return concern


def catalog_of(session: Session, concern: Concern) -> tuple[str, int] | None:
    """The catalog id and version of the assessment a concern fetched through this scope was
    made from: the version of the indicator texts its snapshot holds."""
    return assessments_scope.catalog_of(session, assessment_id=concern.assessment_id)


def concerns_about_assessment(session: Session, assessment: Assessment) -> list[Concern]:
    """What the assessment's institution sent about it, oldest first. The caller fetched
    the assessment through its scope, which only the institution's staff pass."""
    return list(
        session.exec(
            select(Concern)
            .where(
                Concern.assessment_id == assessment.id,
                Concern.institution_id == assessment.institution_id,
            )
            .order_by(col(Concern.created_at))
        ).all()
    )


def concerns_about_child(session: Session, actor: User, *, child_id: int) -> list[Concern]:
    """What the actor's institution sent about a child (fetched through its scope), newest
    first. Nobody else sees a child's concerns this way."""
    if actor.role_enum not in SENDER_ROLES:
        return []
    return list(
        session.exec(
            select(Concern)
            .where(Concern.child_id == child_id, Concern.institution_id == actor.institution_id)
            .order_by(col(Concern.created_at).desc(), col(Concern.id).desc())
        ).all()
    )


def concerns_for_export(session: Session, actor: User, child: Child) -> list[Concern]:
    """What the child's institution sent about a child fetched through
    ``children.scope.get_child_for_export`` (its leader, or an admin), newest first: the
    institution's own view, never the district's."""
    if actor.role_enum is Role.LEADER:
        return concerns_about_child(session, actor, child_id=child.id or 0)
    if actor.role_enum is not Role.ADMIN:
        raise Forbidden("Kun institutionens leder og administratorer kan udlevere indsigt.")
    return list(
        session.exec(
            select(Concern)
            .where(Concern.child_id == child.id, Concern.institution_id == child.institution_id)
            .order_by(col(Concern.created_at).desc(), col(Concern.id).desc())
        ).all()
    )


def earlier_notifications(session: Session, actor: User, concern: Concern) -> list[Concern]:
    """Earlier notifications about the same child in the district (the Ombudsman's point:
    connect repeated notifications). Only for notifications and only for the district's
    social workers: consultations are anonymous."""
    if (
        not concern.is_notification
        or actor.role_enum is not Role.SOCIAL_WORKER
        or concern.district_id != actor.district_id
    ):
        return []
    return list(
        session.exec(
            select(Concern)
            .where(
                Concern.child_id == concern.child_id,
                Concern.kind == ConcernKind.NOTIFICATION,
                Concern.id != concern.id,
                Concern.district_id == actor.district_id,
            )
            .order_by(col(Concern.created_at).desc())
        ).all()
    )


def events_of(session: Session, actor: User, concern: Concern) -> Sequence[ConcernEvent]:
    """The steps of a concern the actor has fetched through this scope, oldest first."""
    if not _visible(actor, concern):
        raise NotFound("Sagen findes ikke.")
    return session.exec(
        select(ConcernEvent)
        .where(ConcernEvent.concern_id == concern.id)
        .order_by(col(ConcernEvent.at), col(ConcernEvent.id))
    ).all()


def concerns_with_cpr(session: Session) -> Sequence[Concern]:
    """Every concern with a stored CPR number: only for the key rotation (the operator's
    command, no user), which is audited by its caller."""
    return session.exec(select(Concern).where(col(Concern.cpr_encrypted).is_not(None))).all()


def get_finished_assessment_for(session: Session, actor: User, *, assessment_id: int) -> Assessment:
    """The finished assessment a concern or dialogue is about (its scope audits the read)."""
    assessment = assessments_scope.get_assessment_for(
        session, actor, assessment_id=assessment_id, purpose="bekymring"
    )
    if assessment.status != AssessmentStatus.FINISHED:
        raise Conflict("Afslut vurderingen først.", code="assessment_not_finished")
    return assessment


def child_and_institution(session: Session, assessment: Assessment) -> tuple[Child, Institution]:
    """The child and institution of an assessment the caller fetched through its scope."""
    child = session.get(Child, assessment.child_id)
    institution = session.get(Institution, assessment.institution_id)
    if child is None or institution is None:  # pragma: no cover - foreign keys prevent it
        raise NotFound("Barnet eller institutionen findes ikke.")
    return child, institution


def replied_concerns(session: Session, actor: User, *, closed_since: dt.datetime) -> list[Concern]:
    """The concerns the actor sent (staff and leaders) that have an answer, an outcome or
    feedback: the open ones, and those closed since ``closed_since``; newest first. For the
    start page, which names the children through the child register."""
    if actor.role_enum not in SENDER_ROLES:
        return []
    replied = or_(
        col(Concern.answer) != "", col(Concern.feedback) != "", col(Concern.outcome) != ""
    )
    recent = or_(
        col(Concern.status) != ConcernStatus.CLOSED, col(Concern.closed_at) >= closed_since
    )
    return list(
        session.exec(
            select(Concern)
            .where(
                Concern.created_by == actor.id,
                Concern.institution_id == actor.institution_id,
                replied,
                recent,
            )
            .order_by(col(Concern.created_at).desc(), col(Concern.id).desc())
            .limit(50)
        ).all()
    )


def moved_children_names(
    session: Session, actor: User, sent: Sequence[Concern], *, known: set[int], purpose: str
) -> dict[int, str]:
    """The full names of the children of ``sent`` (concerns the actor may see as their
    sender's institution) that are not in ``known``: a child who moved to another
    institution after the concern was sent. One query; one audit row per child, with its id,
    so the read is in the child's access log."""
    if actor.role_enum not in SENDER_ROLES:
        return {}
    wanted = sorted({c.child_id for c in sent if _visible(actor, c) and c.child_id not in known})
    if not wanted:
        return {}
    rows = session.exec(
        select(col(Child.id), col(Child.first_name), col(Child.last_name)).where(
            col(Child.id).in_(wanted)
        )
    ).all()
    for child_id, _first, _last in rows:
        audit.record(
            session,
            actor,
            AuditTag.CHILD_VIEW,
            object_type="child",
            object_id=child_id,
            child_id=child_id,
            detail=purpose,
        )
    return {int(i): f"{first} {last}" for i, first, last in rows if i is not None}


def due_dialogues(session: Session, actor: User, *, due_by: dt.date) -> Sequence[ParentDialogue]:
    """The dialogue meetings the actor recorded whose follow-up date is on or before
    ``due_by`` and whose child has no finished assessment since (that is the follow-up)."""
    if actor.role_enum not in SENDER_ROLES:
        return []
    newer = (
        sa.exists()
        .where(
            col(Assessment.child_id) == col(ParentDialogue.child_id),
            col(Assessment.status) == AssessmentStatus.FINISHED,
            col(Assessment.kind).in_(assessments_scope.counting_kinds()),
            col(Assessment.finished_at) > col(ParentDialogue.created_at),
        )
        .correlate(ParentDialogue)
    )
    return session.exec(
        select(ParentDialogue)
        .where(
            ParentDialogue.created_by == actor.id,
            ParentDialogue.institution_id == actor.institution_id,
            col(ParentDialogue.follow_up_on).is_not(None),
            col(ParentDialogue.follow_up_on) <= due_by,
            ~newer,
        )
        .order_by(col(ParentDialogue.follow_up_on), col(ParentDialogue.id))
        .limit(100)
    ).all()
