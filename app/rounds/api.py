"""JSON API: ``/api/v1/groups`` and ``/api/v1/rounds`` (api.md, "Groups and well-being
rounds"). Leaders keep groups and start rounds; staff read rounds; every count of the overview
follows the "<5" rule."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response

from app.accounts.models import Role, User
from app.db import id_of
from app.rounds import service
from app.rounds.schemas import (
    BandLevelsRead,
    GroupChildren,
    GroupCreate,
    GroupLevelsRead,
    GroupProgressRead,
    GroupRead,
    GroupStaffUpdate,
    GroupUpdate,
    MovementRead,
    OverviewRead,
    RoundCreate,
    RoundProgressRead,
    RoundRead,
)
from app.web.deps import DB, StaffOrLeader, require_role
from app.web.idempotency import IdempotencyKey, idempotent_json
from app.web.routing import make_router

router = make_router(prefix="/api/v1", tags=["rounds"])

# Staff pass the role check and are refused by the service (403), so the refusal is the same
# sentence in the pages and the API.
Leader = Annotated[User, Depends(require_role(Role.STAFF, Role.LEADER))]


def group_read(view: service.GroupView) -> GroupRead:
    """A group as the API shows it."""
    return GroupRead(
        id=view.id,
        name=view.name,
        institution_id=view.group.institution_id,
        child_ids=view.child_ids,
        staff_ids=view.staff_ids,
    )


def round_read(view: service.RoundView) -> RoundRead:
    """A round as the API shows it."""
    r = view.round
    return RoundRead(
        id=view.id,
        title=r.title,
        starts_on=r.starts_on,
        ends_on=r.ends_on,
        group_ids=view.group_ids,
    )


def progress_read(view: service.RoundProgress) -> RoundProgressRead:
    """A round with its progress per group."""
    r = view.round
    return RoundProgressRead(
        id=id_of(r),
        title=r.title,
        starts_on=r.starts_on,
        ends_on=r.ends_on,
        group_ids=view.group_ids,
        progress=[
            GroupProgressRead(
                group_id=g.group_id,
                name=g.name,
                children=g.children,
                assessed=g.assessed,
                missing=[c.id for c in g.missing],
                levels=g.levels,
            )
            for g in view.groups
        ],
    )


def overview_read(view: service.Overview) -> OverviewRead:
    """A round's overview, counts only."""
    return OverviewRead(
        round_id=id_of(view.round),
        previous_round_id=id_of(view.previous_round) if view.previous_round else None,
        children=view.children,
        assessed=view.assessed,
        levels=view.levels,
        previous_levels=view.previous_levels,
        by_group=[
            GroupLevelsRead(group_id=g.group_id, name=g.name, levels=g.levels, previous=g.previous)
            for g in view.by_group
        ],
        by_age_band=[
            BandLevelsRead(
                min_age_years=b.band.min_years,
                max_age_years=b.band.max_years,
                levels=b.levels,
                previous=b.previous,
            )
            for b in view.by_band
        ],
        movement=MovementRead.model_validate(view.movement) if view.movement else None,
    )


@router.get("/groups", name="api:groups_list", response_model=list[GroupRead])
def list_groups(db: DB, user: StaffOrLeader) -> list[GroupRead]:
    """The groups of the caller's institution, by name."""
    return [group_read(g) for g in service.list_groups(db, user)]


@router.post("/groups", name="api:groups_create", status_code=201, response_model=GroupRead)
def create_group(
    request: Request,
    db: DB,
    user: Leader,
    body: GroupCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """A new, empty group (leaders; staff 403). A retry with the same ``Idempotency-Key``
    answers the first result."""

    def create() -> tuple[int, dict[str, Any]]:
        view = service.create_group(db, user, name=body.name)
        return 201, group_read(view).model_dump(mode="json")

    return idempotent_json(request, db, user, key=idempotency_key, body=body, create=create)


@router.get("/groups/{group_id}", name="api:groups_read", response_model=GroupRead)
def read_group(db: DB, user: StaffOrLeader, group_id: int) -> GroupRead:
    """One group of the caller's institution (404 otherwise)."""
    return group_read(service.get_group(db, user, group_id=group_id))


@router.patch("/groups/{group_id}", name="api:groups_rename", response_model=GroupRead)
def rename_group(db: DB, user: Leader, group_id: int, body: GroupUpdate) -> GroupRead:
    """Rename a group (leaders)."""
    return group_read(service.rename_group(db, user, group_id=group_id, name=body.name))


@router.delete("/groups/{group_id}", name="api:groups_delete", status_code=204)
def delete_group(db: DB, user: Leader, group_id: int) -> Response:
    """Delete a group no round covers (leaders; 409 when a round covers it)."""
    service.delete_group(db, user, group_id=group_id)
    return Response(status_code=204)


@router.put("/groups/{group_id}/children", name="api:groups_children", response_model=GroupRead)
def set_children(db: DB, user: Leader, group_id: int, body: GroupChildren) -> GroupRead:
    """The group's children, exactly (a child of another institution: 422)."""
    return group_read(service.set_children(db, user, group_id=group_id, child_ids=body.child_ids))


@router.put("/groups/{group_id}/staff", name="api:groups_staff", response_model=GroupRead)
def set_staff(db: DB, user: Leader, group_id: int, body: GroupStaffUpdate) -> GroupRead:
    """The group's staff members, exactly (someone outside the institution: 422)."""
    return group_read(service.set_staff(db, user, group_id=group_id, user_ids=body.user_ids))


@router.get("/rounds", name="api:rounds_list", response_model=list[RoundRead])
def list_rounds(db: DB, user: StaffOrLeader) -> list[RoundRead]:
    """The rounds of the caller's institution, newest first."""
    return [round_read(r) for r in service.list_rounds(db, user)]


@router.post("/rounds", name="api:rounds_create", status_code=201, response_model=RoundRead)
def create_round(
    request: Request,
    db: DB,
    user: Leader,
    body: RoundCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Start a round (leaders; ``ends_on`` before ``starts_on`` or another institution's
    group: 422)."""

    def create() -> tuple[int, dict[str, Any]]:
        view = service.create_round(
            db,
            user,
            title=body.title,
            starts_on=body.starts_on,
            ends_on=body.ends_on,
            group_ids=body.group_ids,
        )
        return 201, round_read(view).model_dump(mode="json")

    return idempotent_json(request, db, user, key=idempotency_key, body=body, create=create)


@router.get("/rounds/{round_id}", name="api:rounds_read", response_model=RoundProgressRead)
def read_round(db: DB, user: StaffOrLeader, round_id: int) -> RoundProgressRead:
    """The round with its progress per group (staff and leaders of the institution)."""
    return progress_read(service.progress(db, user, round_id=round_id))


@router.get("/rounds/{round_id}/overview", name="api:rounds_overview", response_model=OverviewRead)
def round_overview(db: DB, user: Leader, round_id: int) -> OverviewRead:
    """Levels in all and by group and age band, beside the previous round, and the movement
    of the children at level 2 or higher then; every count from 1 to 4 is ``"<5"``."""
    return overview_read(service.overview(db, user, round_id=round_id))
