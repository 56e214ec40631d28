"""JSON API: ``/api/v1/assessments`` (one-shot finished assessments, and reading one). The child
with its assessments, ``GET /api/v1/children/{id}``, is in ``app.joint.api``: it lists the
individual assessments the independence rule lets the caller see, and the meetings."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.assessments import scope, service
from app.assessments.schemas import AssessmentCreate, AssessmentRead, FocusPointRead
from app.web.deps import DB, StaffOrLeader
from app.web.idempotency import IdempotencyKey, idempotent_json
from app.web.routing import make_router

router = make_router(prefix="/api/v1", tags=["assessments"])


@router.post(
    "/assessments", name="api:assessments_create", status_code=201, response_model=AssessmentRead
)
def create_assessment(
    request: Request,
    db: DB,
    user: StaffOrLeader,
    body: AssessmentCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Store a finished assessment of a child in the caller's institution. A retry with the
    same ``Idempotency-Key`` answers the first result and creates nothing."""

    def create() -> tuple[int, dict[str, Any]]:
        override = body.level_override
        state = service.create_finished(
            db,
            user,
            child_id=body.child_id,
            observed=body.observed,
            catalog_id=body.catalog_id,
            notes=body.notes or "",
            resources=body.resources or "",
            level=override.level if override else None,
            reason=override.reason if override else "",
            focus_points=service.focus_point_inputs(body.focus_points),
            parents=service.parents_input(body.parents),
        )
        return 201, state.read().model_dump(mode="json")

    return idempotent_json(request, db, user, key=idempotency_key, body=body, create=create)


@router.get(
    "/assessments/{assessment_id}", name="api:assessments_read", response_model=AssessmentRead
)
def read_assessment(db: DB, user: StaffOrLeader, assessment_id: int) -> AssessmentRead:
    """One assessment of a child in the caller's institution (404 otherwise), with the
    catalog version and indicator texts it was made with; the read is audited."""
    assessment = scope.get_assessment_for(db, user, assessment_id=assessment_id)
    return service.read_of(db, assessment)


@router.post(
    "/focus-points/{focus_point_id}/done",
    name="api:focus_points_done",
    response_model=FocusPointRead,
)
def focus_point_done(db: DB, user: StaffOrLeader, focus_point_id: int) -> FocusPointRead:
    """Mark a focus point of the caller's institution as done (404 otherwise); marking it
    again answers it unchanged (docs/api-extensions.md)."""
    return FocusPointRead.of(service.mark_focus_point_done(db, user, focus_point_id=focus_point_id))
