"""JSON API: ``/api/v1/session`` (log in, who am I, log out) and the admins' organisation
(``/api/v1/admin/organisation``: the external ids the identity provider's claims match)."""

from __future__ import annotations

from fastapi import Depends, Request, Response
from fastapi.responses import JSONResponse

from app import messages
from app.accounts import service
from app.accounts.oidc import end_session_url
from app.accounts.schemas import (
    DistrictRead,
    ExternalIdUpdate,
    InstitutionRead,
    LoginRequest,
    OrganisationRead,
    SessionRead,
    UserRead,
)
from app.errors import Forbidden, NotAuthenticated
from app.web.deps import (
    DB,
    AdminUser,
    AnyUser,
    CurrentAuth,
    client_ip,
    csrf_exempt,
    get_settings,
    login_policy,
    public,
    session_cookie_name,
    set_session_cookie,
)
from app.web.errors import error_response
from app.web.routing import make_router

router = make_router(prefix="/api/v1", tags=["session"])

_ERRORS = {
    401: {"description": "Forkert brugernavn eller adgangskode"},
    403: {"description": "Login med adgangskode er slået fra"},
    429: {"description": "For mange forsøg; se Retry-After"},
}


@router.post(
    "/session",
    name="api:session_create",
    response_model=SessionRead,
    responses=_ERRORS,  # type: ignore[arg-type]
    dependencies=[Depends(public)],
)
@csrf_exempt
def create_session(request: Request, body: LoginRequest, db: DB, auth: CurrentAuth) -> Response:
    """Log in with user name and password; sets the session cookie. A session the browser
    still carried ends on the server. ``403`` when password logins are turned off
    (``TRIVSEL_PASSWORD_LOGIN=false``: sign in through the identity provider)."""
    if not get_settings(request).password_login:
        return error_response(
            request, Forbidden(messages.PASSWORD_LOGIN_OFF, code="password_login_disabled")
        )
    result = service.log_in(
        db,
        username=body.username,
        password=body.password,
        client_ip=client_ip(request),
        user_agent=request.headers.get("user-agent", ""),
        policy=login_policy(get_settings(request)),
        replacing=(auth.user, auth.session) if auth is not None else None,
    )
    if result.error is not None or result.user is None or result.session is None:
        return error_response(request, result.error or NotAuthenticated())
    body_out = SessionRead(user=UserRead.of(result.user), csrf_token=result.session.csrf_token)
    response = JSONResponse(body_out.model_dump(mode="json"))
    set_session_cookie(request, response, result.token)
    return response


@router.get("/session", name="api:session_read", response_model=SessionRead)
def read_session(auth: CurrentAuth, user: AnyUser) -> SessionRead:
    """The logged-in user and the CSRF token."""
    assert auth is not None  # noqa: S101 - require_user has refused anonymous calls
    return SessionRead(user=UserRead.of(user), csrf_token=auth.csrf_token)


@router.delete("/session", name="api:session_delete", status_code=204)
def delete_session(request: Request, db: DB, auth: CurrentAuth, user: AnyUser) -> Response:
    """Log out: the session is invalid at once, server side. For a session that came from
    the identity provider, the answer's ``Link`` header (``rel="end_session"``) is the
    provider's end-session URL: the client opens it to end the provider's session too."""
    assert auth is not None  # noqa: S101
    id_token = auth.session.oidc_id_token
    service.end_session(db, user, auth.session)
    response = Response(status_code=204)
    back = str(request.url_for("accounts:login"))
    provider_logout = end_session_url(request.app.state.oidc_client, id_token, back)
    if provider_logout:
        response.headers["Link"] = f'<{provider_logout}>; rel="end_session"'
    response.delete_cookie(session_cookie_name(get_settings(request)), path="/")
    return response


_ORG_ERRORS = {
    403: {"description": "Kun for administratorer"},
    404: {"description": "Findes ikke"},
    409: {"description": "Det eksterne id er allerede brugt"},
}


@router.get(
    "/admin/organisation",
    name="api:admin_organisation",
    response_model=OrganisationRead,
    tags=["admin"],
)
def admin_organisation(db: DB, admin: AdminUser) -> OrganisationRead:
    """Districts and institutions with their external ids (admins)."""
    return OrganisationRead(
        districts=[DistrictRead.of(d) for d in service.list_districts(db)],
        institutions=[InstitutionRead.of(i) for i in service.list_institutions(db)],
    )


@router.patch(
    "/admin/institutions/{institution_id}",
    name="api:admin_institution_update",
    response_model=InstitutionRead,
    responses=_ORG_ERRORS,  # type: ignore[arg-type]
    tags=["admin"],
)
def admin_institution_update(
    db: DB, admin: AdminUser, institution_id: int, body: ExternalIdUpdate
) -> InstitutionRead:
    """Set an institution's external id (unique; a duplicate is 409)."""
    institution = service.set_institution_external_id(
        db, admin, institution_id=institution_id, external_id=body.external_id
    )
    return InstitutionRead.of(institution)


@router.patch(
    "/admin/districts/{district_id}",
    name="api:admin_district_update",
    response_model=DistrictRead,
    responses=_ORG_ERRORS,  # type: ignore[arg-type]
    tags=["admin"],
)
def admin_district_update(
    db: DB, admin: AdminUser, district_id: int, body: ExternalIdUpdate
) -> DistrictRead:
    """Set a district's external id (unique; a duplicate is 409)."""
    district = service.set_district_external_id(
        db, admin, district_id=district_id, external_id=body.external_id
    )
    return DistrictRead.of(district)
