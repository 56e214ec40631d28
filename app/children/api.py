"""JSON API: ``/api/v1/children`` (register and list the institution's children).

``GET /api/v1/children/{id}`` answers the child with its assessments, so it lives in
``app.assessments.api``, the domain above this one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import Response

from app.children import scope, service
from app.children.schemas import ChildCreate, ChildLeaving, ChildRead
from app.web.deps import DB, StaffOrLeader
from app.web.idempotency import IdempotencyKey, idempotent_json
from app.web.routing import make_router

router = make_router(prefix="/api/v1", tags=["children"])

MAX_SEARCH = 100


@router.post("/children", name="api:children_create", status_code=201, response_model=ChildRead)
def create_child(
    request: Request,
    db: DB,
    user: StaffOrLeader,
    body: ChildCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Register a child in the caller's own institution (another institution: 404). A retry
    with the same ``Idempotency-Key`` answers the first result and creates nothing."""

    def create() -> tuple[int, dict[str, Any]]:
        child = service.create(
            db,
            user,
            first_name=body.first_name,
            last_name=body.last_name,
            birth_date=body.birth_date,
            institution_id=body.institution_id,
        )
        return 201, ChildRead.of(child).model_dump(mode="json")

    return idempotent_json(request, db, user, key=idempotency_key, body=body, create=create)


@router.get("/children", name="api:children_list", response_model=list[ChildRead])
def list_children(
    db: DB, user: StaffOrLeader, q: Annotated[str, Query(max_length=MAX_SEARCH)] = ""
) -> list[ChildRead]:
    """The children of the caller's institution by name, optionally searched; audited."""
    return [ChildRead.of(child) for child in scope.visible_children(db, user, search=q)]


@router.put("/children/{child_id}/leaving", name="api:children_leaving", response_model=ChildRead)
def set_leaving(db: DB, user: StaffOrLeader, child_id: int, body: ChildLeaving) -> ChildRead:
    """The institution's leader records the day the child leaves (``left_on``), or undoes it
    (``null``). Staff ``403``; a date before the birth date or more than a year ahead ``422``."""
    return ChildRead.of(service.set_leaving(db, user, child_id=child_id, left_on=body.left_on))
