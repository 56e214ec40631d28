"""HTML for admins: users (create, view, deactivate, reset password)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Annotated, Any

from fastapi import Depends, Form, Query, Request
from fastapi.responses import Response

from app.accounts import service
from app.accounts.models import Role, User
from app.accounts.views.forms import optional_int, org_context
from app.errors import Invalid
from app.web import htmx
from app.web.deps import DB, AdminUser
from app.web.forms import form_error_response
from app.web.routing import make_router
from app.web.templating import render

router = make_router(include_in_schema=False)


#: Users a page of the list shows.
PER_PAGE = 50
MAX_SEARCH = 100
_PLACE_RE = re.compile(r"(institution|district):([0-9]{1,18})")
_STATUSES = {"": None, "aktive": True, "deaktiverede": False}


@dataclass(frozen=True)
class UserQuery:
    """The list's filter fields as typed (empty: any)."""

    q: str = ""
    rolle: str = ""
    sted: str = ""
    status: str = ""

    def to_search(self) -> service.UserSearch:
        """The service's search; Invalid (422, Danish, by field) for a value no option of
        the form sends."""
        try:
            role = Role(self.rolle) if self.rolle else None
        except ValueError:
            raise Invalid.field("rolle", "Vælg en af rollerne på listen.") from None
        place = _PLACE_RE.fullmatch(self.sted) if self.sted else None
        if self.sted and place is None:
            raise Invalid.field("sted", "Vælg en institution eller et distrikt på listen.")
        if self.status not in _STATUSES:
            raise Invalid.field("status", "Vælg aktive, deaktiverede eller alle.")
        kind, number = place.groups() if place else ("", "")
        return service.UserSearch(
            text=self.q.strip(),
            role=role,
            institution_id=int(number) if kind == "institution" else None,
            district_id=int(number) if kind == "district" else None,
            active=_STATUSES[self.status],
        )


async def user_query(  # async: no I/O, so no trip to a worker thread
    q: Annotated[str, Query(max_length=MAX_SEARCH)] = "",
    rolle: Annotated[str, Query(max_length=20)] = "",
    sted: Annotated[str, Query(max_length=40)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
) -> UserQuery:
    """The filter from the query string."""
    return UserQuery(q=q, rolle=rolle, sted=sted, status=status)


def _list_context(db: DB, query: UserQuery, page: int = 1) -> dict[str, Any]:
    search = query.to_search()
    found = service.find_users(db, search, page=page, per_page=PER_PAGE)
    pages = max(1, -(-found.total // PER_PAGE))
    if page > pages:  # an old link past the end (users were deactivated meanwhile): the last
        page = pages
        found = service.find_users(db, search, page=page, per_page=PER_PAGE)
    return org_context(db) | {
        "users": found.users,
        "total": found.total,
        "page": page,
        "pages": pages,
        "search": asdict(query),
        "query": {k: v for k, v in asdict(query).items() if v},
    }


@router.get("/admin/users", name="accounts:users")
def users_list(
    request: Request,
    db: DB,
    admin: AdminUser,
    query: Annotated[UserQuery, Depends(user_query)],
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The users, 50 a page, searched by name and filtered by role, place and status."""
    context = _list_context(db, query, page) | {"form": {}, "errors": {}}
    return render(request, "accounts/users.html", context, fragment="accounts/_users_table.html")


@router.post("/admin/users", name="accounts:users_create")
def users_create(
    request: Request,
    db: DB,
    admin: AdminUser,
    username: Annotated[str, Form(max_length=64)] = "",
    display_name: Annotated[str, Form(max_length=150)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    institution_id: Annotated[str, Form(max_length=12)] = "",
    district_id: Annotated[str, Form(max_length=12)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    """Create a user; errors are shown beside the fields and nothing is stored."""
    try:
        user = service.create_user(
            db,
            admin,
            username=username,
            display_name=display_name,
            email=email,
            role=role,
            password=password,
            institution_id=optional_int(institution_id),
            district_id=optional_int(district_id),
        )
    except Invalid as error:
        form = {
            "username": username,
            "display_name": display_name,
            "email": email,
            "role": role,
            "institution_id": institution_id,
            "district_id": district_id,
        }
        return form_error_response(
            request,
            "accounts/users.html",
            _list_context(db, UserQuery()),
            error,
            form=form,
            fragment="accounts/_user_form.html",
        )
    return htmx.redirect(request, request.url_for("accounts:user", user_id=user.id).path)


@router.get("/admin/users/{user_id}", name="accounts:user")
def user_detail(request: Request, db: DB, admin: AdminUser, user_id: int) -> Response:
    """One user; the look-up is audited."""
    user = service.view_user(db, admin, user_id=user_id)
    return render(request, "accounts/user.html", _user_context(db, user))


def _user_context(db: DB, user: User) -> dict[str, Any]:
    institution = (
        service.get_institution(db, institution_id=user.institution_id)
        if user.institution_id
        else None
    )
    district = service.get_district(db, district_id=user.district_id) if user.district_id else None
    return {"user": user, "institution": institution, "district": district, "errors": {}}


@router.post("/admin/users/{user_id}/active", name="accounts:user_active")
def user_set_active(
    request: Request,
    db: DB,
    admin: AdminUser,
    user_id: int,
    active: Annotated[str, Form(pattern="^[01]$")],
) -> Response:
    """Deactivate (every session ends at once) or reactivate a user."""
    service.set_active(db, admin, user_id=user_id, active=active == "1")
    return htmx.redirect(request, request.url_for("accounts:user", user_id=user_id).path)


@router.post("/admin/users/{user_id}/password", name="accounts:user_password")
def user_reset_password(
    request: Request,
    db: DB,
    admin: AdminUser,
    user_id: int,
    password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    """Set a new password for a user (their sessions end)."""
    try:
        service.reset_password(db, admin, user_id=user_id, password=password)
    except Invalid as error:
        user = service.get_user(db, user_id=user_id)
        return form_error_response(request, "accounts/user.html", _user_context(db, user), error)
    return htmx.redirect(
        request, request.url_for("accounts:user", user_id=user_id).path + "?saved=password"
    )
