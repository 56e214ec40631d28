"""Joint assessments: start one, each participant's individual assessment (the questionnaire,
or one call), the comparison once all have submitted, the joint result that counts, agreement
figures for the leader and the participants' to-do (``waiting_for``).

Submitted means: the participant's individual assessment is finished, however it was finished
(the questionnaire, the offline sync, or ``POST .../individual``). ``sync`` records it on the
participant (``submitted_at``) and moves the joint assessment to ``ready``."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.assessments import scope as assessments_scope
from app.assessments import service as assessments
from app.assessments.models import Assessment, AssessmentKind, FocusPoint, ParentContact
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.children import scope as children_scope
from app.children.models import Child
from app.db import delete_with_dependents, forget_deleted, id_of, table_of, utcnow
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.joint import scope
from app.joint.comparison import Agreement, Comparison, Individual, compare
from app.joint.comparison import agreement as agreement_of
from app.joint.models import JointAssessment, JointParticipant, JointStatus
from app.meetings.models import Meeting

PARTICIPANT_ROLES = frozenset({Role.STAFF, Role.LEADER})
FIELD = "participant_ids"


@dataclass(frozen=True)
class Participant:
    """One participant as everyone who sees the joint assessment may see them."""

    user_id: int
    name: str
    submitted: bool
    submitted_at: dt.datetime | None
    assessment_id: int | None


@dataclass(frozen=True)
class JointView:
    """A joint assessment as one actor may see it: ``individuals`` and ``comparison`` are
    None until the independence rule lets the actor see them."""

    joint: JointAssessment
    child: Child
    participants: list[Participant]
    individuals: list[Assessment] | None
    comparison: Comparison | None
    is_participant: bool
    own: Participant | None
    started_by_name: str

    @property
    def status(self) -> JointStatus:
        """collecting, ready or finished."""
        return JointStatus(self.joint.status)

    def name_of(self, user_id: int) -> str:
        """A participant's display name."""
        return next((p.name for p in self.participants if p.user_id == user_id), "")


@dataclass(frozen=True)
class JointWaiting:
    """A joint assessment waiting for the user's own part (for the start page's to-do)."""

    joint_id: int
    child_id: int
    child_name: str
    started_by_name: str
    created_at: dt.datetime


def _names(session: Session, user_ids: list[int]) -> dict[int, str]:
    return {uid: accounts.get_user(session, user_id=uid).display_name for uid in set(user_ids)}


def _check_participants(
    session: Session, actor: User, child: Child, participant_ids: list[int]
) -> list[int]:
    """Distinct, at least two, the actor among them, each an active staff member or leader
    of the child's institution: else a field error naming what is wrong."""
    chosen = list(dict.fromkeys(participant_ids))
    if len(chosen) < 2:
        raise Invalid.field(FIELD, "Vælg mindst to deltagere (dig selv medregnet).")
    if actor.id not in chosen:
        raise Invalid.field(FIELD, "Du skal selv være blandt deltagerne.")
    for user_id in chosen:
        try:
            user: User | None = accounts.get_user(session, user_id=user_id)
        except NotFound:
            user = None
        if (
            user is None
            or not user.is_active
            or user.role_enum not in PARTICIPANT_ROLES
            or user.institution_id != child.institution_id
        ):
            raise Invalid.field(
                FIELD, "Alle deltagere skal være personale eller leder i barnets institution."
            )
    return chosen


def start(
    session: Session, actor: User, *, child_id: int, participant_ids: list[int]
) -> JointAssessment:
    """Start a joint assessment of a child with the named participants (the actor among
    them); each then makes their own individual assessment."""
    child = children_scope.get_child_for(
        session, actor, child_id=child_id, purpose="fælles vurdering"
    )
    chosen = _check_participants(session, actor, child, participant_ids)
    joint = JointAssessment(
        child_id=id_of(child), institution_id=child.institution_id, started_by=id_of(actor)
    )
    session.add(joint)
    session.flush()
    for user_id in chosen:
        session.add(JointParticipant(joint_id=id_of(joint), user_id=user_id))
    session.flush()
    audit.record(
        session,
        actor,
        AuditTag.JOINT_CREATE,
        object_type="joint_assessment",
        object_id=joint.id,
        child_id=child.id,
        detail=f"{len(chosen)} deltagere",
    )
    return joint


def sync(session: Session, joint: JointAssessment) -> list[JointParticipant]:
    """The participants, with ``submitted_at`` recorded for every individual assessment that
    is finished, and the joint assessment ``ready`` once all are."""
    participants = scope.participants_of(session, [id_of(joint)])
    facts = assessments_scope.facts_of(
        session, assessment_ids=[p.assessment_id for p in participants if p.assessment_id]
    )
    for part in participants:
        fact = facts.get(part.assessment_id) if part.assessment_id else None
        if part.submitted_at is None and fact is not None and fact.finished_at is not None:
            part.submitted_at = fact.finished_at
            session.add(part)
    if joint.status == JointStatus.COLLECTING and all(p.submitted_at for p in participants):
        joint.status = JointStatus.READY
        session.add(joint)
    session.flush()
    return participants


def _view(session: Session, actor: User, joint: JointAssessment, child: Child) -> JointView:
    participants = sync(session, joint)
    names = _names(session, [p.user_id for p in participants] + [joint.started_by])
    shown = [
        Participant(
            user_id=p.user_id,
            name=names[p.user_id],
            submitted=p.submitted_at is not None,
            submitted_at=p.submitted_at,
            assessment_id=p.assessment_id,
        )
        for p in participants
    ]
    submitted = {p.user_id for p in shown if p.submitted}
    individuals: list[Assessment] | None = None
    comparison: Comparison | None = None
    if scope.may_see_individuals(actor, joint, submitted):
        rows = assessments_scope.individuals_for(
            session,
            actor,
            assessment_ids=[p.assessment_id for p in shown if p.submitted and p.assessment_id],
            purpose="fælles vurdering",
        )
        individuals = [
            rows[p.assessment_id] for p in shown if p.submitted and p.assessment_id in rows
        ]
        if joint.status != JointStatus.COLLECTING and individuals:
            comparison = compare(
                [Individual(a.created_by, a.level or 1, a.observed) for a in individuals]
            )
    own = next((p for p in shown if p.user_id == actor.id), None)
    return JointView(
        joint=joint,
        child=child,
        participants=shown,
        individuals=individuals,
        comparison=comparison,
        is_participant=own is not None,
        own=own,
        started_by_name=names[joint.started_by],
    )


def get(session: Session, actor: User, *, joint_id: int) -> JointView:
    """A joint assessment as the actor may see it (the independence rule); audited."""
    joint = scope.get_joint_for(session, actor, joint_id=joint_id)
    child = children_scope.get_child_for(
        session, actor, child_id=joint.child_id, purpose="fælles vurdering"
    )
    return _view(session, actor, joint, child)


def for_child(session: Session, actor: User, child: Child) -> list[JointView]:
    """The child's joint assessments as the actor may see each (the child was fetched
    through its scope), newest first."""
    return [
        _view(session, actor, scope.get_joint_for(session, actor, joint_id=id_of(j)), child)
        for j in scope.joints_of_child(
            session, child_id=id_of(child), institution_id=child.institution_id
        )
    ]


def _own_part(session: Session, actor: User, joint: JointAssessment) -> JointParticipant:
    part = next((p for p in sync(session, joint) if p.user_id == actor.id), None)
    if part is None:
        raise Forbidden("Kun deltagerne i den fælles vurdering kan lave en egen vurdering.")
    return part


def open_individual(session: Session, actor: User, *, joint_id: int) -> Assessment:
    """The actor's own individual assessment: their draft (started now if need be) in the
    ordinary questionnaire, or the submitted one."""
    joint = scope.get_joint_for(session, actor, joint_id=joint_id, purpose="egen vurdering")
    part = _own_part(session, actor, joint)
    if part.assessment_id is not None:
        return assessments_scope.get_assessment_for(
            session, actor, assessment_id=part.assessment_id, purpose="egen vurdering"
        )
    if joint.status != JointStatus.COLLECTING:
        raise Conflict("Den fælles vurdering er afsluttet.", code="joint_finished")
    draft = assessments.start_individual(session, actor, child_id=joint.child_id)
    part.assessment_id = id_of(draft)
    session.add(part)
    session.flush()
    return draft


def submit_individual(
    session: Session,
    actor: User,
    *,
    joint_id: int,
    observed: list[str],
    notes: str = "",
    resources: str = "",
    level: int | None = None,
    reason: str = "",
) -> assessments.AssessmentState:
    """Submit the actor's individual assessment in one call (``POST .../individual``): their
    draft, if they started one, is saved and finished; a second submission is 409."""
    joint = scope.get_joint_for(session, actor, joint_id=joint_id, purpose="egen vurdering")
    part = _own_part(session, actor, joint)
    if part.submitted_at is not None:
        raise Conflict("Du har allerede indsendt din egen vurdering.", code="already_submitted")
    if joint.status != JointStatus.COLLECTING:  # pragma: no cover - all submitted means ready
        raise Conflict("Den fælles vurdering er afsluttet.", code="joint_finished")
    if part.assessment_id is not None:
        assessments.save_draft(
            session,
            actor,
            assessment_id=part.assessment_id,
            observed=observed,
            notes=notes,
            resources=resources,
        )
        state = assessments.finish(
            session, actor, assessment_id=part.assessment_id, level=level, reason=reason
        )
    else:
        state = assessments.create_finished(
            session,
            actor,
            child_id=joint.child_id,
            observed=observed,
            notes=notes,
            resources=resources,
            level=level,
            reason=reason,
            kind=AssessmentKind.INDIVIDUAL,
        )
        part.assessment_id = id_of(state.assessment)
        session.add(part)
        session.flush()
    sync(session, joint)
    return state


def finish(
    session: Session,
    actor: User,
    *,
    joint_id: int,
    observed: list[str],
    notes: str = "",
    resources: str = "",
    level: int | None = None,
    reason: str = "",
    focus_points: list[assessments.FocusPointInput] | None = None,
    parents: assessments.ParentsInput | None = None,
) -> assessments.AssessmentState:
    """Finish the joint assessment with what the team agreed: a finished assessment of kind
    ``joint``, the one that counts for the child, with the team's focus points and the
    parents' note by the same rules as an assessment's finish (``focus_points`` None: not
    asked; given, at least one at level 2 or higher). 409 while anyone has not submitted,
    and once finished; only participants finish it."""
    joint = scope.get_joint_for(session, actor, joint_id=joint_id, purpose="fælles vurdering")
    _own_part(session, actor, joint)
    if joint.status == JointStatus.FINISHED:
        raise Conflict("Den fælles vurdering er allerede afsluttet.", code="joint_finished")
    if joint.status != JointStatus.READY:
        raise Conflict(
            "Alle deltagere skal have indsendt deres egen vurdering først.",
            code="joint_not_ready",
        )
    state = assessments.create_finished(
        session,
        actor,
        child_id=joint.child_id,
        observed=observed,
        notes=notes,
        resources=resources,
        level=level,
        reason=reason,
        kind=AssessmentKind.JOINT,
        focus_points=focus_points,
        parents=parents,
    )
    joint.assessment_id = id_of(state.assessment)
    joint.status = JointStatus.FINISHED
    joint.finished_at = utcnow()
    session.add(joint)
    session.flush()
    audit.record(
        session,
        actor,
        AuditTag.JOINT_FINISH,
        object_type="joint_assessment",
        object_id=joint.id,
        child_id=joint.child_id,
        detail=f"niveau {state.assessment.level}",
    )
    return state


@dataclass(frozen=True)
class HistoryPresence:
    """Which parts of a child's history hold anything at all (``history_presence``)."""

    joints: bool
    meetings: bool
    focus_points: bool
    parents: bool


_CHILD = sa.bindparam("child_id", type_=sa.Integer)
_HISTORY_PRESENCE = sa.select(
    sa.exists().where(
        JointAssessment.child_id == _CHILD,  # type: ignore[arg-type]
        JointAssessment.institution_id == sa.bindparam("institution_id", type_=sa.Integer),  # type: ignore[arg-type]
    ),
    sa.exists().where(Meeting.child_id == _CHILD),  # type: ignore[arg-type]
    sa.exists().where(FocusPoint.child_id == _CHILD),  # type: ignore[arg-type]
    sa.exists()
    .where(ParentContact.assessment_id == Assessment.id)  # type: ignore[arg-type]
    .where(Assessment.child_id == _CHILD),  # type: ignore[arg-type]
)
"""Built once: building the expression on every read cost as much as running it."""


def history_presence(session: Session, child: Child) -> HistoryPresence:
    """Whether the child has joint assessments in its institution, meetings, focus points and
    parents' notes (any institution: a superset of what the child's read shows), in one query
    of four EXISTS, so the child's read skips the queries of the parts that are empty. The
    child was fetched through its scope; nothing of the rows is read, so nothing is audited."""
    params = {"child_id": id_of(child), "institution_id": child.institution_id}
    joints, meetings, points, parents = session.execute(_HISTORY_PRESENCE, params).one()
    return HistoryPresence(
        joints=bool(joints),
        meetings=bool(meetings),
        focus_points=bool(points),
        parents=bool(parents),
    )


def individuals_of_child(session: Session, actor: User, child: Child) -> list[Assessment]:
    """The other participants' submitted individual assessments of the child that the
    independence rule lets the actor see (``scope.may_see_individuals``: the actor took part
    and submitted their own, or the joint assessment is finished), for the child's JSON; the
    actor's own are listed by the assessments' scope already. Each read is audited."""
    wanted: list[int] = []
    for joint in scope.joints_of_child(
        session, child_id=id_of(child), institution_id=child.institution_id
    ):
        if joint.institution_id != actor.institution_id:
            continue
        participants = sync(session, joint)
        submitted = {p.user_id for p in participants if p.submitted_at is not None}
        if scope.may_see_individuals(actor, joint, submitted):
            wanted += [
                p.assessment_id
                for p in participants
                if p.submitted_at is not None and p.assessment_id and p.user_id != actor.id
            ]
    rows = assessments_scope.individuals_for(
        session, actor, assessment_ids=wanted, purpose="barnets vurderinger"
    )
    return [rows[i] for i in wanted if i in rows]


def participant_ids(session: Session, *, joint_id: int) -> list[int]:
    """The participants' user ids, in the order they were named."""
    return [p.user_id for p in scope.participants_of(session, [joint_id])]


def for_assessment(session: Session, *, assessment_id: int) -> JointAssessment | None:
    """The joint assessment an individual or joint assessment belongs to (the caller read
    the assessment through its scope)."""
    return scope.joint_of_assessment(session, assessment_id=assessment_id)


def agreement(
    session: Session, institution_id: int, *, between: tuple[dt.date, dt.date] | None = None
) -> Agreement:
    """How often the individual levels matched the joint level, over the institution's
    finished joint assessments (finished within ``between``, both days included, if given):
    counts only, no child or person (for the leader's page and API, and rounds)."""
    joints = scope.finished_in(session, institution_id=institution_id, between=between)
    parts = scope.participants_of(session, [id_of(j) for j in joints])
    ids = [j.assessment_id for j in joints if j.assessment_id] + [
        p.assessment_id for p in parts if p.assessment_id
    ]
    facts = assessments_scope.facts_of(session, assessment_ids=ids)
    results: list[tuple[int, list[int]]] = []
    for joint in joints:
        result = facts.get(joint.assessment_id) if joint.assessment_id else None
        if result is None or result.level is None:  # pragma: no cover - finished has a level
            continue
        levels = [
            fact.level
            for p in parts
            if p.joint_id == joint.id and p.assessment_id
            for fact in [facts.get(p.assessment_id)]
            if fact is not None and fact.level is not None
        ]
        results.append((result.level, levels))
    return agreement_of(results)


def agreement_for(
    session: Session,
    actor: User,
    *,
    institution_id: int,
    between: tuple[dt.date, dt.date] | None = None,
) -> Agreement:
    """The agreement figures for the institution's leader and admins (anyone else 403)."""
    institution = accounts.get_institution(session, institution_id=institution_id)
    is_leader = actor.role_enum is Role.LEADER and actor.institution_id == institution.id
    if not (is_leader or actor.role_enum is Role.ADMIN):
        raise Forbidden("Kun institutionens leder og administratorer kan se enighedstallene.")
    audit.record(
        session,
        actor,
        AuditTag.AGREEMENT_VIEW,
        object_type="institution",
        object_id=institution.id,
    )
    return agreement(session, id_of(institution), between=between)


def waiting_for(session: Session, user: User) -> list[JointWaiting]:
    """Joint assessments still collecting where the user takes part and has not submitted
    their own (their start page's to-do), oldest first."""
    if user.role_enum not in PARTICIPANT_ROLES or user.institution_id is None:
        return []
    rows = scope.open_parts_of(session, user)
    facts = assessments_scope.facts_of(
        session, assessment_ids=[p.assessment_id for p, _ in rows if p.assessment_id]
    )
    waiting = []
    names: dict[int, str] = {}
    for part, joint in rows:
        fact = facts.get(part.assessment_id) if part.assessment_id else None
        if part.submitted_at is not None or (fact is not None and fact.finished_at is not None):
            continue
        child = children_scope.get_child_for(
            session, user, child_id=joint.child_id, purpose="opgaver"
        )
        if joint.started_by not in names:
            names[joint.started_by] = accounts.get_user(
                session, user_id=joint.started_by
            ).display_name
        waiting.append(
            JointWaiting(
                joint_id=id_of(joint),
                child_id=id_of(child),
                child_name=child.full_name,
                started_by_name=names[joint.started_by],
                created_at=joint.created_at,
            )
        )
    return waiting


def colleagues(session: Session, actor: User) -> list[User]:
    """Who may take part: the active staff and leaders of the actor's institution."""
    if actor.institution_id is None:
        return []
    return list(
        accounts.active_members(
            session, roles=PARTICIPANT_ROLES, institution_id=actor.institution_id
        )
    )


def discard_unfinished(
    session: Session, *, child_id: int, institution_id: int
) -> tuple[Counter[str], set[int]]:
    """Delete the joint assessments of a child started in ``institution_id`` that are not
    finished, with their participants (the child moved to another institution by a
    handover: the joint assessment can no longer be finished, and nobody can reach it). A
    finished one stays, with its parts. The rows deleted per table, and the ids of the
    assessments that belonged to them (the joint draft and every participant's part), for
    ``assessments.service.discard_unfinished``; the caller audits the move."""
    table = table_of(JointAssessment)
    rows = session.execute(
        sa.select(table.c.id, table.c.assessment_id).where(
            table.c.child_id == child_id,
            table.c.institution_id == institution_id,
            table.c.status != JointStatus.FINISHED,
        )
    ).all()
    counts: Counter[str] = Counter()
    if not rows:
        return counts, set()
    joint_ids = [row.id for row in rows]
    parts = table_of(JointParticipant)
    belonged = {row.assessment_id for row in rows if row.assessment_id is not None}
    belonged |= {
        i
        for i in session.execute(
            sa.select(parts.c.assessment_id).where(parts.c.joint_id.in_(joint_ids))
        ).scalars()
        if i is not None
    }
    delete_with_dependents(
        session, table, sa.select(table.c.id).where(table.c.id.in_(joint_ids)), counts
    )
    forget_deleted(session, counts)
    return counts, belonged
