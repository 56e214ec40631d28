"""Which assessments an actor may see or continue; every read is audited here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, class_mapper
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.assessments.models import (
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    FocusPoint,
    ParentContact,
)
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.children.models import Child
from app.children.scope import ensure_may_see_children, institution_of
from app.db import clean_row, id_of, keep, row_columns
from app.errors import Conflict, Forbidden, NotFound


def may_read(actor: User, assessment: Assessment) -> bool:
    """A finished assessment is read by the institution's staff and leaders; a draft (its
    ticks and notes) by its author alone: in the pages and in the API alike. An individual
    assessment (one participant's part of a joint assessment) is its author's alone here,
    submitted or not: the joint domain shows it to the other participants once they have
    submitted their own (``app.joint.scope``, the independence rule)."""
    if assessment.created_by == actor.id:
        return True
    return assessment.status == AssessmentStatus.FINISHED and assessment.kind != (
        AssessmentKind.INDIVIDUAL
    )


def counts(assessment: Assessment) -> bool:
    """Whether a finished assessment counts for the child's level over time (and concerns,
    rounds): a single or a joint one; an individual one never does."""
    return (
        assessment.status == AssessmentStatus.FINISHED
        and assessment.kind != AssessmentKind.INDIVIDUAL
    )


def _where_the_child_is(session: Session, actor: User, institution_id: int, child_id: int) -> bool:
    """A record of the actor's institution about a child that still belongs to it: after a
    handover the sending institution keeps its records (retention, a request of access) but
    no longer reads them, and the receiving one reads only what the handover shows."""
    return institution_id == actor.institution_id and (
        institution_of(session, child_id=child_id) == actor.institution_id
    )


def _viewed(session: Session, actor: User, assessment: Assessment, purpose: str) -> None:
    """Audit a read of the assessment (``ASSESSMENT_VIEW``, in the child's log) with ``purpose``."""
    audit.record(
        session,
        actor,
        AuditTag.ASSESSMENT_VIEW,
        object_type="assessment",
        object_id=assessment.id,
        child_id=assessment.child_id,
        detail=purpose,
    )


def get_assessment_for(
    session: Session, actor: User, *, assessment_id: int, purpose: str = ""
) -> Assessment:
    """An assessment of a child in the actor's institution, or NotFound; another person's
    draft is 403 (``may_read``); audited."""
    ensure_may_see_children(actor)
    if is_loaded(session, assessment_id=assessment_id):
        assessment = session.get(Assessment, assessment_id)
        where_the_child_is = assessment is not None and _where_the_child_is(
            session, actor, assessment.institution_id, assessment.child_id
        )
    else:
        assessment, child = _with_child(session, assessment_id)
        where_the_child_is = (
            assessment is not None
            and child is not None
            and assessment.institution_id == actor.institution_id
            and child.institution_id == actor.institution_id
        )
    if assessment is None or not where_the_child_is:
        raise NotFound("Vurderingen findes ikke.")
    if not may_read(actor, assessment):
        raise Forbidden("Kun den, der har påbegyndt vurderingen, kan se og fortsætte den.")
    _viewed(session, actor, assessment, purpose)
    return assessment


_CHILD_PREFIX = "child__"
_WITH_CHILD: sa.Select[Any] | None = None


def _with_child(session: Session, assessment_id: int) -> tuple[Assessment | None, Child | None]:
    """An assessment and its child, both as the ORM would have loaded them (in the session's
    identity map: a change is flushed, and the child scope's ``get_row`` of the child that a
    page reads next finds it there), in one Core SELECT instead of three statements (the
    assessment, where its child is now, the child)."""
    global _WITH_CHILD  # built on first use, once the mappers are configured
    if _WITH_CHILD is None:
        child_columns = [
            prop.columns[0].label(_CHILD_PREFIX + prop.key)
            for prop in class_mapper(Child).column_attrs
        ]
        _WITH_CHILD = (
            sa.select(*row_columns(Assessment), *child_columns)
            .outerjoin(_CHILD, _CHILD.c.id == _ASSESSMENT.c.child_id)
            .where(_ASSESSMENT.c.id == sa.bindparam("assessment_id"))
        )
    row = session.execute(_WITH_CHILD, {"assessment_id": assessment_id}).mappings().first()
    if row is None:
        return None, None
    assessment = clean_row(session, Assessment, row)
    if row[_CHILD_PREFIX + "id"] is None:
        return assessment, None
    child = clean_row(session, Child, row, prefix=_CHILD_PREFIX)
    keep(session, child)
    return assessment, child


def get_draft_for_author(session: Session, actor: User, *, assessment_id: int) -> Assessment:
    """A draft the actor started; a finished one is read-only (409), another person's is 403."""
    assessment = get_assessment_for(session, actor, assessment_id=assessment_id, purpose="kladde")
    ensure_may_continue(actor, assessment)
    return assessment


_ASSESSMENT = Assessment.metadata.tables[Assessment.__tablename__]
_CHILD = Child.metadata.tables[Child.__tablename__]
_WITH_CHILDS_INSTITUTION = (
    sa.select(*_ASSESSMENT.c, _CHILD.c.institution_id.label("childs_institution_id"))
    .outerjoin(_CHILD, _CHILD.c.id == _ASSESSMENT.c.child_id)
    .where(_ASSESSMENT.c.id == sa.bindparam("assessment_id"))
)
"""An assessment's row and where its child is now, in one Core SELECT."""


def is_loaded(session: Session, *, assessment_id: int) -> bool:
    """Whether the session already holds this assessment (read or changed through the ORM)."""
    return identity_key(Assessment, assessment_id) in session.identity_map


def _built_as_loaded(values: dict[str, Any]) -> Assessment:
    """An ``Assessment`` of a row read in Core, built as the ORM builds a row it loads (a new
    instance whose attributes are the row's values, not ``__init__`` with an instrumented
    ``setattr`` per column: that was a tenth of a tick's CPU); transient, in no session."""
    assessment: Assessment = class_mapper(Assessment).class_manager.new_instance()
    assessment.__dict__.update(values)
    return assessment


def draft_row_for_author(session: Session, actor: User, *, assessment_id: int) -> Assessment:
    """``get_draft_for_author`` in one Core SELECT (the assessment and its child's current
    institution) and no ORM load: the same refusals in the same order and the same audited
    read, for a caller that writes the draft back with a Core UPDATE (``service.tick``). The
    ``Assessment`` returned is NOT in the session: a change to it is not flushed."""
    ensure_may_see_children(actor)
    row = session.execute(_WITH_CHILDS_INSTITUTION, {"assessment_id": assessment_id}).first()
    if row is None:
        raise NotFound("Vurderingen findes ikke.")
    values = row._asdict()
    childs_institution = values.pop("childs_institution_id")
    assessment = _built_as_loaded(values)
    if not (
        assessment.institution_id == actor.institution_id
        and childs_institution == actor.institution_id
    ):
        raise NotFound("Vurderingen findes ikke.")
    if not may_read(actor, assessment):
        raise Forbidden("Kun den, der har påbegyndt vurderingen, kan se og fortsætte den.")
    _viewed(session, actor, assessment, "kladde")
    ensure_may_continue(actor, assessment)
    return assessment


def ensure_may_continue(actor: User, assessment: Assessment) -> None:
    """Only the author continues a draft: finished is read-only (409), another person's 403."""
    if assessment.status != AssessmentStatus.DRAFT:
        raise Conflict("Vurderingen er afsluttet og kan ikke ændres.", code="assessment_finished")
    if assessment.created_by != actor.id:
        raise Forbidden("Kun den, der har påbegyndt vurderingen, kan fortsætte den.")


def assessments_of(
    session: Session,
    actor: User,
    child: Child,
    *,
    with_others_drafts: bool = False,
    all_institutions: bool = False,
) -> list[Assessment]:
    """A child's assessments the actor may read (``may_read``), newest first (the child was
    fetched through the child scope). ``with_others_drafts`` adds colleagues' drafts for a
    list that shows only that they exist (date, author), never what they hold. Another
    person's individual assessment is never listed, not even that it exists: the joint
    assessment it belongs to shows who has submitted.

    Only those made in the child's institution now: a school that received the child by a
    handover sees what the handover shows, not the daycare's records; ``all_institutions``
    is for a request of access (everything stored about the child)."""
    query = select(Assessment).where(Assessment.child_id == child.id)
    if not all_institutions:
        query = query.where(Assessment.institution_id == child.institution_id)
    rows = session.exec(
        query.order_by(col(Assessment.created_at).desc(), col(Assessment.id).desc())
    ).all()
    return [
        a
        for a in rows
        if may_read(actor, a)
        or (
            with_others_drafts
            and a.status == AssessmentStatus.DRAFT
            and a.kind != AssessmentKind.INDIVIDUAL
        )
    ]


def individuals_for(
    session: Session, actor: User, *, assessment_ids: list[int], purpose: str
) -> dict[int, Assessment]:
    """Individual assessments of the actor's institution by id, for the joint domain, which
    decided itself that the actor may see them (``app.joint.scope``); each read is audited."""
    ensure_may_see_children(actor)
    if not assessment_ids:
        return {}
    rows = session.exec(
        select(Assessment).where(
            col(Assessment.id).in_(assessment_ids),
            Assessment.institution_id == actor.institution_id,
            Assessment.kind == AssessmentKind.INDIVIDUAL,
        )
    ).all()
    for assessment in rows:
        _viewed(session, actor, assessment, purpose)
    return {id_of(a): a for a in rows}


def latest_finished_of(
    session: Session, *, child_id: int, institution_id: int
) -> Assessment | None:
    """The child's latest finished single or joint assessment made in ``institution_id``,
    NOT audited: for a handover, whose scope checked the reader (the sending or receiving
    institution) and audits what it shows (its summary, and the abuse rule's check)."""
    return session.exec(
        select(Assessment)
        .where(
            Assessment.child_id == child_id,
            Assessment.institution_id == institution_id,
            Assessment.status == AssessmentStatus.FINISHED,
            col(Assessment.kind).in_(COUNTED_KINDS),
        )
        .order_by(col(Assessment.finished_at).desc(), col(Assessment.id).desc())
    ).first()


@dataclass(frozen=True)
class AssessmentFacts:
    """An assessment's state without what it holds: for the joint domain, which shows only
    who has submitted (``finished``) and counts agreement (``level``, never shown per person
    to anyone who may not see it)."""

    created_by: int
    finished_at: dt.datetime | None
    level: int | None


def facts_of(session: Session, *, assessment_ids: list[int]) -> dict[int, AssessmentFacts]:
    """The facts of these assessments (not audited: no child is read, only states)."""
    if not assessment_ids:
        return {}
    rows = session.exec(
        select(
            Assessment.id, Assessment.created_by, Assessment.finished_at, Assessment.level
        ).where(col(Assessment.id).in_(assessment_ids))
    ).all()
    return {
        int(i): AssessmentFacts(created_by, finished_at, level)
        for i, created_by, finished_at, level in rows
        if i is not None
    }


def catalog_of(session: Session, *, assessment_id: int) -> tuple[str, int] | None:
    """The catalog id and version an assessment was made with, for a document about a
    notification its concern scope has checked (not audited: no child is read, only the
    version of the guide's texts)."""
    row = session.exec(
        select(Assessment.catalog_id, Assessment.catalog_version).where(
            Assessment.id == assessment_id
        )
    ).first()
    return (str(row[0]), int(row[1])) if row is not None else None


def draft_of(session: Session, actor: User, child: Child) -> Assessment | None:
    """The actor's open draft of a single assessment for a child, if any (an individual draft
    is opened from its joint assessment)."""
    return session.exec(
        select(Assessment).where(
            Assessment.child_id == child.id,
            Assessment.created_by == actor.id,
            Assessment.status == AssessmentStatus.DRAFT,
            Assessment.kind == AssessmentKind.SINGLE,
        )
    ).first()


COUNTED_KINDS = (AssessmentKind.SINGLE.value, AssessmentKind.JOINT.value)
"""The kinds that count for a child's level over time and in rounds (an individual assessment
of a joint one does not; the joint result does)."""


def focus_points_of(
    session: Session, assessment_ids: Iterable[int]
) -> dict[int, tuple[FocusPoint, ...]]:
    """The focus points of assessments already read through this scope, in one query."""
    ids = sorted(set(assessment_ids))
    found: dict[int, list[FocusPoint]] = {i: [] for i in ids}
    if ids:
        rows = session.exec(
            select(FocusPoint)
            .where(col(FocusPoint.assessment_id).in_(ids))
            .order_by(col(FocusPoint.assessment_id), col(FocusPoint.position))
        ).all()
        for point in rows:
            found[point.assessment_id].append(point)
    return {i: tuple(points) for i, points in found.items()}


def parent_contacts_of(session: Session, assessment_ids: Iterable[int]) -> dict[int, ParentContact]:
    """What was noted about the parents for assessments read through this scope, one query."""
    ids = sorted(set(assessment_ids))
    if not ids:
        return {}
    rows = session.exec(select(ParentContact).where(col(ParentContact.assessment_id).in_(ids)))
    return {row.assessment_id: row for row in rows.all()}


def get_focus_point_for(session: Session, actor: User, *, focus_point_id: int) -> FocusPoint:
    """A focus point of a child in the actor's institution, or NotFound; audited."""
    ensure_may_see_children(actor)
    point = session.get(FocusPoint, focus_point_id)
    if point is None or not _where_the_child_is(
        session, actor, point.institution_id, point.child_id
    ):
        raise NotFound("Fokuspunktet findes ikke.")
    audit.record(
        session,
        actor,
        AuditTag.ASSESSMENT_VIEW,
        object_type="focus_point",
        object_id=point.id,
        child_id=point.child_id,
        detail="fokuspunkt",
    )
    return point


# The to-do lists of the start page. They return rows without the children's names: the
# start page asks the child register for the names of all its rows at once
# (children.scope.names_for), and that one read is the audited one.


def own_drafts(session: Session, actor: User, *, limit: int = 50) -> Sequence[Assessment]:
    """The drafts the actor left (their ticks are theirs alone), the latest touched first."""
    ensure_may_see_children(actor)
    return session.exec(
        select(Assessment)
        .where(
            Assessment.created_by == actor.id,
            Assessment.institution_id == actor.institution_id,
            Assessment.status == AssessmentStatus.DRAFT,
        )
        .order_by(col(Assessment.updated_at).desc(), col(Assessment.id).desc())
        .limit(limit)
    ).all()


def open_focus_points(
    session: Session,
    actor: User,
    *,
    due_by: dt.date,
    everyone: bool = False,
    limit: int = 100,
) -> Sequence[FocusPoint]:
    """Focus points not done and due on or before ``due_by``: the actor's own (they follow
    them up), or with ``everyone`` all of the actor's institution (for its leader)."""
    ensure_may_see_children(actor)
    query = select(FocusPoint).where(
        FocusPoint.institution_id == actor.institution_id,
        col(FocusPoint.done_at).is_(None),
        FocusPoint.due_on <= due_by,
    )
    if not everyone:
        query = query.where(FocusPoint.responsible_id == actor.id)
    return session.exec(
        query.order_by(col(FocusPoint.due_on), col(FocusPoint.id)).limit(limit)
    ).all()


def counting_kinds() -> tuple[str, ...]:
    """The kinds of assessment that count for a child's level over time (not the
    individual parts of a joint assessment)."""
    return (AssessmentKind.SINGLE.value, AssessmentKind.JOINT.value)


def due_follow_ups(
    session: Session,
    actor: User,
    *,
    due_by: dt.date,
    everyone: bool = False,
    limit: int = 100,
) -> Sequence[Assessment]:
    """Finished assessments whose follow-up date is on or before ``due_by`` and whose child
    has no later finished assessment (that would be the follow-up): the actor's own, or
    with ``everyone`` all of the institution's."""
    ensure_may_see_children(actor)
    later = aliased(Assessment)
    newer = (
        sa.exists()
        .where(
            col(later.child_id) == col(Assessment.child_id),
            col(later.status) == AssessmentStatus.FINISHED,
            col(later.kind).in_(counting_kinds()),
            col(later.finished_at) > col(Assessment.finished_at),
        )
        .correlate(Assessment)
    )
    query = select(Assessment).where(
        Assessment.institution_id == actor.institution_id,
        Assessment.status == AssessmentStatus.FINISHED,
        col(Assessment.kind).in_(counting_kinds()),
        col(Assessment.follow_up_on).is_not(None),
        col(Assessment.follow_up_on) <= due_by,
        ~newer,
    )
    if not everyone:
        query = query.where(Assessment.created_by == actor.id)
    return session.exec(
        query.order_by(col(Assessment.follow_up_on), col(Assessment.id)).limit(limit)
    ).all()


_COUNTING_COLUMNS = ("id", "child_id", "institution_id", "status", "kind", "level", "finished_at")


def _counting_table(name: str) -> Any:
    """An alias of ``assessment`` with just the columns the counts read: building an ORM
    alias, or a Core alias of the whole table, cost milliseconds per query."""
    table = Assessment.metadata.tables[Assessment.__tablename__]
    return sa.table(table.name, *(sa.column(c, table.c[c].type) for c in _COUNTING_COLUMNS)).alias(
        name
    )


def counted_in_period(
    child_id: Any,
    *,
    institution_id: int,
    since: dt.datetime,
    before: dt.datetime,
    name: str = "counted",
) -> tuple[Any, sa.ColumnElement[bool]]:
    """Every counted assessment (finished, single or joint, with a level, made in the
    institution, finished in ``since`` ≤ t < ``before``) of the child whose id is
    ``child_id``: a Core alias of ``assessment`` (``.c.level``, ``.c.finished_at``,
    ``.c.id``) and the condition that joins to it. ``.outerjoin`` it, order by
    ``finished_at`` then ``id``, and keep each child's last row: that is its latest, the
    one ``latest_counted`` picks, without the correlated NOT EXISTS (a child has one or two
    assessments in a round's period, so the rows stay about one per child; at 5,000 children
    the NOT EXISTS cost 15–40 ms a query, issue 13)."""
    found = _counting_table(name)
    return found, sa.and_(
        found.c.child_id == child_id,
        *_counted(found.c, institution_id=institution_id, since=since, before=before),
    )


def _counted(
    a: Any, *, institution_id: int, since: dt.datetime, before: dt.datetime
) -> list[sa.ColumnElement[bool]]:
    """What makes a row of a counting alias's columns ``a`` count: finished, single or joint,
    with a level, made in the institution, finished in ``since`` ≤ t < ``before``."""
    return [
        a.institution_id == institution_id,
        a.status == AssessmentStatus.FINISHED.value,
        a.kind.in_(COUNTED_KINDS),
        a.finished_at >= since,
        a.finished_at < before,
        a.level.is_not(None),
    ]


def latest_counted(
    child_id: Any,
    *,
    institution_id: int,
    since: dt.datetime,
    before: dt.datetime,
    name: str = "latest",
) -> tuple[Any, sa.ColumnElement[bool]]:
    """Each child's latest counted assessment (finished, single or joint, with a level, made
    in the institution, finished in ``since`` ≤ t < ``before``), for counting in SQL: a Core
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
        return _counted(a, institution_id=institution_id, since=since, before=before)

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
