"""The start page for each role, and the web app manifest that opens it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, Response

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.concerns import service as concerns
from app.handovers import service as handovers
from app.joint import service as joint
from app.rounds import service as rounds
from app.start import service
from app.web.deps import DB, AnyUser, public
from app.web.routing import make_router
from app.web.templating import path_for, render

router = make_router(include_in_schema=False)

MANIFEST: dict[str, Any] = {
    "name": "Trivselsguiden",
    "short_name": "Trivselsguiden",
    "description": "Trivsels- og bekymringsguide for børn i dagtilbud og skole",
    "lang": "da",
    "dir": "ltr",
    "start_url": "/",
    "scope": "/",
    "id": "/",
    "display": "standalone",
    "orientation": "any",
    "background_color": "#ffffff",
    "theme_color": "#004993",
    "icons": [
        {"src": "/static/icons/icon-192.png", "sizes": "192x192", "type": "image/png"},
        {"src": "/static/icons/icon-512.png", "sizes": "512x512", "type": "image/png"},
        {
            "src": "/static/icons/icon-maskable-512.png",
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ],
}


@dataclass(frozen=True)
class TodoItem:
    """One row of a to-do section as the templates take it (``templates/start/_items.html``):
    the child's name, what, and a link; a due date and a focus point to mark done, if any.
    The sections the lead wires (joint assessments, the open round) need only the first
    three."""

    child_name: str
    label: str
    url: str
    due_on: dt.date | None = None
    overdue: bool = False
    focus_point_id: int | None = None
    at: dt.datetime | None = None


def _items(request: Request, entries: list[service.Entry]) -> list[TodoItem]:
    def url(entry: service.Entry) -> str:
        path = path_for(request, entry.route, **entry.params)
        return f"{path}#{entry.fragment}" if entry.fragment else path

    return [
        TodoItem(
            child_name=e.child_name,
            label=e.label,
            url=url(e),
            due_on=e.due_on,
            overdue=e.overdue,
            focus_point_id=e.focus_point_id,
            at=e.at,
        )
        for e in entries
    ]


def _todo_context(request: Request, db: DB, user: User) -> dict[str, Any]:
    todo = service.todo_for(db, user)
    return {
        "todo_drafts": _items(request, todo.drafts),
        "todo_due": _items(request, todo.due),
        "todo_replies": _items(request, todo.replies),
        "todo_overdue": _items(request, todo.overdue) if todo.overdue is not None else None,
        "joint_waiting": [
            TodoItem(
                child_name=w.child_name,
                label=f"Din egen vurdering mangler (startet af {w.started_by_name})",
                url=path_for(request, "joint:detail", joint_id=w.joint_id),
                at=w.created_at,
            )
            for w in joint.waiting_for(db, user)
        ],
        "handovers_waiting": None
        if not handovers.is_school(db, user)
        else [
            TodoItem(
                child_name=h.child_name,
                label=f"Overlevering fra {h.other_institution} venter på at blive accepteret",
                url=path_for(request, "handovers:detail", handover_id=h.handover.id),
                at=h.handover.created_at,
            )
            for h in handovers.waiting_for(db, user)
        ],
        **_round_missing(request, rounds.missing_for(db, user)),
    }


ROUND_MISSING_SHOWN = 10
"""Missing children of an open round named on the start page; the rest are counted, with a
link to the round's page (a staff member in many groups was given thousands of rows)."""


def _round_missing(request: Request, missing: list[rounds.RoundMissing]) -> dict[str, Any]:
    shown: list[TodoItem] = []
    more: dict[int, tuple[str, int, str]] = {}
    per_round: dict[int, int] = {}
    for m in missing:
        per_round[m.round_id] = per_round.get(m.round_id, 0) + 1
        if per_round[m.round_id] > ROUND_MISSING_SHOWN:
            if m.round_id not in more:  # the link once a round, not once a child
                url = path_for(request, "rounds:detail", round_id=m.round_id)
                more[m.round_id] = (m.round_title, 0, url)
            title, count, url = more[m.round_id]
            more[m.round_id] = (title, count + 1, url)
            continue
        shown.append(
            TodoItem(
                child_name=m.child_name,
                label=f"{m.group_name}: mangler i «{m.round_title}» (slutter {m.ends_on:%d.%m.%Y})",
                url=path_for(request, "children:detail", child_id=m.child_id),
                # No due date: the label gives the round's last day, and the row is not a
                # follow-up due today (the to-do's rows with one say "Følg op i dag").
            )
        )
    return {"round_missing": shown, "round_missing_more": list(more.values())}


@router.get("/", name="pages:start")
def start(request: Request, db: DB, user: AnyUser) -> Response:
    """The start page of the logged-in user's role."""
    context: dict[str, Any] = {"role": user.role_enum}
    if user.role_enum in (Role.STAFF, Role.LEADER) and user.institution_id is not None:
        institution = accounts.get_institution(db, institution_id=user.institution_id)
        context["institution"] = institution
        context["district"] = accounts.get_district(db, district_id=institution.district_id)
        context.update(_todo_context(request, db, user))
        if user.role_enum is Role.LEADER:
            # The leader is informed of what the institution sends to the social workers.
            context["recent_concerns"] = concerns.list_for(db, user)[:5]
    elif user.role_enum is Role.SOCIAL_WORKER and user.district_id is not None:
        context["district"] = accounts.get_district(db, district_id=user.district_id)
    template = {
        Role.STAFF: "pages/start_staff.html",
        Role.LEADER: "pages/start_staff.html",
        Role.SOCIAL_WORKER: "pages/start_social_worker.html",
        Role.ADMIN: "pages/start_admin.html",
    }[user.role_enum]
    fragment = "start/_todo.html" if "todo_due" in context else None
    return render(request, template, context, fragment=fragment)


@router.get("/manifest.webmanifest", name="pages:manifest", dependencies=[Depends(public)])
def manifest() -> Response:
    """The web app manifest that makes the app installable."""
    return JSONResponse(
        MANIFEST,
        media_type="application/manifest+json",
        headers={"Cache-Control": "public, max-age=3600"},
    )


@router.get("/tilgaengelighed", name="pages:accessibility", dependencies=[Depends(public)])
def accessibility(request: Request) -> Response:
    """What the product's own accessibility tests cover, and that the municipality publishes
    its own accessibility statement (the footer links it when
    ``TRIVSEL_ACCESSIBILITY_STATEMENT_URL`` is set, this page otherwise). Open to everyone:
    the statement must be reachable before login."""
    return render(request, "pages/accessibility.html", {})
