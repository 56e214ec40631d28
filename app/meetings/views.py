"""HTML: the child's meetings ("Møder") and the form "Registrér møde" on the child's page
(a page hook: the page lives in a lower domain), the same form on its own page for a refusal
without JavaScript. The form posts and redirects (303) without JavaScript; with HTMX the
section is swapped in place, with the errors beside the fields (422)."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import zip_longest
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response
from starlette.applications import Starlette

from app.accounts import service as accounts
from app.accounts.models import User
from app.children import scope as children_scope
from app.children.models import Child
from app.db import local_today
from app.errors import Invalid
from app.meetings import service
from app.meetings.models import MeetingKind
from app.meetings.schemas import AGREED_MAX, KIND_LABELS, MAX_PARTICIPANTS
from app.web import htmx
from app.web.deps import DB, StaffOrLeader, db_of
from app.web.forms import form_date
from app.web.routing import make_router
from app.web.templating import add_page_hook, render

router = make_router(include_in_schema=False)

ROWS = 6
"""Participant rows the form shows (empty ones are ignored)."""

Short = Annotated[str, Form(max_length=40)]
Rows = Annotated[list[str] | None, Form(max_length=MAX_PARTICIPANTS)]
PURPOSE = "barnets side"
FRAGMENT = "meetings/_for_child.html"


def _empty_form() -> dict[str, Any]:
    return {
        "kind": "",
        "held_on": local_today().isoformat(),
        "participants": [{"role": "", "name": ""} for _ in range(ROWS)],
        "parents_took_part": False,
        "agreed": "",
        "follow_up_on": "",
    }


def _section(
    db: DB,
    user: User,
    child: Child,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    saved: int | None = None,
) -> dict[str, Any]:
    """What ``meetings/_for_child.html`` shows: the meetings newest first, the form."""
    meetings = service.for_child(db, user, child, purpose=PURPOSE)
    return {
        "child": child,
        "meetings": meetings,
        "meeting_kinds": [(k.value, KIND_LABELS[k]) for k in MeetingKind],
        "meeting_kind_labels": {k.value: label for k, label in KIND_LABELS.items()},
        "meeting_form": form or _empty_form(),
        "meeting_errors": errors or {},
        "meeting_saved": saved if any(m.id == saved for m in meetings) else None,
    }


@router.get("/children/{child_id}/meetings/new", name="meetings:new")
def new(request: Request, db: DB, user: StaffOrLeader, child_id: int) -> Response:
    """The child's meetings and the form on a page of their own."""
    child = children_scope.get_child_for(db, user, child_id=child_id, purpose="møde")
    return render(request, "meetings/new.html", _section(db, user, child), fragment=FRAGMENT)


def _field_key(field: str, rows: list[int]) -> str:
    """The form's name for a service field (the error summary links to ``#input-<key>``):
    ``participants[i].role`` is the role input of the i-th row that was filled in."""
    if field == "participants":
        return "participant-role-0"
    if field.startswith("participants["):
        index, _, part = field.removeprefix("participants[").partition("].")
        return f"participant-{part}-{rows[int(index)]}"
    return field


@router.post("/children/{child_id}/meetings", name="meetings:create")
def create(
    request: Request,
    db: DB,
    user: StaffOrLeader,
    child_id: int,
    kind: Short = "",
    held_on: Short = "",
    participant_role: Rows = None,
    participant_name: Rows = None,
    parents_took_part: Short = "",
    agreed: Annotated[str, Form(max_length=AGREED_MAX * 2)] = "",
    follow_up_on: Short = "",
) -> Response:
    """Record the meeting; then back to the child's page (HTMX: the section, swapped)."""
    typed = [
        {"role": role, "name": name}
        for role, name in zip_longest(participant_role or [], participant_name or [], fillvalue="")
    ]
    filled = [i for i, row in enumerate(typed) if row["role"].strip() or row["name"].strip()]
    form = {
        "kind": kind,
        "held_on": held_on,
        "participants": typed + [{"role": "", "name": ""} for _ in range(ROWS - len(typed))],
        "parents_took_part": parents_took_part == "1",
        "agreed": agreed,
        "follow_up_on": follow_up_on,
    }
    try:
        meeting = service.record(
            db,
            user,
            child_id=child_id,
            kind=kind,
            held_on=form_date(held_on, "held_on", required=True) or local_today(),
            participants=[service.Participant(typed[i]["role"], typed[i]["name"]) for i in filled],
            parents_took_part=parents_took_part == "1",
            agreed=agreed,
            follow_up_on=form_date(follow_up_on, "follow_up_on"),
        )
    except Invalid as error:
        child = children_scope.get_child_for(db, user, child_id=child_id, purpose="møde")
        errors: dict[str, str] = {}
        for field, message in error.field_messages().items():
            errors.setdefault(_field_key(field, filled), message)
        return render(
            request,
            "meetings/new.html",
            _section(db, user, child, form=form, errors=errors),
            status_code=422,
            fragment=FRAGMENT,
        )
    if htmx.is_htmx(request):
        child = children_scope.get_child_for(db, user, child_id=child_id, purpose="møde")
        return render(
            request,
            "meetings/new.html",
            _section(db, user, child, saved=meeting.id),
            fragment=FRAGMENT,
        )
    url = request.url_for("children:detail", child_id=child_id).path
    return htmx.redirect(request, f"{url}?meeting={meeting.id}#meeting-{meeting.id}")


# --- Page hook --------------------------------------------------------------------------


def child_context(request: Request, page: Mapping[str, Any]) -> dict[str, Any]:
    """On the child's page: the section "Møder" (the meetings, newest first, and the form);
    ``?meeting=<id>`` after a plain form post says it was saved."""
    db = db_of(request)
    user = accounts.get_user(db, user_id=page["current_user"].id)
    shown = request.query_params.get("meeting", "")
    saved = int(shown) if shown.isascii() and shown.isdigit() and len(shown) < 19 else None
    return {"meetings_section": True, **_section(db, user, page["child"], saved=saved)}


def install(app: Starlette) -> None:
    """Register this domain's page hook (called once by ``create_app``)."""
    add_page_hook(app, "children/detail.html", child_context)
