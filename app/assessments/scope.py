"""Which assessments an actor may see or continue; every read is audited here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.assessments.models import Assessment, AssessmentKind, AssessmentStatus
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.children.models import Child
from app.children.scope import ensure_may_see_children
from app.errors import Conflict, Forbidden, NotFound


def may_read(actor: User, assessment: Assessment) -> bool:
    """A finished assessment is read by the institution's staff and leaders; a draft (its
    ticks and notes) by its author alone: in the pages and in the API alike."""
    return assessment.status == AssessmentStatus.FINISHED or assessment.created_by == actor.id


def get_assessment_for(
    session: Session, actor: User, *, assessment_id: int, purpose: str = ""
) -> Assessment:
    """An assessment of a child in the actor's institution, or NotFound; another person's
    draft is 403 (``may_read``); audited."""
    ensure_may_see_children(actor)
    assessment = session.get(Assessment, assessment_id)
    if assessment is None or assessment.institution_id != actor.institution_id:
        raise NotFound("Vurderingen findes ikke.")
    if not may_read(actor, assessment):
        raise Forbidden("Kun den, der har påbegyndt vurderingen, kan se og fortsætte den.")
    audit.record(
        session,
        actor,
        AuditTag.ASSESSMENT_VIEW,
        object_type="assessment",
        object_id=assessment.id,
        child_id=assessment.child_id,
        detail=purpose,
    )
    return assessment


def get_draft_for_author(session: Session, actor: User, *, assessment_id: int) -> Assessment:
    """A draft the actor started; a finished one is read-only (409), another person's is 403."""
    assessment = get_assessment_for(session, actor, assessment_id=assessment_id, purpose="kladde")
    ensure_may_continue(actor, assessment)
    return assessment


def ensure_may_continue(actor: User, assessment: Assessment) -> None:
    """Only the author continues a draft: finished is read-only (409), another person's 403."""
    if assessment.status != AssessmentStatus.DRAFT:
        raise Conflict("Vurderingen er afsluttet og kan ikke ændres.", code="assessment_finished")
    if assessment.created_by != actor.id:
        raise Forbidden("Kun den, der har påbegyndt vurderingen, kan fortsætte den.")


def assessments_of(
    session: Session, actor: User, child: Child, *, with_others_drafts: bool = False
) -> list[Assessment]:
    """A child's assessments the actor may read (``may_read``), newest first (the child was
    fetched through the child scope). ``with_others_drafts`` adds colleagues' drafts for a
    list that shows only that they exist (date, author), never what they hold."""
    rows = session.exec(
        select(Assessment)
        .where(Assessment.child_id == child.id)
        .order_by(col(Assessment.created_at).desc(), col(Assessment.id).desc())
    ).all()
    return [a for a in rows if with_others_drafts or may_read(actor, a)]


def draft_of(session: Session, actor: User, child: Child) -> Assessment | None:
    """The actor's open draft for a child, if any."""
    return session.exec(
        select(Assessment).where(
            Assessment.child_id == child.id,
            Assessment.created_by == actor.id,
            Assessment.status == AssessmentStatus.DRAFT,
        )
    ).first()


COUNTED_KINDS = (AssessmentKind.SINGLE.value, AssessmentKind.JOINT.value)
"""The kinds that count for a child's level over time and in rounds (an individual assessment
of a joint one does not; the joint result does)."""


def latest_levels(
    session: Session,
    *,
    institution_id: int,
    child_ids: Iterable[int],
    since: dt.datetime,
    before: dt.datetime,
) -> dict[int, int]:
    """child id → the level of its latest finished single or joint assessment made in the
    institution and finished in ``since`` ≤ t < ``before``; children without one (and
    children not in ``child_ids``) are left out. No text, no author: for the round counts,
    whose callers check the reader (and audit what they show by name). One query on the
    institution's index, whatever the number of children."""
    wanted = set(child_ids)
    if not wanted:
        return {}
    rows = session.exec(
        select(Assessment.child_id, Assessment.level)
        .where(
            Assessment.institution_id == institution_id,
            Assessment.status == AssessmentStatus.FINISHED,
            col(Assessment.kind).in_(COUNTED_KINDS),
            col(Assessment.finished_at) >= since,
            col(Assessment.finished_at) < before,
        )
        .order_by(col(Assessment.finished_at), col(Assessment.id))
    )
    # Oldest first: the latest one of each child is the last written.
    return {child_id: level for child_id, level in rows if level is not None and child_id in wanted}


_COUNTING_COLUMNS = ("id", "child_id", "institution_id", "status", "kind", "level", "finished_at")


def _counting_table(name: str) -> Any:
    """An alias of ``assessment`` with just the columns the counts read: building an ORM
    alias, or a Core alias of the whole table, cost milliseconds per query."""
    table = Assessment.metadata.tables[Assessment.__tablename__]
    return sa.table(table.name, *(sa.column(c, table.c[c].type) for c in _COUNTING_COLUMNS)).alias(
        name
    )


def latest_counted(
    child_id: Any,
    *,
    institution_id: int,
    since: dt.datetime,
    before: dt.datetime,
    name: str = "latest",
) -> tuple[Any, sa.ColumnElement[bool]]:
    """The same as ``latest_levels`` for every child at once, for counting in SQL: a Core
    alias of ``assessment`` (read its ``.c.level``) and the condition that joins to it, for
    the child whose id is ``child_id``, that child's latest counted assessment in the period
    (at most one row per child; ``.outerjoin`` it to keep the children without one, whose
    ``level`` is then NULL).

    "Latest": no later counted one of the child in the period (a correlated NOT EXISTS, by
    ``finished_at`` then ``id``). SQLite runs it as index seeks per child on
    ``ix_assessment_child_id_status_finished_at``; PostgreSQL as hash (anti-)joins over the
    period's rows. Tried and dropped (docs/performance.md): a ``ROW_NUMBER()`` window
    subquery, which SQLite scanned once per child (9 s at 5,000 children), and ``id =
    (SELECT id … ORDER BY finished_at DESC LIMIT 1)``, which PostgreSQL ran once per child."""
    latest = _counting_table(name)
    later = _counting_table(f"{name}_later").c
    mine = latest.c

    def counted(a: Any) -> list[sa.ColumnElement[bool]]:
        return [
            a.institution_id == institution_id,
            a.status == AssessmentStatus.FINISHED.value,
            a.kind.in_(COUNTED_KINDS),
            a.finished_at >= since,
            a.finished_at < before,
            a.level.is_not(None),
        ]

    newer = (
        sa.select(later.id)
        .where(
            later.child_id == mine.child_id,
            *counted(later),
            sa.or_(
                later.finished_at > mine.finished_at,
                sa.and_(later.finished_at == mine.finished_at, later.id > mine.id),
            ),
        )
        .exists()
    )
    return latest, sa.and_(mine.child_id == child_id, *counted(mine), ~newer)
