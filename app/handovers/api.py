"""JSON API: ``/api/v1/children/{id}/handovers`` and ``/api/v1/handovers`` (api.md
"Handover"; the additions in docs/api-extensions.md)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from app.errors import Invalid
from app.handovers import service
from app.handovers.schemas import (
    ConsentRead,
    HandoverChildRead,
    HandoverCreate,
    HandoverDetailRead,
    HandoverMeetingRead,
    HandoverRead,
    SummaryFocusPointRead,
    SummaryRead,
)
from app.web.deps import DB, AnyUser, StaffOrLeader
from app.web.idempotency import IdempotencyKey, idempotent_json
from app.web.routing import make_router

router = make_router(prefix="/api/v1", tags=["handovers"])


def _detail(view: service.HandoverView) -> HandoverDetailRead:
    h = view.handover
    summary = view.summary
    return HandoverDetailRead(
        **HandoverRead.of(h, view.names).model_dump(),
        child=HandoverChildRead(
            first_name=view.child.first_name,
            last_name=view.child.last_name,
            birth_date=view.child.birth_date,
        ),
        consent=ConsentRead(
            given_by=h.consent_given_by,
            given_on=h.consent_given_on,
            covers=h.consent_covers,
            includes_meetings=h.consent_includes_meetings,
        ),
        meetings=[
            HandoverMeetingRead(
                kind=m.kind,
                held_on=m.held_on,
                participant_roles=[p["role"] for p in m.participants],
                parents_took_part=m.parents_took_part,
                agreed=m.agreed,
                follow_up_on=m.follow_up_on,
            )
            for m in view.meetings
        ],
        summary=None
        if summary is None
        else SummaryRead(
            level=summary.level,
            level_key=summary.level_key,
            assessed_on=summary.assessed_on,
            focus_points=[
                SummaryFocusPointRead(text=p.text, who=p.who, due_on=p.due_on, done_at=p.done_at)
                for p in summary.focus_points
            ],
        ),
    )


@router.post(
    "/children/{child_id}/handovers",
    name="api:handover_create",
    status_code=201,
    response_model=HandoverRead,
)
def create_handover(
    request: Request,
    db: DB,
    user: StaffOrLeader,
    child_id: int,
    body: HandoverCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Send a handover of the child to a school with the parents' consent (staff and
    leaders of the child's institution). 422 without a consent's ``given_by``, and when the
    child's latest finished assessment is critical (code ``abuse_rule``: nothing is asked
    of the parents, the notification is the way); 409 while another is open."""

    def create() -> tuple[int, dict[str, Any]]:
        handover = service.send(
            db,
            user,
            child_id=child_id,
            to_institution_id=body.to_institution_id,
            given_by=body.consent.given_by,
            given_on=body.consent.given_on,
            covers=body.consent.covers,
            includes_meetings=body.consent.includes_meetings,
        )
        return 201, HandoverRead.of(handover, service.names_of(db)).model_dump(mode="json")

    try:
        return idempotent_json(request, db, user, key=idempotency_key, body=body, create=create)
    except Invalid as error:
        if error.code != service.ABUSE_RULE:
            raise
        # Answered, not raised: the refusal's audit row commits with the request.
        return JSONResponse(error.to_json(), status_code=error.status)


@router.get("/handovers", name="api:handover_list", response_model=list[HandoverRead])
def list_handovers(db: DB, user: StaffOrLeader) -> list[HandoverRead]:
    """The handovers to and from the caller's institution, newest first."""
    names = service.names_of(db)
    return [HandoverRead.of(row.handover, names) for row in service.list_for(db, user)]


@router.get("/handovers/{handover_id}", name="api:handover_read", response_model=HandoverDetailRead)
def read_handover(db: DB, user: AnyUser, handover_id: int) -> HandoverDetailRead:
    """The handover with the child, the consent and the summary of the sender's latest
    finished assessment (both institutions; anyone else 404)."""
    return _detail(service.get(db, user, handover_id=handover_id))


@router.post(
    "/handovers/{handover_id}/accept", name="api:handover_accept", response_model=HandoverRead
)
def accept_handover(db: DB, user: StaffOrLeader, handover_id: int) -> HandoverRead:
    """The receiving school accepts: the child then belongs to it (409 the second time)."""
    handover = service.accept(db, user, handover_id=handover_id)
    return HandoverRead.of(handover, service.names_of(db))


@router.post(
    "/handovers/{handover_id}/withdraw", name="api:handover_withdraw", response_model=HandoverRead
)
def withdraw_handover(db: DB, user: StaffOrLeader, handover_id: int) -> HandoverRead:
    """The sending institution withdraws a handover the school has not accepted."""
    handover = service.withdraw(db, user, handover_id=handover_id)
    return HandoverRead.of(handover, service.names_of(db))
