"""HTML: the leader's groups, starting a round, a round's progress, the leader's overview and
the admins' figures across institutions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Form, Query, Request
from fastapi.responses import Response

from app.accounts.models import Role, User
from app.catalogs import service as catalogs
from app.db import local_today
from app.errors import Invalid, NotFound
from app.joint import service as joint
from app.rounds import service
from app.web import htmx
from app.web.deps import DB, AdminUser, StaffOrLeader, require_role
from app.web.forms import form_date, form_error_response
from app.web.routing import make_router
from app.web.templating import render

router = make_router(include_in_schema=False)

# Staff pass the role check and the service refuses them (403) with its own sentence.
Leader = Annotated[User, Depends(require_role(Role.STAFF, Role.LEADER))]


def _ids(values: list[str]) -> list[int]:
    """Checkbox values as ids; anything that is not a whole number is left out."""
    return [int(v) for v in values if v.isdigit()]


# --- Groups ----------------------------------------------------------------------------------


def _groups_context(db: DB, user: User) -> dict[str, Any]:
    return {"groups": service.list_groups(db, user), "form": {}, "errors": {}}


@router.get("/groups", name="rounds:groups")
def groups(request: Request, db: DB, user: Leader) -> Response:
    """The leader's groups, with a form for a new one."""
    service.ensure_leader(user)
    return render(request, "rounds/groups.html", _groups_context(db, user))


@router.post("/groups", name="rounds:groups_create")
def groups_create(
    request: Request, db: DB, user: Leader, name: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    """Create a group; the error is shown beside the field and nothing is stored."""
    try:
        view = service.create_group(db, user, name=name)
    except Invalid as error:
        return form_error_response(
            request,
            "rounds/groups.html",
            _groups_context(db, user),
            error,
            form={"name": name},
            fragment="rounds/_group_form.html",
        )
    return htmx.redirect(request, request.url_for("rounds:group", group_id=view.id).path)


def _group_context(db: DB, user: User, group_id: int) -> dict[str, Any]:
    view = service.get_group(db, user, group_id=group_id)
    return {
        "group": view,
        "children": service.group_candidates(db, user),
        "staff": service.institution_staff(db, user),
        "form": {"name": view.name},
        "errors": {},
        "saved": False,
    }


@router.get("/groups/{group_id}", name="rounds:group")
def group(request: Request, db: DB, user: Leader, group_id: int) -> Response:
    """One group: its name, children and staff, for the leader to change."""
    service.ensure_leader(user)
    return render(request, "rounds/group.html", _group_context(db, user, group_id))


@router.post("/groups/{group_id}", name="rounds:group_rename")
def group_rename(
    request: Request,
    db: DB,
    user: Leader,
    group_id: int,
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Rename a group."""
    try:
        service.rename_group(db, user, group_id=group_id, name=name)
    except Invalid as error:
        return form_error_response(
            request,
            "rounds/group.html",
            _group_context(db, user, group_id),
            error,
            form={"name": name},
        )
    return htmx.redirect(request, request.url_for("rounds:group", group_id=group_id).path)


@router.post("/groups/{group_id}/members", name="rounds:group_members")
def group_members(
    request: Request,
    db: DB,
    user: Leader,
    group_id: int,
    child_ids: Annotated[list[str] | None, Form(max_length=20)] = None,
    user_ids: Annotated[list[str] | None, Form(max_length=20)] = None,
) -> Response:
    """The group's children and staff, as ticked."""
    service.set_children(db, user, group_id=group_id, child_ids=_ids(child_ids or []))
    service.set_staff(db, user, group_id=group_id, user_ids=_ids(user_ids or []))
    context = _group_context(db, user, group_id)
    context["saved"] = True
    return render(request, "rounds/group.html", context, fragment="rounds/_members.html")


@router.post("/groups/{group_id}/delete", name="rounds:group_delete")
def group_delete(request: Request, db: DB, user: Leader, group_id: int) -> Response:
    """Delete a group (refused while a round covers it)."""
    service.delete_group(db, user, group_id=group_id)
    return htmx.redirect(request, request.url_for("rounds:groups").path)


# --- Rounds ----------------------------------------------------------------------------------


def _rounds_context(db: DB, user: User) -> dict[str, Any]:
    is_leader = user.role_enum is Role.LEADER
    return {
        "rounds": service.list_rounds(db, user),
        "groups": service.list_groups(db, user) if is_leader else [],
        "is_leader": is_leader,
        "today": local_today(),
        "form": {},
        "errors": {},
    }


@router.get("/rounds", name="rounds:list")
def rounds_list(request: Request, db: DB, user: StaffOrLeader) -> Response:
    """The institution's rounds; the leader starts a new one here."""
    return render(request, "rounds/list.html", _rounds_context(db, user))


@router.post("/rounds", name="rounds:create")
def rounds_create(
    request: Request,
    db: DB,
    user: Leader,
    title: Annotated[str, Form(max_length=300)] = "",
    starts_on: Annotated[str, Form(max_length=20)] = "",
    ends_on: Annotated[str, Form(max_length=20)] = "",
    group_ids: Annotated[list[str] | None, Form(max_length=20)] = None,
) -> Response:
    """Start a round; errors beside the fields, nothing stored."""
    ticked = _ids(group_ids or [])
    try:
        view = service.create_round(
            db,
            user,
            title=title,
            starts_on=form_date(starts_on, "starts_on", required=True),
            ends_on=form_date(ends_on, "ends_on", required=True),
            group_ids=ticked,
        )
    except Invalid as error:
        form = {"title": title, "starts_on": starts_on, "ends_on": ends_on}
        context = _rounds_context(db, user)
        context["ticked"] = ticked
        return form_error_response(
            request,
            "rounds/list.html",
            context,
            error,
            form=form,
            fragment="rounds/_round_form.html",
        )
    return htmx.redirect(request, request.url_for("rounds:detail", round_id=view.id).path)


GROUPS_SHOWN = 20
"""Groups a page of the round page shows (the round's totals are always of all of them)."""
MISSING_SHOWN = 5
"""Missing children named per group on the round page; "og N flere" links to the group's
own list (``?gruppe=<id>``). At 200 groups the page named 2,500 children (0.5 MB)."""


@router.get("/rounds/{round_id}", name="rounds:detail")
def round_detail(
    request: Request,
    db: DB,
    user: StaffOrLeader,
    round_id: int,
    gruppe: Annotated[int | None, Query(ge=1)] = None,
    side: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """A round's progress per group: assessed, the first missing ones by name, the level
    distribution, ``GROUPS_SHOWN`` groups a page (``?side=``); with ``?gruppe=<id>`` that
    group alone, every missing child named."""
    progress = service.progress(db, user, round_id=round_id)
    groups = progress.groups
    if gruppe is not None:
        groups = [g for g in progress.groups if g.group_id == gruppe]
        if not groups:
            raise NotFound("Gruppen er ikke med i runden.")
    pages = max(1, -(-len(groups) // GROUPS_SHOWN))
    page = min(side, pages)
    shown = groups[(page - 1) * GROUPS_SHOWN : page * GROUPS_SHOWN]
    context = {
        "progress": progress,
        "groups": shown,
        "page": page,
        "pages": pages,
        "only_group": gruppe is not None,
        "missing_shown": MISSING_SHOWN,
        "levels": catalogs.levels(),
        "is_leader": user.role_enum is Role.LEADER,
        # The child's page, as a prefix: one url_for per page, not one per missing child.
        "child_path": request.scope.get("root_path", "")
        + request.app.url_path_for("children:detail", child_id=0)[:-1],
    }
    return render(request, "rounds/detail.html", context, fragment="rounds/_progress.html")


@router.get("/rounds/{round_id}/overview", name="rounds:overview")
def round_overview(request: Request, db: DB, user: Leader, round_id: int) -> Response:
    """The leader's overview: levels by group and age band beside the previous round, and
    whether what we do works; "<5" for every count from 1 to 4."""
    overview = service.overview(db, user, round_id=round_id)
    context = {
        "overview": overview,
        "levels": catalogs.levels(),
        # Do the staff read the guide the same way? The joint assessments finished in the
        # round's period (counts of assessments, not of children).
        "agreement": joint.agreement(
            db,
            overview.round.institution_id,
            between=(overview.round.starts_on, overview.round.ends_on),
        ),
    }
    return render(request, "rounds/overview.html", context)


@router.get("/municipality/rounds", name="rounds:municipality")
def municipality(request: Request, db: DB, user: AdminUser) -> Response:
    """Admins: each institution's latest round in counts, per district and in all; no names."""
    context = {"figures": service.municipality(db, user), "levels": catalogs.levels()}
    return render(request, "rounds/municipality.html", context)
