"""HTML: the institution's children, registering a child, and a child's access log.

The child's page (``GET /children/{id}``) shows the assessments over time, so it lives in
``app.assessments.views``, the domain above this one."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Depends, Form, Query, Request
from fastapi.responses import Response

from app.accounts.models import Role, User
from app.children import scope, service
from app.db import local_today
from app.errors import Invalid
from app.web import htmx
from app.web.csv_export import csv_response
from app.web.deps import DB, StaffOrLeader, require_role
from app.web.forms import form_error_response
from app.web.routing import make_router
from app.web.templating import danish_date, local_time, path_for, render

router = make_router(include_in_schema=False)

"""Staff and leaders of an institution; the scope functions refuse everything else."""
Leader = Annotated[User, Depends(require_role(Role.LEADER))]
"""The institution's leader: answers the parents' requests of access."""


MAX_SEARCH = 100


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


def _list_context(
    request: Request, db: DB, user: User, q: str, *, left: bool = False
) -> dict[str, Any]:
    today = local_today()
    left = left and user.role_enum is Role.LEADER
    children = scope.visible_child_rows(db, user, search=q, left=left)
    # What each row shows, as text: a link, a filter and a helper per row in the template
    # were a third of the page of 100 children (docs/performance.md, issue 14).
    rows = [
        (
            child.id,
            path_for(request, "children:detail", child_id=child.id),
            child.first_name,
            child.last_name,
            danish_date(child.birth_date),
            service.age_text(child.birth_date, today),
        )
        for child in children
    ]
    return {
        "q": q,
        "left": left,
        "rows": rows,
        "form": {},
        "errors": {},
        "today": today,
    }


@router.get("/children", name="children:list")
def children_list(
    request: Request,
    db: DB,
    user: StaffOrLeader,
    q: Annotated[str, Query(max_length=MAX_SEARCH)] = "",
    udmeldte: bool = False,
) -> Response:
    """The children of the user's institution, optionally searched by name; for the leader
    with ``?udmeldte=true`` the children who have left instead."""
    return render(
        request,
        "children/list.html",
        _list_context(request, db, user, q.strip(), left=udmeldte),
        fragment="children/_results.html",
    )


@router.post("/children", name="children:create")
def children_create(
    request: Request,
    db: DB,
    user: StaffOrLeader,
    first_name: Annotated[str, Form(max_length=200)] = "",
    last_name: Annotated[str, Form(max_length=200)] = "",
    birth_date: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Register a child; errors are shown beside the fields and nothing is stored."""
    try:
        child = service.create(
            db,
            user,
            first_name=first_name,
            last_name=last_name,
            birth_date=_parse_date(birth_date),
        )
    except Invalid as error:
        form = {"first_name": first_name, "last_name": last_name, "birth_date": birth_date}
        return form_error_response(
            request,
            "children/list.html",
            _list_context(request, db, user, ""),
            error,
            form=form,
            fragment="children/_child_form.html",
        )
    return htmx.redirect(request, request.url_for("children:detail", child_id=child.id).path)


# --- Leaving the institution (udmeldelse) ------------------------------------------------


def _leaving_page(
    request: Request, db: DB, child: Any, *, form: dict[str, str] | None = None
) -> Response:
    settings = request.app.state.settings
    context = {
        "child": child,
        "form": form or {},
        "errors": {},
        "child_years": settings.retention_child_years,
    }
    return render(request, "children/leaving.html", context)


@router.get("/children/{child_id}/leaving", name="children:leaving_form")
def leaving_form(request: Request, db: DB, user: Leader, child_id: int) -> Response:
    """The leader's page to register the day the child leaves, or to undo it."""
    child = scope.get_child_for(db, user, child_id=child_id, purpose="udmeldelse")
    return _leaving_page(request, db, child)


@router.post("/children/{child_id}/leaving", name="children:leaving")
def leaving(
    request: Request,
    db: DB,
    user: Leader,
    child_id: int,
    left_on: Annotated[str, Form(max_length=20)] = "",
    undo: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    """Register (or undo) the child's leaving; errors beside the field, nothing stored."""
    day = None if undo else _parse_date(left_on)
    try:
        if not undo and day is None:
            raise Invalid.field("left_on", "Skriv datoen, barnet er udmeldt fra.")
        service.set_leaving(db, user, child_id=child_id, left_on=day)
    except Invalid as error:
        db.rollback()
        child = scope.get_child_for(db, user, child_id=child_id, purpose="udmeldelse")
        return form_error_response(
            request,
            "children/leaving.html",
            {"child": child, "child_years": request.app.state.settings.retention_child_years},
            error,
            form={"left_on": left_on},
        )
    return htmx.redirect(request, request.url_for("children:leaving_form", child_id=child_id).path)


# --- The child's access log, for a request of access (indsigt i logning) -----------------


@router.get("/children/{child_id}/access-log", name="children:access_log")
def access_log(request: Request, db: DB, user: Leader, child_id: int) -> Response:
    """Every look-up and change about the child: when, what, why and by which role (not by
    whom), for the parents' request of access. Printable; reading it is audited too."""
    child, rows = service.access_log(db, user, child_id=child_id)
    return render(request, "children/access_log.html", {"child": child, "rows": rows})


@router.get("/children/{child_id}/access-log.csv", name="children:access_log_csv")
def access_log_csv(db: DB, user: Leader, child_id: int) -> Response:
    """The same access log as CSV."""
    child, rows = service.access_log(db, user, child_id=child_id)
    return csv_response(
        ["tidspunkt", "handling", "formål", "rolle"],
        (
            (local_time(row.at, "%d.%m.%Y %H:%M:%S"), row.what, row.purpose, row.role)
            for row in rows
        ),
        f"adgangslog-barn-{child.id}.csv",
    )
