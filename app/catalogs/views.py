"""HTML for admins: the catalogs, their history, and the draft editor (one area at a time,
a search over the signs, the file view), with changes, a try-out and publishing. Every
change is saved at once and audited.

Plain ``def`` views: the database work (the publish with its row lock included) runs in the
thread pool, never on the event loop. The one ``async`` part is reading the posted form
(``posted``), which does no database work; the rules live in ``service`` (``editor`` for
the form's)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from app.catalogs import service
from app.catalogs.models import CatalogVersion, VersionStatus
from app.errors import AppError, Invalid
from app.web import htmx
from app.web.deps import DB, AdminUser
from app.web.routing import make_router
from app.web.templating import render

router = make_router(include_in_schema=False)

TABS = ("form", "diff", "preview", "yaml")


@dataclass(frozen=True)
class Posted:
    """A posted form as plain data: single fields, repeated fields, and an uploaded file."""

    fields: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    upload: str | None = None


async def posted(request: Request) -> Posted:
    """Read the form once (the body limit already caps its size); no database work."""
    form = await request.form()
    fields: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    upload = None
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            if value.filename and upload is None:
                upload = (await value.read()).decode("utf-8", errors="replace")
            await value.close()
            continue
        fields.setdefault(key, value)
        lists.setdefault(key, []).append(value)
    return Posted(fields=fields, lists=lists, upload=upload)


Form = Annotated[Posted, Depends(posted)]


def _ids(values: list[str]) -> list[int]:
    """Draft ids from a form: ASCII digits only; anything else is refused."""
    if not all(v.isascii() and v.isdigit() and len(v) <= 18 for v in values):
        raise Invalid.field("with_drafts", "Vælg kladderne i listen.")
    return [int(v) for v in values]


def _editor_url(request: Request, row: CatalogVersion, tab: str = "form", area: str = "") -> str:
    url = request.url_for("catalogs:draft", catalog_id=row.catalog_id, draft_id=row.id).path
    return url + f"?tab={tab}" + (f"&area={area}" if area else "")


@router.get("/admin/catalogs", name="catalogs:list")
def catalogs_list(request: Request, db: DB, admin: AdminUser) -> Response:
    """Every catalog with its published version, drafts and newer shipped content."""
    return render(request, "catalogs/list.html", _list_context(db, []))


@router.post("/admin/catalogs/new", name="catalogs:new")
def catalogs_new(request: Request, db: DB, admin: AdminUser, form: Form) -> Response:
    """A new catalog from uploaded or pasted YAML (strictly validated; errors change nothing)."""
    text = form.upload if form.upload is not None else form.fields.get("yaml", "")
    catalog_id = service.editor.catalog_id_of(text)
    try:
        if not catalog_id:
            raise Invalid(
                "Kataloget mangler et id.",
                details=[{"line": None, "path": "id", "message": "mangler"}],
            )
        row, _check = service.create_draft(db, admin, catalog_id=catalog_id, text=text)
    except Invalid as error:
        return render(
            request, "catalogs/list.html", _list_context(db, error.details), status_code=422
        )
    return htmx.redirect(request, _editor_url(request, row, "yaml"))


def _list_context(db: DB, errors: list[dict[str, Any]]) -> dict[str, Any]:
    rows = []
    for catalog_id in service.catalog_ids(db):
        versions = service.versions(db, catalog_id=catalog_id)
        rows.append(
            {
                "id": catalog_id,
                "published": next((v for v in versions if v.status == "published"), None),
                "drafts": [v for v in versions if v.status == "draft"],
                "shipped": service.shipped_update(db, catalog_id=catalog_id),
            }
        )
    return {"rows": rows, "errors": errors}


def _detail_context(db: DB, catalog_id: str, errors: list[dict[str, Any]]) -> dict[str, Any]:
    versions = service.versions(db, catalog_id=catalog_id)
    published = next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)
    return {
        "catalog_id": catalog_id,
        "title": published.title if published else versions[0].title,
        "published": published,
        "sources": service.parsed(published).sources if published else [],
        "versions": versions,
        "diffs": {
            v.id: service.diff_to_previous(db, v)
            for v in versions
            if v.status != VersionStatus.DRAFT
        },
        "shipped": service.shipped_update(db, catalog_id=catalog_id),
        "errors": errors,
    }


@router.get("/admin/catalogs/{catalog_id}", name="catalogs:detail")
def catalog_detail(request: Request, db: DB, admin: AdminUser, catalog_id: str) -> Response:
    """A catalog's history: every version, who published it, when, and what changed."""
    return render(request, "catalogs/detail.html", _detail_context(db, catalog_id, []))


@router.post("/admin/catalogs/{catalog_id}/drafts", name="catalogs:draft_create")
def draft_create(
    request: Request, db: DB, admin: AdminUser, catalog_id: str, form: Form
) -> Response:
    """A new draft from the published version, or from an uploaded YAML file."""
    try:
        if form.fields.get("adopt") == "1":
            row = service.adopt_shipped(db, admin, catalog_id=catalog_id)
        else:
            row, _check = service.create_draft(db, admin, catalog_id=catalog_id, text=form.upload)
    except Invalid as error:
        context = _detail_context(db, catalog_id, error.details)
        return render(request, "catalogs/detail.html", context, status_code=422)
    return htmx.redirect(request, _editor_url(request, row))


def _area_choice(data: dict[str, Any] | None, value: str) -> str:
    """The part of the form shown: ``about`` (the catalog's own fields) or an area's index."""
    if data is None or value == "about":
        return "about"
    count = len(data["areas"])
    if value.isascii() and value.isdigit() and int(value) < count:
        return value
    return "0" if count else "about"


def _editor_context(
    db: DB,
    row: CatalogVersion,
    tab: str,
    *,
    area: str = "",
    query: str = "",
    check: service.DraftCheck | None = None,
) -> dict[str, Any]:
    check = check or service.check_content(row.content, catalog_id=row.catalog_id)
    data = service.editor.form_data(row.content)
    published = service.published_row(db, catalog_id=row.catalog_id)
    return {
        "row": row,
        "tab": tab,
        "issues": check.issues,
        "catalog": check.catalog,
        "raw": data,
        "sources_text": service.editor.sources_text(data) if data is not None else "",
        "area": _area_choice(data, area),
        "query": query,
        "hits": service.editor.search(data, query) if data is not None else [],
        "diff": service.diff_to_previous(db, row),
        "levels": service.levels(),
        "level_options": service.editor.level_options(),
        "next_version": (published.version or 0) + 1 if published else 1,
        "other_drafts": service.other_drafts(db, catalog_id=row.catalog_id),
        "result": None,
        "ticked": [],
        "publish_error": None,
        "confirm_publish": False,
        "chosen_drafts": [],
    }


@router.get("/admin/catalogs/{catalog_id}/drafts/{draft_id}", name="catalogs:draft")
def draft_editor(
    request: Request,
    db: DB,
    admin: AdminUser,
    catalog_id: str,
    draft_id: int,
    tab: str = "form",
    area: str = "",
    q: str = "",
) -> Response:
    """The draft editor: one area at a time, search, changes, try-out and the file view."""
    row = service.get_draft(db, catalog_id=catalog_id, draft_id=draft_id)
    tab = tab if tab in TABS else "form"
    context = _editor_context(db, row, tab, area=area, query=q[:200])
    return render(request, "catalogs/editor.html", context)


@router.post("/admin/catalogs/{catalog_id}/drafts/{draft_id}/yaml", name="catalogs:draft_yaml")
def draft_save_yaml(
    request: Request, db: DB, admin: AdminUser, catalog_id: str, draft_id: int, form: Form
) -> Response:
    """Save the YAML as typed (also when invalid) and show its problems by line."""
    row, check = service.save_draft(
        db, admin, catalog_id=catalog_id, draft_id=draft_id, text=form.fields.get("yaml", "")
    )
    if htmx.is_htmx(request):
        return render(request, "catalogs/_issues.html", {"issues": check.issues, "row": row})
    return htmx.redirect(request, _editor_url(request, row, "yaml"))


@router.post("/admin/catalogs/{catalog_id}/drafts/{draft_id}/form", name="catalogs:draft_form")
def draft_save_form(
    request: Request, db: DB, admin: AdminUser, catalog_id: str, draft_id: int, form: Form
) -> Response:
    """Save the form (texts, levels, critical flags, order; add, remove, move)."""
    row = service.get_draft(db, catalog_id=catalog_id, draft_id=draft_id)
    data = service.editor.form_data(row.content)
    if data is None:
        raise Invalid(service.editor.FORM_UNAVAILABLE)
    text = service.editor.form_yaml(
        service.editor.apply_form(data, form.fields, catalog_id=catalog_id)
    )
    row, check = service.save_draft(db, admin, catalog_id=catalog_id, draft_id=draft_id, text=text)
    if htmx.is_htmx(request) and not form.fields.get("op"):
        return render(request, "catalogs/_issues.html", {"issues": check.issues, "row": row})
    area = form.fields.get("area", "")
    return htmx.redirect(request, _editor_url(request, row, "form", area))


@router.post(
    "/admin/catalogs/{catalog_id}/drafts/{draft_id}/preview", name="catalogs:draft_preview"
)
def draft_preview(
    request: Request, db: DB, admin: AdminUser, catalog_id: str, draft_id: int, form: Form
) -> Response:
    """Try the draft as staff would: tick signs and see the level (nothing is stored)."""
    row = service.get_draft(db, catalog_id=catalog_id, draft_id=draft_id)
    context = _editor_context(db, row, "preview")
    catalog = context["catalog"]
    if catalog is not None:
        known = [i for i in form.lists.get("observed", []) if i in catalog.indicators_by_id]
        context["result"] = service.evaluate_observed(catalog, known)
        context["ticked"] = known
    return render(request, "catalogs/editor.html", context)


@router.post(
    "/admin/catalogs/{catalog_id}/drafts/{draft_id}/publish", name="catalogs:draft_publish"
)
def draft_publish(
    request: Request, db: DB, admin: AdminUser, catalog_id: str, draft_id: int, form: Form
) -> Response:
    """Publish (with other drafts when an age band is split) once the admin has confirmed
    what publishing does; refusals are shown, nothing is lost."""
    row = service.get_draft(db, catalog_id=catalog_id, draft_id=draft_id)
    extra = _ids(form.lists.get("with_drafts", []))
    if form.fields.get("confirm") != "1":
        context = _editor_context(db, row, "form")
        context["confirm_publish"] = True
        context["chosen_drafts"] = extra
        return render(request, "catalogs/editor.html", context)
    try:
        service.publish(db, admin, catalog_id=catalog_id, draft_ids=[draft_id, *extra])
    except AppError as error:
        if error.status not in (404, 409, 422):
            raise
        db.rollback()
        row = service.get_draft(db, catalog_id=catalog_id, draft_id=draft_id)
        context = _editor_context(db, row, "form")
        context["publish_error"] = error
        return render(request, "catalogs/editor.html", context, status_code=error.status)
    return htmx.redirect(
        request, request.url_for("catalogs:detail", catalog_id=catalog_id).path + "?published=1"
    )


@router.post("/admin/catalogs/{catalog_id}/drafts/{draft_id}/delete", name="catalogs:draft_delete")
def draft_delete(
    request: Request, db: DB, admin: AdminUser, catalog_id: str, draft_id: int
) -> Response:
    """Throw a draft away."""
    service.delete_draft(db, admin, catalog_id=catalog_id, draft_id=draft_id)
    return htmx.redirect(request, request.url_for("catalogs:detail", catalog_id=catalog_id).path)


@router.get("/admin/catalogs/{catalog_id}/export", name="catalogs:export")
def catalog_export(db: DB, admin: AdminUser, catalog_id: str) -> Response:
    """Download the published version as YAML (the same file as the API's)."""
    export = service.export_yaml(db, admin, catalog_id=catalog_id)
    return Response(
        export.text,
        media_type="text/yaml; charset=utf-8",
        headers={"Content-Disposition": export.content_disposition},
    )
