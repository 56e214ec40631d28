"""The admins' audit log viewer: filter, page, and export as CSV."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from app.audit import service
from app.audit.tags import TAG_OPTIONS, AuditTag, label_of
from app.errors import Invalid
from app.web.csv_export import csv_response
from app.web.deps import DB, AdminUser
from app.web.forms import form_date
from app.web.routing import make_router
from app.web.templating import COPENHAGEN, render

router = make_router(include_in_schema=False)
PER_PAGE = 50
#: The CSV export's rows at most (the newest; a narrower filter or date range for more).
EXPORT_MAX = 100_000


def _day_start(value: dt.date | None, *, next_day: bool = False) -> dt.datetime | None:
    if value is None:
        return None
    day = value + dt.timedelta(days=1) if next_day else value
    return dt.datetime.combine(day, dt.time.min, tzinfo=COPENHAGEN).astimezone(dt.UTC)


def _parse_child(value: str | None) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        message = "Barn-id skal være et tal."
        raise Invalid(message, details=[{"field": "child_id", "message": message}])
    return int(value)


def _filters(
    action: str | None,
    actor: str | None,
    object_type: str | None,
    object_id: str | None,
    child_id: str | None,
    since: str | None,
    until: str | None,
) -> service.AuditFilter:
    """The filter from the query string; empty form fields mean "any"."""
    return service.AuditFilter(
        action=action or None,
        actor=actor or None,
        object_type=object_type or None,
        object_id=object_id or None,
        child_id=_parse_child(child_id),
        since=_day_start(form_date(since, "since")),
        until=_day_start(form_date(until, "until"), next_day=True),
    )


Text = Annotated[str | None, Query(max_length=64)]


@dataclass(frozen=True)
class AuditQuery:
    """The filter fields as typed in the form (empty means "any")."""

    action: str = ""
    actor: str = ""
    object_type: str = ""
    object_id: str = ""
    child_id: str = ""
    since: str = ""
    until: str = ""

    def to_filter(self) -> service.AuditFilter:
        """The service's filter; Invalid (422) for a bad date or child id."""
        return _filters(
            self.action,
            self.actor,
            self.object_type,
            self.object_id,
            self.child_id,
            self.since,
            self.until,
        )


def audit_query(
    action: Text = None,
    actor: Text = None,
    object_type: Text = None,
    object_id: Text = None,
    child_id: Text = None,
    since: Text = None,
    until: Text = None,
) -> AuditQuery:
    """The filter from the query string, shared by the page and the CSV export."""
    return AuditQuery(
        action or "",
        actor or "",
        object_type or "",
        object_id or "",
        child_id or "",
        since or "",
        until or "",
    )


Filters = Annotated[AuditQuery, Depends(audit_query)]


@router.get("/admin/audit", name="audit:list")
def audit_list(
    request: Request,
    db: DB,
    admin: AdminUser,
    query_values: Filters,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Newest first, filtered by action, person, object, child and date range."""
    filters = query_values.to_filter()
    found = service.get_page(db, filters=filters, page=page, per_page=PER_PAGE)
    service.record(
        db, admin, AuditTag.AUDIT_VIEW, object_type="audit", detail=str(request.url.query)[:500]
    )
    query = {k: v for k, v in request.query_params.items() if k != "page"}
    return render(
        request,
        "audit/list.html",
        {
            "rows": found.rows,
            "total": found.total,
            "total_capped": found.total_capped,
            "total_text": f"{found.total:,}".replace(",", "."),
            "page": page,
            "has_older": found.has_older,
            # Known only while the count is exact: beyond the cap the pager goes on by page.
            "pages": None if found.total_capped else max(1, -(-found.total // PER_PAGE)),
            "tag_options": TAG_OPTIONS,
            "label_of": label_of,
            "query": query,
            "values": asdict(query_values),
        },
        fragment="audit/_table.html",
    )


@router.get("/admin/audit.csv", name="audit:export")
def audit_export(
    request: Request,
    db: DB,
    admin: AdminUser,
    query_values: Filters,
) -> Response:
    """The filtered log as CSV (e.g. all look-ups on one child for a request of access)."""
    filters = query_values.to_filter()
    rows = service.all_rows(db, filters=filters, limit=EXPORT_MAX)
    service.record(
        db, admin, AuditTag.AUDIT_EXPORT, object_type="audit", detail=str(request.url.query)[:500]
    )
    header = [
        "tidspunkt",
        "bruger",
        "rolle",
        "handling",
        "objekttype",
        "objekt-id",
        "barn-id",
        "ip",
        "request-id",
        "detaljer",
    ]
    return csv_response(
        header,
        (
            (
                row.at.isoformat(),
                row.actor_username,
                row.actor_role,
                row.action,
                row.object_type,
                row.object_id,
                row.child_id or "",
                row.client_ip,
                row.request_id,
                row.detail,
            )
            for row in rows
        ),
        "auditlog.csv",
    )
