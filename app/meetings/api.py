"""JSON API: ``POST /api/v1/children/{id}/meetings`` (api.md "Meetings"). The child's meetings
are listed in ``GET /api/v1/children/{id}`` (``app.joint.api``, the highest domain it shows)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.meetings import service
from app.meetings.schemas import MeetingCreate, MeetingRead
from app.web.deps import DB, StaffOrLeader
from app.web.idempotency import IdempotencyKey, idempotent_json
from app.web.routing import make_router

router = make_router(prefix="/api/v1", tags=["children"])


@router.post(
    "/children/{child_id}/meetings",
    name="api:meetings_create",
    status_code=201,
    response_model=MeetingRead,
)
def create_meeting(
    request: Request,
    db: DB,
    user: StaffOrLeader,
    child_id: int,
    body: MeetingCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Record a meeting held about a child of the caller's institution (404 otherwise): at
    least one participant, ``held_on`` today or before, ``follow_up_on`` not before it. A
    retry with the same ``Idempotency-Key`` answers the first result and creates nothing."""

    def create() -> tuple[int, dict[str, Any]]:
        meeting = service.record(
            db,
            user,
            child_id=child_id,
            kind=body.kind,
            held_on=body.held_on,
            participants=[service.Participant(p.role, p.name) for p in body.participants],
            parents_took_part=body.parents_took_part,
            agreed=body.agreed,
            follow_up_on=body.follow_up_on,
            assessment_id=body.assessment_id,
        )
        return 201, MeetingRead.of(meeting).model_dump(mode="json")

    return idempotent_json(request, db, user, key=idempotency_key, body=body, create=create)
