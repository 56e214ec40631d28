"""JSON API: ``/api/v1/assessments`` (one-shot finished assessments, and reading one)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.assessments import scope, service
from app.assessments.schemas import AssessmentCreate, AssessmentRead
from app.web.deps import DB, StaffOrLeader
from app.web.idempotency import IdempotencyKey, idempotent_json
from app.web.routing import make_router

router = make_router(prefix="/api/v1", tags=["assessments"])

"""Staff and leaders of an institution; the scope functions refuse everything else."""


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
    return service.state_of(db, assessment).read()
