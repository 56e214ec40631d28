"""JSON API: ``/api/v1/joint-assessments`` (api.md "Joint assessments"), the agreement figures
``GET /api/v1/institutions/{id}/agreement``, and ``GET /api/v1/children/{id}``: the child with
its assessments (the other participants' individual ones as the independence rule allows) and
its meetings. It lives here, the highest domain whose records it shows (documented with the
children)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.assessments import scope as assessments_scope
from app.assessments import service as assessments
from app.assessments.schemas import AssessmentRead
from app.children import scope as children_scope
from app.children.schemas import ChildRead
from app.db import local_today
from app.guide.schema import age_in_years
from app.joint import service
from app.joint.schemas import (
    AgreementRead,
    AssessmentInput,
    ChildDetail,
    ComparisonRead,
    IndividualRead,
    JointCreate,
    JointFinish,
    JointRead,
    JointResultRead,
    LevelRead,
    ParticipantRead,
    TickedRead,
)
from app.meetings import service as meetings
from app.meetings.schemas import MeetingRead
from app.web.deps import DB, AnyUser, StaffOrLeader
from app.web.idempotency import IdempotencyKey, idempotent_json
from app.web.routing import make_router

router = make_router(prefix="/api/v1", tags=["joint assessments"])
children_router = make_router(prefix="/api/v1", tags=["children"])


def _read(view: service.JointView) -> JointRead:
    """The api.md shape of what the caller may see (the service applied the rule)."""
    comparison = view.comparison
    return JointRead(
        id=view.joint.id or 0,
        child_id=view.joint.child_id,
        status=view.status.value,
        participants=[
            ParticipantRead(user_id=p.user_id, display_name=p.name, submitted=p.submitted)
            for p in view.participants
        ],
        individual=None
        if view.individuals is None
        else [
            IndividualRead(
                user_id=a.created_by,
                assessment_id=a.id or 0,
                level=a.level or 1,
                observed=list(a.observed),
            )
            for a in view.individuals
        ],
        comparison=None
        if comparison is None
        else ComparisonRead(
            levels=[LevelRead(user_id=u, level=level) for u, level in comparison.levels],
            level_spread=comparison.level_spread,
            indicators=[TickedRead(id=i, ticked_by=u) for i, u in comparison.ticked_by.items()],
            agreed=comparison.agreed,
            disputed=comparison.disputed,
        ),
        assessment_id=view.joint.assessment_id,
    )


def _inputs(body: AssessmentInput) -> dict[str, Any]:
    override = body.level_override
    return {
        "observed": body.observed,
        "notes": body.notes or "",
        "resources": body.resources or "",
        "level": override.level if override else None,
        "reason": override.reason if override else "",
    }


@router.post(
    "/joint-assessments",
    name="api:joint_create",
    status_code=201,
    response_model=JointRead,
)
def create_joint(
    request: Request,
    db: DB,
    user: StaffOrLeader,
    body: JointCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Start a joint assessment of a child with the named participants (the caller among
    them, at least two, staff or leaders of the child's institution)."""

    def create() -> tuple[int, dict[str, Any]]:
        joint = service.start(
            db, user, child_id=body.child_id, participant_ids=list(body.participant_ids)
        )
        view = service.get(db, user, joint_id=joint.id or 0)
        return 201, _read(view).model_dump(mode="json")

    return idempotent_json(request, db, user, key=idempotency_key, body=body, create=create)


@router.get("/joint-assessments/{joint_id}", name="api:joint_read", response_model=JointRead)
def read_joint(db: DB, user: StaffOrLeader, joint_id: int) -> JointRead:
    """The joint assessment: who has submitted, and, once the caller has submitted their own,
    the submitted individual assessments and (all submitted) the comparison."""
    return _read(service.get(db, user, joint_id=joint_id))


@router.post(
    "/joint-assessments/{joint_id}/individual",
    name="api:joint_individual",
    status_code=201,
    response_model=AssessmentRead,
)
def submit_individual(
    request: Request,
    db: DB,
    user: StaffOrLeader,
    joint_id: int,
    body: AssessmentInput,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Submit the caller's own individual assessment (participants only; once)."""

    def create() -> tuple[int, dict[str, Any]]:
        state = service.submit_individual(db, user, joint_id=joint_id, **_inputs(body))
        return 201, state.read().model_dump(mode="json")

    return idempotent_json(request, db, user, key=idempotency_key, body=body, create=create)


@router.post(
    "/joint-assessments/{joint_id}/finish",
    name="api:joint_finish",
    status_code=201,
    response_model=JointResultRead,
)
def finish_joint(
    request: Request,
    db: DB,
    user: StaffOrLeader,
    joint_id: int,
    body: JointFinish,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Finish the joint assessment with what the team agreed (``"kind": "joint"``), with its
    focus points and the parents' note when given; 409 while anyone has not submitted, and
    once finished."""

    def create() -> tuple[int, dict[str, Any]]:
        state = service.finish(
            db,
            user,
            joint_id=joint_id,
            **_inputs(body),
            focus_points=assessments.focus_point_inputs(body.focus_points),
            parents=assessments.parents_input(body.parents),
        )
        result = JointResultRead(
            **state.read().model_dump(),
            joint_assessment_id=joint_id,
            participant_ids=service.participant_ids(db, joint_id=joint_id),
        )
        return 201, result.model_dump(mode="json")

    return idempotent_json(request, db, user, key=idempotency_key, body=body, create=create)


@router.get(
    "/institutions/{institution_id}/agreement",
    name="api:joint_agreement",
    response_model=AgreementRead,
)
def read_agreement(db: DB, user: AnyUser, institution_id: int) -> AgreementRead:
    """How often individual levels matched the joint level in the institution (its leader
    and admins; anyone else 403)."""
    figures = service.agreement_for(db, user, institution_id=institution_id)
    return AgreementRead(
        joint_assessments=figures.joint_assessments,
        individual_assessments=figures.individual_assessments,
        matching_joint_level=figures.matching_joint_level,
        rate=figures.rate,
    )


@children_router.get("/children/{child_id}", name="api:children_read", response_model=ChildDetail)
def read_child(db: DB, user: StaffOrLeader, child_id: int) -> ChildDetail:
    """A child of the caller's institution (404 otherwise) with its assessments, newest
    first: the caller's own drafts, the finished single and joint ones, the caller's own
    individual ones and the other participants' once the independence rule allows (the
    caller submitted their own, or the joint assessment is finished); and its meetings,
    newest first. The reads are audited."""
    child = children_scope.get_child_for(db, user, child_id=child_id)
    # One query tells which parts of the history are empty; their queries are skipped.
    present = service.history_presence(db, child)
    rows = assessments_scope.assessments_of(db, user, child)
    if present.joints:
        rows += service.individuals_of_child(db, user, child)
        rows.sort(key=lambda a: (a.created_at, a.id or 0), reverse=True)
    found = meetings.for_child(db, user, child, purpose="barnet") if present.meetings else []
    return ChildDetail(
        **ChildRead.of(child).model_dump(),
        age_years=age_in_years(child.birth_date, local_today()),
        assessments=assessments.reads_of(
            db, rows, any_focus_points=present.focus_points, any_parents=present.parents
        ),
        meetings=[MeetingRead.of(m) for m in found],
    )
