"""HTML for admins: the named contacts of an institution and of a district.

One form with a row per contact and three empty rows for new ones (no JavaScript needed): an
empty row is left out, a row with text is checked and stored, the whole list at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.accounts import service as accounts
from app.accounts.models import Role
from app.contacts import service
from app.contacts.directory import ContactRole
from app.contacts.schemas import ContactEntry, ContactInput
from app.errors import Invalid
from app.web import htmx
from app.web.deps import DB, AdminUser
from app.web.forms import form_error_response
from app.web.routing import make_router
from app.web.templating import render

router = make_router(include_in_schema=False)

PAGE = "contacts/edit.html"
EMPTY_ROWS = 3
FIELDS = ("role", "name", "phone", "email", "hours", "user_id")

FormList = Annotated[list[str] | None, Form()]


def _columns(
    role: FormList = None,
    name: FormList = None,
    phone: FormList = None,
    email: FormList = None,
    hours: FormList = None,
    user_id: FormList = None,
) -> dict[str, list[str] | None]:
    """The form's columns, one list per field (a row per index), for both owners' forms."""
    return dict(zip(FIELDS, (role, name, phone, email, hours, user_id), strict=True))


Columns = Annotated[dict[str, list[str] | None], Depends(_columns)]


def _rows_of(entries: list[ContactEntry]) -> list[dict[str, str]]:
    rows = [
        {
            "role": e.role.value,
            "name": e.name,
            "phone": e.phone_shown,
            "email": e.email,
            "hours": e.hours,
            "user_id": "" if e.user_id is None else str(e.user_id),
        }
        for e in entries
    ]
    return rows + [dict.fromkeys(FIELDS, "") for _ in range(EMPTY_ROWS)]


def _social_workers(db: Session, district_id: int) -> list[tuple[int | None, str]]:
    members = accounts.active_members(db, roles=(Role.SOCIAL_WORKER,), district_id=district_id)
    return [(user.id, user.display_name) for user in members]


def _context(
    db: Session, owner: str, owner_id: int, title: str, district_id: int, rows: list[dict[str, str]]
) -> dict[str, Any]:
    return {
        "owner": owner,
        "owner_id": owner_id,
        "title": title,
        "rows": rows,
        "errors": {},
        "role_options": [(role.value, role.label) for role in ContactRole],
        "user_options": _social_workers(db, district_id),
    }


def _submitted(columns: dict[str, list[str] | None]) -> tuple[list[dict[str, str]], list[int]]:
    """The rows as typed (every row, for showing again) and the indexes of the rows that
    hold anything (the ones stored)."""
    count = max(len(values or []) for values in columns.values())
    rows = []
    for index in range(count):
        rows.append(
            {name: ((columns[name] or [])[index : index + 1] or [""])[0] for name in FIELDS}
        )
    filled = [
        i
        for i, row in enumerate(rows)
        if any(row[f].strip() for f in ("name", "phone", "email", "hours"))
    ]
    return rows, filled


def _inputs(rows: list[dict[str, str]], filled: list[int]) -> list[ContactInput]:
    inputs = []
    for i in filled:
        row = rows[i]
        user = row["user_id"].strip()
        inputs.append(
            ContactInput(
                role=row["role"],
                name=row["name"],
                phone=row["phone"],
                email=row["email"],
                hours=row["hours"],
                user_id=int(user) if user.isascii() and user.isdigit() and len(user) < 13 else None,
            )
        )
    return inputs


def _form_errors(error: Invalid, filled: list[int]) -> Invalid:
    """The service's ``contacts.N.field`` as the form's ``field-row`` (N counts stored rows)."""
    details = []
    for detail in error.details:
        parts = str(detail.get("field", "")).split(".")
        if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(filled):
            details.append(
                {"field": f"{parts[2]}-{filled[int(parts[1])]}", "message": detail["message"]}
            )
        else:
            details.append(detail)
    return Invalid(error.message, details=details)


def _save(
    request: Request,
    db: DB,
    *,
    owner: str,
    owner_id: int,
    title: str,
    district_id: int,
    columns: dict[str, list[str] | None],
    replace: Callable[[list[ContactInput]], object],
    target: str,
) -> Response:
    """One save path for both owners: the whole list stored, or the form again with errors by
    field (the row numbers counted as the form shows them)."""
    rows, filled = _submitted(columns)
    try:
        replace(_inputs(rows, filled))
    except Invalid as error:
        context = _context(db, owner, owner_id, title, district_id, rows)
        return form_error_response(request, PAGE, context, _form_errors(error, filled))
    return htmx.redirect(request, f"{target}?saved=1")


@router.get("/admin/institutions/{institution_id}/contacts", name="contacts:institution")
def institution_page(request: Request, db: DB, admin: AdminUser, institution_id: int) -> Response:
    """Edit the institution's named contacts."""
    institution = accounts.get_institution(db, institution_id=institution_id)
    rows = _rows_of(service.institution_contacts(db, institution_id=institution_id))
    context = _context(
        db, "institution", institution_id, institution.name, institution.district_id, rows
    )
    return render(request, PAGE, context)


@router.post("/admin/institutions/{institution_id}/contacts", name="contacts:institution_save")
def institution_save(
    request: Request,
    db: DB,
    admin: AdminUser,
    institution_id: int,
    columns: Columns,
) -> Response:
    """Store the institution's contacts (the whole list); the form again with errors by field."""
    institution = accounts.get_institution(db, institution_id=institution_id)
    return _save(
        request,
        db,
        owner="institution",
        owner_id=institution_id,
        title=institution.name,
        district_id=institution.district_id,
        columns=columns,
        replace=lambda contacts: service.replace_institution_contacts(
            db, admin, institution_id=institution_id, contacts=contacts
        ),
        target=request.url_for("contacts:institution", institution_id=institution_id).path,
    )


@router.get("/admin/districts/{district_id}/contacts", name="contacts:district")
def district_page(request: Request, db: DB, admin: AdminUser, district_id: int) -> Response:
    """Edit the district's contacts (every institution of the district sees them)."""
    district = accounts.get_district(db, district_id=district_id)
    rows = _rows_of(service.district_contacts(db, district_id=district_id))
    context = _context(db, "district", district_id, district.name, district_id, rows)
    return render(request, PAGE, context)


@router.post("/admin/districts/{district_id}/contacts", name="contacts:district_save")
def district_save(
    request: Request,
    db: DB,
    admin: AdminUser,
    district_id: int,
    columns: Columns,
) -> Response:
    """Store the district's contacts; the form again with errors by field."""
    district = accounts.get_district(db, district_id=district_id)
    return _save(
        request,
        db,
        owner="district",
        owner_id=district_id,
        title=district.name,
        district_id=district_id,
        columns=columns,
        replace=lambda contacts: service.replace_district_contacts(
            db, admin, district_id=district_id, contacts=contacts
        ),
        target=request.url_for("contacts:district", district_id=district_id).path,
    )


# --- the municipality's offers ---------------------------------------------------------------

OFFERS_PAGE = "contacts/offers.html"
YamlText = Annotated[str, Form(max_length=service.YAML_MAX + 1000)]


def _offers_context(db: Session, text: str | None = None) -> dict[str, Any]:
    history = service.offer_history(db)
    return {
        "yaml": service.offers_text(db) if text is None else text,
        "version": service.offers_version(db),
        "history": history,
        "author_names": accounts.display_names(
            db, user_ids={row.created_by for row in history if row.created_by is not None}
        ),
        "issues": [],
        "preview": None,
    }


@router.get("/admin/offers", name="contacts:offers")
def offers_page(request: Request, db: DB, admin: AdminUser) -> Response:
    """The offers in force as editable text, the versions published, and the buttons to
    preview and to publish."""
    return render(request, OFFERS_PAGE, _offers_context(db))


@router.post("/admin/offers/preview", name="contacts:offers_preview")
def offers_preview(request: Request, db: DB, admin: AdminUser, yaml: YamlText = "") -> Response:
    """Check the text and show the offers as staff will see them, level by level (nothing is
    stored); problems by line."""
    context = _offers_context(db, yaml)
    try:
        ladder = service.check_offers(yaml)
    except Invalid as error:
        context["issues"] = error.details
        return render(request, OFFERS_PAGE, context, status_code=422)
    context["preview"] = {level: ladder.for_level(level) for level in (1, 2, 3, 4)}
    return render(request, OFFERS_PAGE, context)


@router.post("/admin/offers", name="contacts:offers_publish")
def offers_publish(request: Request, db: DB, admin: AdminUser, yaml: YamlText = "") -> Response:
    """Publish the text as the next version (refused by line when it has problems)."""
    try:
        row = service.publish_offers(db, admin, text=yaml)
    except Invalid as error:
        context = _offers_context(db, yaml)
        context["issues"] = error.details
        return render(request, OFFERS_PAGE, context, status_code=422)
    target = request.url_for("contacts:offers").path
    return htmx.redirect(request, f"{target}?published={row.version}")
