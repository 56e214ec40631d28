"""HTML: the "Overlevering til skole" form from the child's page, the list "Overleveringer"
of the user's institution, and a handover's page (the child, the consent, the summary, and
"Acceptér" for the receiving school). Every form works without JavaScript (POST → 303);
HTMX enhances the same URLs (``HX-Redirect``, fragments). The child's page gets its
handover section through a page hook (``install``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response
from starlette.applications import Starlette

from app.accounts import service as accounts
from app.catalogs import service as catalogs
from app.children import scope as children_scope
from app.errors import Invalid
from app.handovers import service
from app.handovers.models import COVERS_MAX, GIVEN_BY_MAX
from app.meetings import service as meetings
from app.web import htmx
from app.web.deps import DB, StaffOrLeader, db_of
from app.web.forms import form_date, form_error_response
from app.web.routing import make_router
from app.web.templating import add_page_hook, render

router = make_router(include_in_schema=False)

#: The API's field names → the form's.
FIELD_NAMES = {
    "consent.given_by": "given_by",
    "consent.given_on": "given_on",
    "consent.covers": "covers",
}


def _form_context(db: DB, user: Any, child: Any) -> dict[str, Any]:
    critical = service.refused_by_abuse_rule(db, user, child)
    return {
        "child": child,
        "school_options": [(s.id, s.name) for s in service.schools(db, user)],
        "critical_assessment": critical,
        "given_by_max": GIVEN_BY_MAX,
        "covers_max": COVERS_MAX,
        "form": {},
        "errors": {},
    }


@router.get("/children/{child_id}/handovers/new", name="handovers:new")
def new(request: Request, db: DB, user: StaffOrLeader, child_id: int) -> Response:
    """The handover form: the receiving school and the parents' consent; under the abuse rule
    the page says why nothing can be handed over and links to the notification."""
    child = children_scope.get_child_for(db, user, child_id=child_id, purpose="overlevering")
    return render(
        request,
        "handovers/new.html",
        _form_context(db, user, child),
        fragment="handovers/_form.html",
    )


@router.post("/children/{child_id}/handovers", name="handovers:create")
def create(
    request: Request,
    db: DB,
    user: StaffOrLeader,
    child_id: int,
    to_institution_id: Annotated[str, Form(max_length=12)] = "",
    given_by: Annotated[str, Form(max_length=GIVEN_BY_MAX * 2)] = "",
    given_on: Annotated[str, Form(max_length=20)] = "",
    covers: Annotated[str, Form(max_length=COVERS_MAX * 2)] = "",
    includes_meetings: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Send the handover; then to its page. A refusal shows the form again (422) with what
    was typed, and under the abuse rule the way to the notification."""
    meetings_too = includes_meetings == "1"  # the checkbox's value; anything else: not ticked
    form = {
        "to_institution_id": to_institution_id,
        "given_by": given_by,
        "given_on": given_on,
        "covers": covers,
        "includes_meetings": "1" if meetings_too else "",
    }
    try:
        text = to_institution_id.strip()
        if not (text.isascii() and text.isdigit()):
            raise Invalid.field("to_institution_id", "Vælg den skole, barnet skal gå i.")
        try:
            on = form_date(given_on, "consent.given_on", required=True)
        except Invalid:
            on = None
        handover = service.send(
            db,
            user,
            child_id=child_id,
            to_institution_id=int(text),
            given_by=given_by,
            given_on=on,
            covers=covers,
            includes_meetings=meetings_too,
        )
    except Invalid as error:
        child = children_scope.get_child_for(db, user, child_id=child_id, purpose="overlevering")
        context = _form_context(db, user, child)
        renamed = Invalid(
            error.message,
            code=error.code,
            details=[
                {**d, "field": FIELD_NAMES.get(str(d.get("field")), d.get("field"))}
                for d in error.details
                if error.code != service.ABUSE_RULE
            ],
        )
        return form_error_response(
            request,
            "handovers/new.html",
            context,
            renamed,
            form=form,
            fragment="handovers/_form.html",
        )
    return htmx.redirect(request, request.url_for("handovers:detail", handover_id=handover.id).path)


@router.get("/handovers", name="handovers:list")
def list_page(request: Request, db: DB, user: StaffOrLeader) -> Response:
    """The handovers to and from the user's institution: incoming first, then outgoing."""
    rows = service.list_for(db, user)
    return render(
        request,
        "handovers/list.html",
        {
            "incoming": [r for r in rows if r.incoming],
            "outgoing": [r for r in rows if not r.incoming],
        },
    )


def _detail_context(db: DB, view: service.HandoverView) -> dict[str, Any]:
    return {
        "view": view,
        "handover": view.handover,
        "child": view.child,
        "levels": catalogs.levels(),
        "meeting_kind": meetings.kind_label,
    }


@router.get("/handovers/{handover_id}", name="handovers:detail")
def detail(request: Request, db: DB, user: StaffOrLeader, handover_id: int) -> Response:
    """A handover: the child, the consent, the summary; "Acceptér" for the receiving school,
    "Træk tilbage" for the sender while it is open."""
    view = service.get(db, user, handover_id=handover_id)
    return render(
        request,
        "handovers/detail.html",
        _detail_context(db, view),
        fragment="handovers/_handover.html",
    )


@router.post("/handovers/{handover_id}/accept", name="handovers:accept")
def accept(request: Request, db: DB, user: StaffOrLeader, handover_id: int) -> Response:
    """Accept: the child now belongs to the school; then to the child's page."""
    handover = service.accept(db, user, handover_id=handover_id)
    return htmx.redirect(
        request, request.url_for("children:detail", child_id=handover.child_id).path
    )


@router.post("/handovers/{handover_id}/withdraw", name="handovers:withdraw")
def withdraw(request: Request, db: DB, user: StaffOrLeader, handover_id: int) -> Response:
    """Withdraw an open handover (the sender); back to its page."""
    service.withdraw(db, user, handover_id=handover_id)
    return htmx.redirect(request, request.url_for("handovers:detail", handover_id=handover_id).path)


# --- Page hook ---------------------------------------------------------------------------


def child_context(request: Request, page: Mapping[str, Any]) -> dict[str, Any]:
    """On the child's page: its handovers from or to the user's institution, and the
    "Overlevering til skole" action."""
    db = db_of(request)
    user = accounts.get_user(db, user_id=page["current_user"].id)
    return {"handover_section": service.for_child(db, user, page["child"])}


def install(app: Starlette) -> None:
    """Register this domain's page hook (called once by ``create_app``)."""
    add_page_hook(app, "children/detail.html", child_context)
    app.state.templates.env.globals["handover_status_labels"] = service.STATUS_LABELS
