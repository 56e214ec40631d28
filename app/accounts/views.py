"""HTML: login and logout, and the admin pages for users, districts and institutions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from app import messages
from app.accounts import service
from app.accounts.models import ROLE_LABELS, InstitutionKind, Role, User
from app.errors import Invalid
from app.web import htmx
from app.web.deps import (
    DB,
    AdminUser,
    AnyUser,
    CurrentAuth,
    anonymous_csrf_token,
    client_ip,
    get_settings,
    login_policy,
    public,
    session_cookie_name,
    session_expired_message,
    set_session_cookie,
)
from app.web.routing import make_router
from app.web.templating import render

router = make_router(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only local paths are followed after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


# --- Login and logout -------------------------------------------------------------------


def _login_page(
    request: Request,
    *,
    next_url: str,
    username: str = "",
    error: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    anonymous_csrf_token(request)
    notice = None
    if request.query_params.get("expired") == "1":
        notice = messages.SESSION_EXPIRED
    return render(
        request,
        "accounts/login.html",
        {
            "next_url": next_url,
            "username": username,
            "error": error,
            "notice": notice or session_expired_message(request),
        },
        status_code=status_code,
        headers=headers,
    )


@router.get("/login", name="accounts:login", dependencies=[Depends(public)])
def login_form(request: Request, auth: CurrentAuth, next: str | None = None) -> Response:
    """The login page (or straight on, when already logged in)."""
    if auth is not None:
        return htmx.redirect(request, safe_next(next))
    return _login_page(request, next_url=safe_next(next))


@router.post("/login", name="accounts:login_submit", dependencies=[Depends(public)])
def login_submit(
    request: Request,
    db: DB,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    """Check the credentials; throttled, failed and successful attempts are all audited."""
    target = safe_next(next)
    if not username.strip() or not password:
        return _login_page(
            request,
            next_url=target,
            username=username,
            status_code=422,
            error="Skriv både brugernavn og adgangskode.",
        )
    settings = get_settings(request)
    policy = login_policy(settings)
    outcome = service.attempt_login(
        db, username=username, password=password, client_ip=client_ip(request), policy=policy
    )
    if outcome.throttled:
        error = service.throttled_error(outcome.retry_after_seconds or 1)
        return _login_page(
            request,
            next_url=target,
            username=username,
            error=error.message,
            status_code=429,
            headers=error.headers,
        )
    if outcome.user is None:
        return _login_page(
            request,
            next_url=target,
            username=username,
            status_code=401,
            error=messages.LOGIN_FAILED,
        )
    token, _row = service.start_session(
        db,
        outcome.user,
        client_ip=client_ip(request),
        user_agent=request.headers.get("user-agent", ""),
        policy=policy,
    )
    response = htmx.redirect(request, target)
    set_session_cookie(request, response, token)
    return response


@router.post("/logout", name="accounts:logout")
def logout(request: Request, db: DB, auth: CurrentAuth, user: AnyUser) -> Response:
    """End the session server side and clear the cookie."""
    assert auth is not None  # noqa: S101 - require_user has refused anonymous calls
    service.end_session(db, user, auth.session)
    response = htmx.redirect(request, request.url_for("accounts:login").path)
    response.delete_cookie(session_cookie_name(get_settings(request)), path="/")
    return response


# --- Own account ------------------------------------------------------------------------


@router.get("/account/password", name="accounts:password")
def password_form(request: Request, user: AnyUser, changed: str = "") -> Response:
    """The form where every user changes their own password."""
    message = messages.PASSWORD_CHANGED if changed == "1" else ""
    return render(request, "accounts/password.html", {"errors": {}, "changed": message})


@router.post("/account/password", name="accounts:password_submit")
def password_submit(
    request: Request,
    db: DB,
    auth: CurrentAuth,
    user: AnyUser,
    current_password: Annotated[str, Form(max_length=256)] = "",
    new_password: Annotated[str, Form(max_length=256)] = "",
    repeat_password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    """Change the user's own password; their other sessions end, this one stays."""
    assert auth is not None  # noqa: S101 - require_user has refused anonymous calls
    try:
        service.change_own_password(
            db,
            user,
            current=current_password,
            new=new_password,
            repeat=repeat_password,
            keep=auth.session,
            client_ip=client_ip(request),
            policy=login_policy(get_settings(request)),
        )
    except Invalid as error:
        context = {"errors": error.field_messages(), "changed": ""}
        return render(request, "accounts/password.html", context, status_code=422)
    return htmx.redirect(request, request.url_for("accounts:password").path + "?changed=1")


# --- Admin: users -----------------------------------------------------------------------


def _org_context(db: DB) -> dict[str, Any]:
    districts = service.list_districts(db)
    return {
        "districts": districts,
        "district_options": [(district.id, district.name) for district in districts],
        "institutions": service.list_institutions(db),
        "roles": [(role.value, ROLE_LABELS[role]) for role in Role],
        "kinds": [(kind.value, kind.label) for kind in InstitutionKind],
        "rename_errors": {},
    }


@router.get("/admin/users", name="accounts:users")
def users_list(request: Request, db: DB, admin: AdminUser) -> Response:
    """All users, with their role and where they belong."""
    context = _org_context(db)
    context.update({"users": service.list_users(db), "form": {}, "errors": {}})
    return render(request, "accounts/users.html", context)


def _optional_int(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() else None


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
            institution_id=_optional_int(institution_id),
            district_id=_optional_int(district_id),
        )
    except Invalid as error:
        context = _org_context(db)
        context.update(
            {
                "users": service.list_users(db),
                "form": {
                    "username": username,
                    "display_name": display_name,
                    "email": email,
                    "role": role,
                    "institution_id": institution_id,
                    "district_id": district_id,
                },
                "errors": error.field_messages(),
            }
        )
        return render(
            request,
            "accounts/users.html",
            context,
            status_code=422,
            fragment="accounts/_user_form.html",
        )
    return htmx.redirect(request, request.url_for("accounts:user", user_id=user.id).path)


@router.get("/admin/users/{user_id}", name="accounts:user")
def user_detail(request: Request, db: DB, admin: AdminUser, user_id: int) -> Response:
    """One user; the look-up is audited."""
    user = service.view_user(db, admin, user_id=user_id)
    return render(request, "accounts/user.html", _user_context(db, user, {}))


def _user_context(db: DB, user: User, errors: dict[str, str]) -> dict[str, Any]:
    institution = (
        service.get_institution(db, institution_id=user.institution_id)
        if user.institution_id
        else None
    )
    district = service.get_district(db, district_id=user.district_id) if user.district_id else None
    return {"user": user, "institution": institution, "district": district, "errors": errors}


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
        return render(
            request,
            "accounts/user.html",
            _user_context(db, user, error.field_messages()),
            status_code=422,
        )
    return htmx.redirect(
        request, request.url_for("accounts:user", user_id=user_id).path + "?saved=password"
    )


# --- Admin: districts and institutions --------------------------------------------------


@router.get("/admin/organisation", name="accounts:organisation")
def organisation(request: Request, db: DB, admin: AdminUser) -> Response:
    """Districts and institutions."""
    context = _org_context(db)
    context.update({"form": {}, "errors": {}, "district_form": {}, "district_errors": {}})
    return render(request, "accounts/organisation.html", context)


@router.post("/admin/districts", name="accounts:district_create")
def district_create(
    request: Request,
    db: DB,
    admin: AdminUser,
    name: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Create a district."""
    try:
        service.create_district(db, admin, name=name)
    except Invalid as error:
        context = _org_context(db)
        context.update(
            {
                "form": {},
                "errors": {},
                "district_form": {"name": name},
                "district_errors": error.field_messages(),
            }
        )
        return render(request, "accounts/organisation.html", context, status_code=422)
    return htmx.redirect(request, request.url_for("accounts:organisation").path)


@router.post("/admin/districts/{district_id}", name="accounts:district_update")
def district_update(
    request: Request,
    db: DB,
    admin: AdminUser,
    district_id: int,
    name: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Rename a district."""
    try:
        service.rename_district(db, admin, district_id=district_id, name=name)
    except Invalid as error:
        context = _org_context(db)
        context.update(
            {
                "form": {},
                "errors": {},
                "district_form": {},
                "district_errors": {},
                "rename_errors": {district_id: error.field_messages().get("name", "")},
            }
        )
        return render(request, "accounts/organisation.html", context, status_code=422)
    return htmx.redirect(request, request.url_for("accounts:organisation").path)


@router.post("/admin/institutions", name="accounts:institution_create")
def institution_create(
    request: Request,
    db: DB,
    admin: AdminUser,
    name: Annotated[str, Form(max_length=150)] = "",
    kind: Annotated[str, Form(max_length=20)] = "",
    district_id: Annotated[str, Form(max_length=12)] = "",
    address: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Create a daycare or school."""
    try:
        service.create_institution(
            db,
            admin,
            name=name,
            kind=kind,
            district_id=_optional_int(district_id) or 0,
            address=address,
        )
    except Invalid as error:
        context = _org_context(db)
        context.update(
            {
                "form": {
                    "name": name,
                    "kind": kind,
                    "district_id": district_id,
                    "address": address,
                },
                "errors": error.field_messages(),
                "district_form": {},
                "district_errors": {},
            }
        )
        return render(request, "accounts/organisation.html", context, status_code=422)
    return htmx.redirect(request, request.url_for("accounts:organisation").path)


@router.get("/admin/institutions/{institution_id}", name="accounts:institution")
def institution_edit(request: Request, db: DB, admin: AdminUser, institution_id: int) -> Response:
    """Edit one institution."""
    institution = service.get_institution(db, institution_id=institution_id)
    context = _org_context(db)
    context.update({"institution": institution, "errors": {}})
    return render(request, "accounts/institution.html", context)


@router.post("/admin/institutions/{institution_id}", name="accounts:institution_update")
def institution_update(
    request: Request,
    db: DB,
    admin: AdminUser,
    institution_id: int,
    name: Annotated[str, Form(max_length=150)] = "",
    kind: Annotated[str, Form(max_length=20)] = "",
    district_id: Annotated[str, Form(max_length=12)] = "",
    address: Annotated[str, Form(max_length=300)] = "",
    is_active: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    """Save an institution (name, kind, district, address, active)."""
    try:
        service.update_institution(
            db,
            admin,
            institution_id=institution_id,
            name=name,
            kind=kind,
            district_id=_optional_int(district_id) or 0,
            address=address,
            is_active=is_active == "1",
        )
    except Invalid as error:
        institution = service.get_institution(db, institution_id=institution_id)
        context = _org_context(db)
        context.update({"institution": institution, "errors": error.field_messages()})
        return render(request, "accounts/institution.html", context, status_code=422)
    return htmx.redirect(request, request.url_for("accounts:organisation").path)
