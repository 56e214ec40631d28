"""HTML for admins: districts and institutions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response

from app.accounts import service
from app.accounts.views.forms import optional_int, org_context
from app.errors import Conflict, Invalid
from app.web import htmx
from app.web.deps import DB, AdminUser
from app.web.forms import form_error_response
from app.web.routing import make_router
from app.web.templating import render

router = make_router(include_in_schema=False)

PAGE = "accounts/organisation.html"


def _page_context(db: DB) -> dict[str, Any]:
    """The organisation page with its three forms empty (a refusal fills in one of them)."""
    context = org_context(db)
    context.update(
        {
            "form": {},
            "errors": {},
            "district_form": {},
            "district_errors": {},
            "rename_errors": {},
            "renamed_district": None,
            "external_errors": {},
            "external_target": None,
        }
    )
    return context


@router.get("/admin/organisation", name="accounts:organisation")
def organisation(request: Request, db: DB, admin: AdminUser) -> Response:
    """Districts and institutions."""
    return render(request, PAGE, _page_context(db))


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
        return form_error_response(
            request, PAGE, _page_context(db), error, form={"name": name}, prefix="district_"
        )
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
        context = _page_context(db) | {"renamed_district": district_id}
        return form_error_response(request, PAGE, context, error, prefix="rename_")
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
            district_id=optional_int(district_id) or 0,
            address=address,
        )
    except Invalid as error:
        form = {"name": name, "kind": kind, "district_id": district_id, "address": address}
        return form_error_response(request, PAGE, _page_context(db), error, form=form)
    return htmx.redirect(request, request.url_for("accounts:organisation").path)


@router.get("/admin/institutions/{institution_id}", name="accounts:institution")
def institution_edit(request: Request, db: DB, admin: AdminUser, institution_id: int) -> Response:
    """Edit one institution."""
    institution = service.get_institution(db, institution_id=institution_id)
    context = org_context(db)
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
            district_id=optional_int(district_id) or 0,
            address=address,
            is_active=is_active == "1",
        )
    except Invalid as error:
        institution = service.get_institution(db, institution_id=institution_id)
        context = org_context(db) | {"institution": institution}
        return form_error_response(request, "accounts/institution.html", context, error)
    return htmx.redirect(request, request.url_for("accounts:organisation").path)


def _external_id_saved(
    request: Request, db: DB, target: tuple[str, int], save: Callable[[], object]
) -> Response:
    """Both units' external-id forms: saved and back to the page, or the page again with the
    error at the unit's form (``target``)."""
    try:
        save()
    except (Invalid, Conflict) as error:
        context = _page_context(db) | {"external_target": target}
        return form_error_response(request, PAGE, context, error, prefix="external_")
    return htmx.redirect(request, request.url_for("accounts:organisation").path)


@router.post("/admin/districts/{district_id}/external-id", name="accounts:district_external_id")
def district_external_id(
    request: Request,
    db: DB,
    admin: AdminUser,
    district_id: int,
    external_id: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Set the id the identity provider's district claim carries (empty: none)."""
    return _external_id_saved(
        request,
        db,
        ("district", district_id),
        lambda: service.set_district_external_id(
            db, admin, district_id=district_id, external_id=external_id
        ),
    )


@router.post(
    "/admin/institutions/{institution_id}/external-id", name="accounts:institution_external_id"
)
def institution_external_id(
    request: Request,
    db: DB,
    admin: AdminUser,
    institution_id: int,
    external_id: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Set the id the identity provider's institution claim carries (empty: none)."""
    return _external_id_saved(
        request,
        db,
        ("institution", institution_id),
        lambda: service.set_institution_external_id(
            db, admin, institution_id=institution_id, external_id=external_id
        ),
    )
