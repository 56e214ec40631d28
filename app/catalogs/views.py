"""HTML for admins: the catalogs, their history, and the draft editor (form and YAML),
with diff, preview and publishing. Every change is saved at once and audited."""

from __future__ import annotations

import re
from typing import Annotated, Any

import yaml
from fastapi import Form, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from app.catalogs import service
from app.catalogs.models import CatalogVersion
from app.errors import AppError, Invalid
from app.guide.engine import evaluate
from app.web import htmx
from app.web.deps import DB, AdminUser
from app.web.routing import make_router
from app.web.templating import render

router = make_router(include_in_schema=False)

LEVEL_OPTIONS = [
    (1, "1 Generel trivsel"),
    (2, "2 Faldende trivsel"),
    (3, "3 Mistrivsel"),
    (4, "4 Svære problemer"),
]
_SLUG = re.compile(r"[^a-z0-9-]+")


async def _read_upload(upload: UploadFile) -> str:
    """The uploaded YAML as text (the body limit already caps its size)."""
    try:
        return (await upload.read()).decode("utf-8", errors="replace")
    finally:
        await upload.close()


def _editor_url(request: Request, row: CatalogVersion, tab: str = "form") -> str:
    return (
        request.url_for("catalogs:draft", catalog_id=row.catalog_id, draft_id=row.id).path
        + f"?tab={tab}"
    )


@router.get("/admin/catalogs", name="catalogs:list")
def catalogs_list(request: Request, db: DB, admin: AdminUser) -> Response:
    """Every catalog with its published version, drafts and newer shipped content."""
    return render(request, "catalogs/list.html", _list_context(db, []))


@router.post("/admin/catalogs/new", name="catalogs:new")
async def catalogs_new(request: Request, db: DB, admin: AdminUser) -> Response:
    """A new catalog from uploaded or pasted YAML (strictly validated; errors change nothing)."""
    form = await request.form()
    upload = form.get("file")
    text = str(form.get("yaml") or "")
    if isinstance(upload, UploadFile) and upload.filename:
        text = await _read_upload(upload)
    match = re.search(r"^id:\s*['\"]?([a-z0-9-]+)", text, re.MULTILINE)
    catalog_id = match.group(1) if match else ""
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


@router.get("/admin/catalogs/{catalog_id}", name="catalogs:detail")
def catalog_detail(request: Request, db: DB, admin: AdminUser, catalog_id: str) -> Response:
    """A catalog's history: every version, who published it, when, and what changed."""
    versions = service.versions(db, catalog_id=catalog_id)
    return render(
        request,
        "catalogs/detail.html",
        {
            "catalog_id": catalog_id,
            "versions": versions,
            "diffs": {
                v.id: service.diff_to_previous(db, v) for v in versions if v.status != "draft"
            },
            "shipped": service.shipped_update(db, catalog_id=catalog_id),
            "errors": [],
        },
    )


@router.post("/admin/catalogs/{catalog_id}/drafts", name="catalogs:draft_create")
async def draft_create(request: Request, db: DB, admin: AdminUser, catalog_id: str) -> Response:
    """A new draft from the published version, or from an uploaded YAML file."""
    form = await request.form()
    upload = form.get("file")
    text = None
    if isinstance(upload, UploadFile) and upload.filename:
        text = await _read_upload(upload)
    try:
        if form.get("adopt") == "1":
            row = service.adopt_shipped(db, admin, catalog_id=catalog_id)
        else:
            row, _check = service.create_draft(db, admin, catalog_id=catalog_id, text=text)
    except Invalid as error:
        versions = service.versions(db, catalog_id=catalog_id)
        return render(
            request,
            "catalogs/detail.html",
            {
                "catalog_id": catalog_id,
                "versions": versions,
                "diffs": {},
                "shipped": service.shipped_update(db, catalog_id=catalog_id),
                "errors": error.details,
            },
            status_code=422,
        )
    return htmx.redirect(request, _editor_url(request, row))


def _editor_context(db: DB, row: CatalogVersion, tab: str, check: Any = None) -> dict[str, Any]:
    check = check or service.check_content(row.content, catalog_id=row.catalog_id)
    try:
        raw = yaml.safe_load(row.content)
    except yaml.YAMLError:
        raw = None
    others = [
        d
        for cid in service.catalog_ids(db)
        if cid != row.catalog_id
        for d in service.versions(db, catalog_id=cid)
        if d.status == "draft"
    ]
    return {
        "row": row,
        "tab": tab,
        "issues": check.issues,
        "catalog": check.catalog,
        "raw": raw if isinstance(raw, dict) else None,
        "diff": service.diff_to_previous(db, row),
        "levels": service.levels(),
        "level_options": LEVEL_OPTIONS,
        "other_drafts": others,
        "result": None,
        "ticked": [],
        "publish_error": None,
    }


@router.get("/admin/catalogs/{catalog_id}/drafts/{draft_id}", name="catalogs:draft")
def draft_editor(
    request: Request, db: DB, admin: AdminUser, catalog_id: str, draft_id: int, tab: str = "form"
) -> Response:
    """The draft editor: form, YAML, changes and preview."""
    row = service.get_draft(db, catalog_id=catalog_id, draft_id=draft_id)
    tab = tab if tab in ("form", "yaml", "diff", "preview") else "form"
    return render(request, "catalogs/editor.html", _editor_context(db, row, tab))


@router.post("/admin/catalogs/{catalog_id}/drafts/{draft_id}/yaml", name="catalogs:draft_yaml")
def draft_save_yaml(
    request: Request,
    db: DB,
    admin: AdminUser,
    catalog_id: str,
    draft_id: int,
    yaml_text: Annotated[str, Form(alias="yaml", max_length=service.MAX_YAML_CHARS)] = "",
) -> Response:
    """Save the YAML as typed (also when invalid) and show its problems by line."""
    row, check = service.save_draft(
        db, admin, catalog_id=catalog_id, draft_id=draft_id, text=yaml_text
    )
    if htmx.is_htmx(request):
        return render(request, "catalogs/_issues.html", {"issues": check.issues, "row": row})
    return htmx.redirect(request, _editor_url(request, row, "yaml"))


def _int(value: Any, default: int) -> int:
    try:
        return int(str(value))
    except ValueError:
        return default


def _from_form(raw: dict[str, Any], form: Any, catalog_id: str) -> dict[str, Any]:
    """The catalog data as the form shows it, with the operation (move, add, remove) done."""
    data = dict(raw)
    for key in ("title", "description"):
        if key in form:
            data[key] = str(form.get(key, "")).strip() or (None if key == "description" else "")
    for key in ("min_age_years", "max_age_years"):
        if key in form:
            data[key] = _int(form.get(key), data.get(key, 0))
    if data.get("description") is None:
        data.pop("description", None)
    areas = []
    for a, area in enumerate(raw.get("areas") or []):
        area = dict(area)
        area["title"] = str(form.get(f"area-{a}-title", area.get("title", ""))).strip()
        indicators = []
        for i, indicator in enumerate(area.get("indicators") or []):
            indicator = dict(indicator)
            prefix = f"ind-{a}-{i}"
            if f"{prefix}-text" in form:
                indicator["id"] = str(form.get(f"{prefix}-id", indicator.get("id", ""))).strip()
                indicator["text"] = str(form.get(f"{prefix}-text", "")).strip()
                indicator["level"] = _int(form.get(f"{prefix}-level"), indicator.get("level", 1))
                if form.get(f"{prefix}-critical") == "1":
                    indicator["critical"] = True
                else:
                    indicator.pop("critical", None)
            indicators.append(indicator)
        area["indicators"] = indicators
        areas.append(area)
    op = str(form.get("op", ""))
    parts = op.split(":")
    if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(areas):
        indicators = areas[int(parts[1])]["indicators"]
        index = _int(parts[2], -1) if len(parts) > 2 else -1
        if parts[0] == "add":
            area_id = areas[int(parts[1])].get("id", "")
            n = len(indicators) + 1
            indicators.append(
                {"id": f"{catalog_id}.{area_id}.nyt-tegn-{n}", "text": "", "level": 1}
            )
        elif 0 <= index < len(indicators):
            if parts[0] == "remove":
                indicators.pop(index)
            elif parts[0] == "up" and index > 0:
                indicators[index - 1], indicators[index] = indicators[index], indicators[index - 1]
            elif parts[0] == "down" and index < len(indicators) - 1:
                indicators[index + 1], indicators[index] = indicators[index], indicators[index + 1]
    data["areas"] = areas
    return data


@router.post("/admin/catalogs/{catalog_id}/drafts/{draft_id}/form", name="catalogs:draft_form")
async def draft_save_form(
    request: Request, db: DB, admin: AdminUser, catalog_id: str, draft_id: int
) -> Response:
    """Save the form editor (texts, levels, critical flags, order; add, remove, move)."""
    row = service.get_draft(db, catalog_id=catalog_id, draft_id=draft_id)
    try:
        raw = yaml.safe_load(row.content)
    except yaml.YAMLError:
        raw = None
    if not isinstance(raw, dict):
        raise Invalid("Ret fejlene i YAML-fanen, før du bruger formularen.")
    form = await request.form()
    data = _from_form(raw, form, catalog_id)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    row, check = service.save_draft(db, admin, catalog_id=catalog_id, draft_id=draft_id, text=text)
    if htmx.is_htmx(request) and not form.get("op"):
        return render(request, "catalogs/_issues.html", {"issues": check.issues, "row": row})
    return htmx.redirect(request, _editor_url(request, row, "form"))


@router.post(
    "/admin/catalogs/{catalog_id}/drafts/{draft_id}/preview", name="catalogs:draft_preview"
)
async def draft_preview(
    request: Request, db: DB, admin: AdminUser, catalog_id: str, draft_id: int
) -> Response:
    """Try the draft as staff would: tick signs and see the level (nothing is stored)."""
    row = service.get_draft(db, catalog_id=catalog_id, draft_id=draft_id)
    context = _editor_context(db, row, "preview")
    form = await request.form()
    ticked = [str(v) for v in form.getlist("observed")]
    if context["catalog"] is not None:
        known = [i for i in ticked if i in context["catalog"].indicators_by_id]
        context["result"] = evaluate(context["catalog"], known, service.levels())
        context["ticked"] = known
    return render(request, "catalogs/editor.html", context)


@router.post(
    "/admin/catalogs/{catalog_id}/drafts/{draft_id}/publish", name="catalogs:draft_publish"
)
async def draft_publish(
    request: Request, db: DB, admin: AdminUser, catalog_id: str, draft_id: int
) -> Response:
    """Publish (with other drafts when an age band is split); refusals are shown, nothing
    is lost."""
    form = await request.form()
    extra = [_int(v, 0) for v in form.getlist("with_drafts")]
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
    """Download the published version as YAML."""
    text = service.export_yaml(db, admin, catalog_id=catalog_id)
    return Response(
        text,
        media_type="text/yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_SLUG.sub("", catalog_id)}.yaml"'},
    )
