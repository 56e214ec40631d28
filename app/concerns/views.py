"""HTML: from a finished assessment to a parent dialogue, an anonymous consultation or a
notification; the institution's concerns; the social workers' inbox and concern page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import Response
from starlette.applications import Starlette

from app.accounts import service as accounts
from app.accounts.models import Institution, Role, User
from app.assessments import scope as assessments_scope
from app.assessments import service as assessments
from app.assessments.models import Assessment
from app.catalogs import service as catalogs
from app.children import scope as children_scope
from app.concerns import export, scope, service
from app.concerns.models import Concern, ParentDialogue
from app.concerns.schemas import (
    FORM_TEXT_MAX,
    MESSAGE_MAX,
    OUTCOME_LABELS,
    URGENCY_LABELS,
    NotificationDetails,
    Urgency,
)
from app.concerns.workflow import KIND_LABELS, STATUS_LABELS, ConcernKind
from app.contacts import service as contacts
from app.db import local_today, utcnow
from app.deadlines import ACKNOWLEDGE_WEEKDAYS, COPENHAGEN, add_weekdays
from app.errors import Conflict, Invalid, NotFound
from app.guide.schema import ActionKey
from app.meetings.schemas import KIND_LABELS as MEETING_KIND_LABELS
from app.web import htmx
from app.web.deps import DB, StaffOrLeader, db_of, get_settings, open_db, require_role
from app.web.forms import form_date, form_error_response
from app.web.routing import make_router
from app.web.templating import add_context_hook, add_page_hook, danish_date, local_time, render

router = make_router(include_in_schema=False)


def header_context(request: Request) -> dict[str, Any]:
    """The header counts: open and overdue concerns for a social worker, new replies for
    staff and leaders (None when nobody is logged in or outside a request's session)."""
    current = getattr(request.state, "current_user", None)
    db = open_db(request)
    if current is None or db is None:
        return {}
    counted = getattr(request.state, "header_counts", None)
    if counted is not None:  # the page counted them from its own rows (the inbox)
        return {"header_counts": counted}
    try:
        user = accounts.get_user(db, user_id=current.id)
    except NotFound:
        return {}
    return {"header_counts": service.counts_for(db, user)}


def result_context(request: Request, page: Mapping[str, Any]) -> dict[str, Any]:
    """On a finished assessment's result page (``assessments:detail``): what was sent about it
    and the dialogue meetings, and which recommended steps they have done."""
    assessment: Assessment = page["assessment"]
    db = db_of(request)
    sent = service.for_assessment(db, assessment)
    dialogues = service.dialogues_of(db, assessment)
    return {"concerns": sent, "dialogues": dialogues, "steps_done": _steps_done(sent, dialogues)}


def _steps_done(
    sent: Sequence[Concern], dialogues: Sequence[ParentDialogue]
) -> dict[str, list[str]]:
    """What has been done of each recommended action (action key → what, when), so the result
    page marks the step done."""
    done: dict[str, list[str]] = {}
    for dialogue in dialogues:
        done.setdefault(ActionKey.parent_dialogue, []).append(
            f"dialogmøde {danish_date(dialogue.held_on)}"
        )
    for concern in sent:
        if concern.kind_enum is ConcernKind.NOTIFICATION:
            key, what = ActionKey.notification, "underretning sendt"
        else:
            key, what = ActionKey.social_worker_consult, "anonym sparring sendt"
        done.setdefault(key, []).append(f"{what} {local_time(concern.created_at, '%d.%m.%Y')}")
    return done


def notification_calls(request: Request, page: Mapping[str, Any]) -> dict[str, Any]:
    """On the notification form: whom to call for the child's institution beside sending it
    (the municipality's numbers included; a call never replaces the notification)."""
    institution: Institution = page["institution"]
    entries = contacts.contacts_of(db_of(request), institution, get_settings(request))
    return {"notification_calls": contacts.for_action(entries, ActionKey.notification.value)}


def install(app: Starlette) -> None:
    """Register the concerns domain's page context and its labels for the templates (called
    once by ``create_app``)."""
    add_context_hook(app, header_context)
    add_page_hook(app, "assessments/result.html", result_context)
    add_page_hook(app, "concerns/notification.html", notification_calls)
    env = app.state.templates.env
    env.globals["concern_outcome_labels"] = OUTCOME_LABELS
    env.globals["concern_status_labels"] = STATUS_LABELS


CaseWorker = Annotated[User, Depends(require_role(Role.STAFF, Role.LEADER, Role.SOCIAL_WORKER))]
SocialWorker = Annotated[User, Depends(require_role(Role.SOCIAL_WORKER))]
Text = Annotated[str, Form(max_length=FORM_TEXT_MAX)]
Short = Annotated[str, Form(max_length=300)]


def _assessment_context(db: DB, user: User, assessment_id: int) -> dict[str, Any]:
    assessment = assessments_scope.get_assessment_for(
        db, user, assessment_id=assessment_id, purpose="bekymring"
    )
    assessments.ensure_finished(assessment)
    child = children_scope.get_child_for(
        db, user, child_id=assessment.child_id, purpose="bekymring"
    )
    institution = accounts.get_institution(db, institution_id=assessment.institution_id)
    result = assessments.finished_result(assessment)
    return {
        "assessment": assessment,
        "result": result,
        "child": child,
        "institution": institution,
        "levels": catalogs.levels(),
        "observed": result.observed_indicators,
        "abuse_rule": service.ABUSE_RULE,
        "district": accounts.get_district(db, district_id=institution.district_id),
        "message_max": MESSAGE_MAX,
    }


# --- Parent dialogue --------------------------------------------------------------------


@router.get("/assessments/{assessment_id}/dialogue", name="concerns:dialogue_form")
def dialogue_form(request: Request, db: DB, user: StaffOrLeader, assessment_id: int) -> Response:
    """Record a dialogue meeting (or, when critical, say why not)."""
    context = _assessment_context(db, user, assessment_id)
    context.update(
        {
            "form": {"held_on": local_today().isoformat()},
            "errors": {},
            "dialogues": service.dialogues_of(db, context["assessment"]),
        }
    )
    return render(request, "concerns/dialogue.html", context)


@router.post("/assessments/{assessment_id}/dialogue", name="concerns:dialogue_create")
def dialogue_create(
    request: Request,
    db: DB,
    user: StaffOrLeader,
    assessment_id: int,
    held_on: Short = "",
    participants: Annotated[str, Form(max_length=1200)] = "",
    agreed: Text = "",
    follow_up_on: Short = "",
) -> Response:
    """Store the meeting; errors beside the fields."""
    try:
        dialogue = service.record_dialogue(
            db,
            user,
            assessment_id=assessment_id,
            held_on=form_date(held_on, "held_on", required=True) or local_today(),
            participants=participants,
            agreed=agreed,
            follow_up_on=form_date(follow_up_on, "follow_up_on"),
        )
    except Invalid as error:
        context = _assessment_context(db, user, assessment_id)
        context["dialogues"] = service.dialogues_of(db, context["assessment"])
        form = {
            "held_on": held_on,
            "participants": participants,
            "agreed": agreed,
            "follow_up_on": follow_up_on,
        }
        return form_error_response(request, "concerns/dialogue.html", context, error, form=form)
    return htmx.redirect(
        request,
        request.url_for("assessments:detail", assessment_id=assessment_id).path
        + f"?saved=dialogue&dialogue={dialogue.id}#dialogue-saved",
    )


# --- Consultation -----------------------------------------------------------------------


@router.get("/assessments/{assessment_id}/consultation", name="concerns:consultation_form")
def consultation_form(
    request: Request, db: DB, user: StaffOrLeader, assessment_id: int
) -> Response:
    """Ask the district's social workers for anonymous advice."""
    context = _assessment_context(db, user, assessment_id)
    context.update({"form": {}, "errors": {}})
    return render(request, "concerns/consultation.html", context)


@router.post("/assessments/{assessment_id}/consultation", name="concerns:consultation_create")
def consultation_create(
    request: Request, db: DB, user: StaffOrLeader, assessment_id: int, message: Text = ""
) -> Response:
    """Send it; a message that identifies the child is refused with the reason."""
    try:
        concern = service.submit_consultation(
            db, user, assessment_id=assessment_id, message=message
        )
    except Invalid as error:
        context = _assessment_context(db, user, assessment_id)
        return form_error_response(
            request, "concerns/consultation.html", context, error, form={"message": message}
        )
    return htmx.redirect(
        request, request.url_for("concerns:detail", concern_id=concern.id).path + "?sent=1"
    )


# --- Notification -----------------------------------------------------------------------


def _notification_defaults(user: User, context: dict[str, Any]) -> dict[str, str]:
    institution = context["institution"]
    return {
        "notifier_name": user.display_name,
        "notifier_role": "",  # the person's own words; the system role says nothing here
        "notifier_contact": f"{institution.name}, {institution.address}".strip(", "),
        "urgency": service.default_urgency(context["assessment"]).value,
    }


@router.get("/assessments/{assessment_id}/notification", name="concerns:notification_form")
def notification_form(
    request: Request, db: DB, user: StaffOrLeader, assessment_id: int
) -> Response:
    """The notification form, with what a notification must hold."""
    context = _assessment_context(db, user, assessment_id)
    context.update(
        {
            "form": _notification_defaults(user, context),
            "errors": {},
            "urgencies": list(URGENCY_LABELS.items()),
        }
    )
    return render(request, "concerns/notification.html", context)


@router.post("/assessments/{assessment_id}/notification", name="concerns:notification_create")
def notification_create(
    request: Request,
    db: DB,
    user: StaffOrLeader,
    assessment_id: int,
    message: Text = "",
    parents_informed: Short = "",
    parents_note: Text = "",
    cpr: Annotated[str, Form(max_length=20)] = "",
    done_so_far: Text = "",
    notifier_name: Short = "",
    notifier_role: Short = "",
    notifier_contact: Short = "",
    parents: Annotated[str, Form(max_length=1000)] = "",
    interpreter_language: Short = "",
    urgency: Short = "",
    confirm: Short = "",
) -> Response:
    """Send the notification: it cannot be withdrawn, so it needs the confirmation box."""
    form = {
        "message": message,
        "parents_informed": parents_informed,
        "parents_note": parents_note,
        "cpr": cpr,
        "done_so_far": done_so_far,
        "notifier_name": notifier_name,
        "notifier_role": notifier_role,
        "notifier_contact": notifier_contact,
        "parents": parents,
        "interpreter_language": interpreter_language,
        "urgency": urgency,
    }
    try:
        details = NotificationDetails(
            done_so_far=done_so_far.strip(),
            notifier_name=notifier_name.strip(),
            notifier_role=notifier_role.strip(),
            notifier_contact=notifier_contact.strip(),
            parents=parents.strip(),
            interpreter_language=interpreter_language.strip(),
            urgency=Urgency(urgency) if urgency in URGENCY_LABELS else Urgency.NORMAL,
        )
        informed = {"yes": True, "no": False}.get(parents_informed)
        concern = service.submit_notification(
            db,
            user,
            assessment_id=assessment_id,
            data=service.NotificationInput(
                message=message,
                parents_informed=informed,
                parents_note=parents_note,
                cpr=cpr or None,
                details=details,
                confirmed=confirm == "1",
            ),
            cipher=request.app.state.cpr_cipher,
        )
    except Invalid as error:
        context = _assessment_context(db, user, assessment_id)
        context["urgencies"] = list(URGENCY_LABELS.items())
        return form_error_response(request, "concerns/notification.html", context, error, form=form)
    return htmx.redirect(
        request, request.url_for("concerns:detail", concern_id=concern.id).path + "?sent=1"
    )


# --- Lists and the concern page ---------------------------------------------------------


@router.get("/children/{child_id}/concerns", name="concerns:for_child")
def child_concerns(request: Request, db: DB, user: StaffOrLeader, child_id: int) -> Response:
    """What the institution sent about a child, with the answers and feedback (on the
    child's page; a page of its own without JavaScript)."""
    child = children_scope.get_child_for(db, user, child_id=child_id, purpose="sager")
    return render(
        request,
        "concerns/child.html",
        {"child": child, "concerns": service.for_child(db, user, child_id=child_id)},
        fragment="concerns/_child.html",
    )


CLOSED_SHOWN = 50
"""Closed concerns the inbox shows (the most recently closed): a district closes hundreds a
year, and the page listed every one (0.5 MB, 0.4 s at 500: docs/performance.md)."""


@router.get("/concerns", name="concerns:list")
def concerns_list(
    request: Request, db: DB, user: CaseWorker, alle_afsluttede: bool = False
) -> Response:
    """The social worker's inbox (every open concern, the latest closed ones; all closed
    ones with ``?alle_afsluttede=true``), or the institution's concerns for staff and
    leaders (who see the child's name: they sent it)."""
    now = utcnow()
    if user.role_enum is Role.SOCIAL_WORKER:
        inbox = service.inbox_for(
            db, user, closed_shown=None if alle_afsluttede else CLOSED_SHOWN, now=now
        )
        request.state.header_counts = inbox.counts  # counted from the rows just read
        wanted = {e.concern.institution_id for e in inbox.entries}
        context: dict[str, Any] = {
            "views": inbox.entries,
            "institution_names": scope.institution_names(db, wanted),
            "closed_left_out": inbox.closed_left_out,
        }
        return _list_page(request, "concerns/inbox.html", context, now)
    cipher = request.app.state.cpr_cipher
    concerns = service.list_for(db, user)
    views = [service.view_of(db, c, user, cipher=cipher, now=now) for c in concerns]
    child_names: dict[int | None, str] = {}
    wanted = {v.concern.child_id for v in views}
    if wanted:
        child_names = {
            c.id: c.full_name
            for c in children_scope.visible_children(db, user, limit=5000)
            if c.id in wanted
        }
    context = {"views": views, "child_names": child_names, "closed_left_out": 0}
    return _list_page(request, "concerns/list.html", context, now)


def _list_page(
    request: Request, template: str, context: dict[str, Any], now: dt.datetime
) -> Response:
    return render(
        request,
        template,
        {
            "institution_names": {},
            "child_names": {},
            **context,
            "levels": catalogs.levels(),
            "now": now,
        },
    )


@router.get("/concerns/{concern_id}", name="concerns:detail")
def concern_detail(request: Request, db: DB, user: CaseWorker, concern_id: int) -> Response:
    """One concern: contents, deadlines, timeline; the next step for social workers."""
    concern = scope.get_concern_for(db, user, concern_id=concern_id)
    return render(request, "concerns/detail.html", _detail_context(request, db, user, concern))


def expected_answer_by(concern: Concern) -> dt.date:
    """When the sender of a consultation may expect an answer: no law sets it; the districts
    answer within the notification's acknowledgement time (6 weekdays)."""
    received = concern.created_at.astimezone(COPENHAGEN).date()
    return add_weekdays(received, ACKNOWLEDGE_WEEKDAYS)


def _detail_context(
    request: Request,
    db: DB,
    user: User,
    concern: Concern,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    *,
    revealed_cpr: str | None = None,
) -> dict[str, Any]:
    view = service.view_of(db, concern, user, cipher=request.app.state.cpr_cipher, with_events=True)
    institution = accounts.get_institution(db, institution_id=concern.institution_id)
    return {
        "view": view,
        "concern": concern,
        "statuses": STATUS_LABELS,
        "next": view.next_status,
        "next_label": STATUS_LABELS[view.next_status] if view.next_status else None,
        "actor_names": accounts.display_names(
            db,
            user_ids={e.actor_id for e in view.events}
            | ({concern.assigned_to} if concern.assigned_to else set()),
        ),
        "now": view.now,
        "levels": catalogs.levels(),
        "institution": institution,
        "district": accounts.get_district(db, district_id=concern.district_id),
        "outcomes": list(OUTCOME_LABELS.items()),
        "earlier": service.earlier_concerns(db, user, concern),
        "is_social_worker": view.for_social_worker,
        "errors": errors or {},
        "form": form or {},
        "sent": request.query_params.get("sent") == "1",
        "moved": request.query_params.get("moved", ""),
        "expected_answer_by": expected_answer_by(concern),
        "revealed_cpr": revealed_cpr,
        "message_max": MESSAGE_MAX,
        "changed": "",
    }


def _changed_response(
    request: Request, db: DB, user: User, concern_id: int, error: Conflict, form: dict[str, str]
) -> Response:
    """The concern page as it is now, saying that another social worker changed it first
    (the form the step came from was rendered with an older version)."""
    concern = scope.get_concern_for(db, user, concern_id=concern_id, purpose="fejl")
    context = _detail_context(request, db, user, concern, None, form)
    context["changed"] = error.message
    return render(request, "concerns/detail.html", context, status_code=error.status)


@router.post("/concerns/{concern_id}/take", name="concerns:take")
def concern_take(
    request: Request, db: DB, user: SocialWorker, concern_id: int, version: Short = ""
) -> Response:
    """Take the concern: it is then the social worker's own (the step is in its timeline).
    Taken or moved by someone else since the page was shown: the page again, with the news."""
    try:
        service.take(
            db, user, concern_id=concern_id, expected_version=service.parse_version(version)
        )
    except Conflict as error:
        if error.code != service.CHANGED_CODE:
            raise
        return _changed_response(request, db, user, concern_id, error, {})
    return htmx.redirect(request, request.url_for("concerns:detail", concern_id=concern_id).path)


@router.post("/concerns/{concern_id}/transitions", name="concerns:transition")
def concern_transition(
    request: Request,
    db: DB,
    user: SocialWorker,
    concern_id: int,
    to: Annotated[str, Form(max_length=20)] = "",
    note: Text = "",
    outcome: Short = "",
    feedback: Text = "",
    version: Short = "",
) -> Response:
    """The next step of the workflow; an illegal step is refused with a clear message. After
    the step the page says what was done. A form rendered before another social worker's
    step (its hidden ``version``) shows the concern as it is now, with the news."""
    form = {"note": note, "outcome": outcome, "feedback": feedback}
    try:
        concern = service.move(
            db,
            user,
            concern_id=concern_id,
            to=to,
            note=note,
            outcome=outcome or None,
            feedback=feedback,
            expected_version=service.parse_version(version),
        )
    except Conflict as error:
        if error.code == service.CHANGED_CODE:
            return _changed_response(request, db, user, concern_id, error, form)
        return _refused(request, db, user, concern_id, error, form)
    except Invalid as error:
        return _refused(request, db, user, concern_id, error, form)
    return htmx.redirect(
        request,
        request.url_for("concerns:detail", concern_id=concern_id).path
        + f"?moved={concern.status}#step-done",
    )


def _refused(
    request: Request,
    db: DB,
    user: User,
    concern_id: int,
    error: Invalid | Conflict,
    form: dict[str, str],
) -> Response:
    """The concern page again with why the step was refused."""
    concern = scope.get_concern_for(db, user, concern_id=concern_id, purpose="fejl")
    errors = error.field_messages() if isinstance(error, Invalid) else {"to": error.message}
    context = _detail_context(request, db, user, concern, errors, form)
    return render(request, "concerns/detail.html", context, status_code=error.status)


@router.post("/concerns/{concern_id}/cpr", name="concerns:reveal_cpr")
def concern_reveal_cpr(
    request: Request,
    db: DB,
    user: SocialWorker,
    concern_id: int,
    purpose: Short = "",
) -> Response:
    """Show the full CPR number to a social worker of the district, audited with why."""
    revealed: str | None = None
    errors: dict[str, str] = {}
    status = 200
    try:
        revealed = service.reveal_cpr(
            db,
            user,
            concern_id=concern_id,
            purpose=purpose,
            cipher=request.app.state.cpr_cipher,
        )
    except Invalid as error:
        errors, status = error.field_messages(), error.status
    concern = scope.get_concern_for(db, user, concern_id=concern_id, purpose="cpr")
    context = _detail_context(
        request, db, user, concern, errors, {"purpose": purpose}, revealed_cpr=revealed or ""
    )
    return render(
        request,
        "concerns/detail.html",
        context,
        status_code=status,
        fragment="concerns/_cpr.html",
        headers={"Cache-Control": "no-store"},
    )


# --- A request of access (GDPR art. 15): the child's record, readable and printable -------

ExportCaller = Annotated[User, Depends(require_role(Role.LEADER, Role.ADMIN))]


@router.get("/children/{child_id}/export", name="children:export")
def child_export(request: Request, db: DB, user: ExportCaller, child_id: int) -> Response:
    """Everything stored about the child, as a printable page for the leader answering a
    request of access (the same content as ``/api/v1/children/{id}/export``); audited."""
    record = export.export_child(db, user, child_id=child_id, cipher=request.app.state.cpr_cipher)
    context = {
        "record": record,
        "child": record.child,
        "kind_labels": {k.value: v for k, v in KIND_LABELS.items()},
        "status_labels": {k.value: v for k, v in STATUS_LABELS.items()},
        "meeting_kind_labels": {k.value: v for k, v in MEETING_KIND_LABELS.items()},
    }
    return render(request, "children/export.html", context)
