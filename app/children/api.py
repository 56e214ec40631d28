"""JSON API: ``/api/v1/children`` (register, list and read the institution's children)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import Response

from app.assessments import scope as assessments_scope
from app.assessments import service as assessments
from app.children import scope, service
from app.children.schemas import ChildCreate, ChildDetail, ChildRead
from app.db import local_today
from app.guide.schema import age_in_years
from app.web.deps import DB, StaffOrLeader
from app.web.idempotency import IdempotencyKey, idempotent_json
from app.web.routing import make_router

router = make_router(prefix="/api/v1", tags=["children"])

"""Staff and leaders of an institution; the scope functions refuse everything else."""
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


@router.get("/children/{child_id}", name="api:children_read", response_model=ChildDetail)
def read_child(db: DB, user: StaffOrLeader, child_id: int) -> ChildDetail:
    """A child of the caller's institution (404 otherwise) with its assessments, newest
    first, drafts included; the read is audited."""
    child = scope.get_child_for(db, user, child_id=child_id)
    history = [
        assessments.state_of(db, assessment).read()
        for assessment in assessments_scope.assessments_of(db, user, child)
    ]
    return ChildDetail(
        **ChildRead.of(child).model_dump(),
        age_years=age_in_years(child.birth_date, local_today()),
        assessments=history,
    )
