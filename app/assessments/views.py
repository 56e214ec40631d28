"""HTML: start or resume an assessment, the questionnaire that saves every tick, finishing,
and the read-only result.

The child's page with its assessments over time (``GET /children/{id}``) is here too: it
composes the child register below with the assessments. The domains above add their parts
through page hooks: the concerns domain what was sent from a finished assessment
(``concerns.views.install``), the offline domain the device key of the questionnaire
(``offline.views.install``).

One URL, two renderings: ``/assessments/{id}`` is the questionnaire while the assessment is a
draft (its author only) and the printable result once it is finished (anyone of the
institution). Every form works without JavaScript; HTMX saves ticks and notes at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response

from app.accounts import service as accounts
from app.accounts.models import User
from app.assessments import plan_form, scope, service, sign_list
from app.assessments.models import Assessment, AssessmentKind, AssessmentStatus
from app.assessments.schemas import AssessmentResult
from app.catalogs import service as catalogs
from app.catalogs.schemas import IndicatorRead
from app.children import scope as children_scope
from app.children import service as children
from app.children.models import Child
from app.contacts import service as contacts
from app.db import local_today, utcnow
from app.errors import Invalid
from app.guide.schema import ActionDef, ActionKey, Area, Catalog, Guidance, LevelDef
from app.web import htmx
from app.web.deps import DB, StaffOrLeader, get_settings
from app.web.forms import form_date
from app.web.routing import make_router
from app.web.templating import local_time, render

router = make_router(include_in_schema=False)

MAX_TEXT_FIELD = 12_000
"""Form limit a little above the service's, so the service's Danish message is shown."""

FIELD_NAMES = {
    "level_override.level": "level",
    "level_override.reason": "reason",
    "follow_up_on": "follow_up_on",
    "notes": "notes",
    "resources": "resources",
    "observed": "observed",
}


@dataclass(frozen=True)
class Summary:
    """What the summary panel and the result page show about the level."""

    level: int
    computed_level: int
    critical: bool
    rationale: list[IndicatorRead]
    actions: list[ActionDef]
    level_def: LevelDef
    guidance: Guidance
    finished: bool
    reason: str
    acute: bool = False
    escalated_from: int | None = None
    strengths: list[IndicatorRead] = field(default_factory=list)

    @property
    def mode(self) -> int:
        """Which rule the panel leads with: 1 the abuse rule (critical), 2 acute danger (acute
        and not critical: the parents may still be spoken to), 0 neither."""
        return 1 if self.critical else 2 if self.acute else 0


@dataclass(frozen=True)
class AreaSigns:
    """The observed indicators of one area, in catalog order."""

    area: Area
    signs: list[IndicatorRead]


def _field_errors(error: Invalid) -> dict[str, str]:
    errors: dict[str, str] = {}
    for detail in error.details:
        field = FIELD_NAMES.get(str(detail.get("field")), str(detail.get("field")))
        errors.setdefault(field, str(detail.get("message")))
    return errors or {"form": error.message}


def _summary(state: service.AssessmentState) -> Summary:
    levels = catalogs.levels()
    result = state.result
    signs = {sign.id: sign for sign in result.observed_indicators}
    return Summary(
        level=result.level,
        computed_level=result.computed_level,
        critical=result.critical,
        rationale=[signs[r.indicator_id] for r in result.rationale if r.indicator_id in signs],
        actions=[levels.action(key) for key in result.recommended_actions],
        level_def=levels.level(result.level),
        guidance=(
            levels.critical_guidance if result.critical else levels.level(result.level).guidance
        ),
        finished=state.assessment.status == AssessmentStatus.FINISHED,
        reason=result.override_reason,
        acute=result.acute,
        escalated_from=result.escalated_from,
        strengths=result.strength_indicators,
    )


def _by_area(catalog: Catalog, result: AssessmentResult) -> list[AreaSigns]:
    signs = {sign.id: sign for sign in result.observed_indicators}
    grouped = [
        AreaSigns(area, [signs[i.id] for i in area.indicators if i.id in signs])
        for area in catalog.areas
    ]
    return [group for group in grouped if group.signs]


def _finish_defaults(state: service.AssessmentState) -> dict[str, str]:
    defaults = service.finish_defaults(state)
    follow_up = defaults.follow_up_on
    return {
        "level": str(defaults.level),
        "reason": "",
        "follow_up_on": follow_up.isoformat() if follow_up else "",
    }


def _area_counts(catalog: Catalog, observed: Iterable[str]) -> dict[str, int]:
    """How many signs of each area are ticked."""
    ticked = set(observed)
    return {area.id: sum(1 for i in area.indicators if i.id in ticked) for area in catalog.areas}


def _level_options() -> list[tuple[int, str]]:
    levels = catalogs.levels()
    return [(n, f"Niveau {n}: {levels.level(n).name}") for n in (1, 2, 3, 4)]


def _calls(request: Request, db: DB, institution_id: int) -> dict[str, Any]:
    """Whom to call beside each recommended action, for the child's institution (the caller
    has seen the assessment, so the institution is theirs): ``calls`` by action key."""
    entries = contacts.contacts_for_institution(
        db, institution_id=institution_id, settings=get_settings(request)
    )
    return {"calls": contacts.calls_by_action(entries, [key.value for key in ActionKey])}


def _questionnaire_context(
    request: Request,
    db: DB,
    user: User,
    state: service.AssessmentState,
    *,
    finish_form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    focus_form: list[dict[str, str]] | None = None,
    parents_form: dict[str, str] | None = None,
) -> dict[str, Any]:
    assessment = state.assessment
    child = children_scope.get_child_for(
        db, user, child_id=assessment.child_id, purpose="vurdering"
    )
    summary = _summary(state)
    observed = set(assessment.observed)
    return {
        "assessment": assessment,
        "child": child,
        "catalog": state.catalog,
        "observed": observed,
        "sign_lists": sign_list.area_lists(
            state.catalog, request.app.state.templates.env, observed
        ),
        "area_counts": _area_counts(state.catalog, assessment.observed),
        "summary": summary,
        "levels": catalogs.levels(),
        "level_options": _level_options(),
        "finish": finish_form or _finish_defaults(state),
        "focus_rows": plan_form.focus_rows(focus_form, user),
        "parents_form": parents_form or {},
        "colleagues": service.colleagues(db, user),
        "errors": errors or {},
        "texts": {"notes": assessment.notes, "resources": assessment.resources},
        "max_text": service.MAX_TEXT,
        "follow_up_suggestions": [
            suggested.isoformat() if suggested else "-"
            for suggested in (service.follow_up_for(n) for n in (1, 2, 3, 4))
        ],
        **_calls(request, db, assessment.institution_id),
    }


def _draft_after_refusal(db: DB, user: User, assessment_id: int) -> service.AssessmentState:
    """The draft as stored after a refused save: changes the service made before it refused
    are dropped (what it flushed stays: ticks saved before a refused finish are kept)."""
    db.expire_all()
    return service.state_of(db, scope.get_draft_for_author(db, user, assessment_id=assessment_id))


def _detail_url(request: Request, assessment: Assessment) -> str:
    return request.url_for("assessments:detail", assessment_id=assessment.id).path


@router.post("/children/{child_id}/assessments", name="assessments:start")
def start(request: Request, db: DB, user: StaffOrLeader, child_id: int) -> Response:
    """Start a new assessment of the child, or reopen the user's own draft."""
    assessment = service.start_or_resume(db, user, child_id=child_id)
    return htmx.redirect(request, _detail_url(request, assessment))


@dataclass(frozen=True)
class HistoryRow:
    """One assessment in a child's history, ready for the template."""

    assessment: Assessment
    author: str
    finished: bool
    level: int | None
    date: dt.datetime
    may_open: bool

    @property
    def counts(self) -> bool:
        """A single or joint finished assessment: it counts for the level over time."""
        return scope.counts(self.assessment)

    @property
    def kind_label(self) -> str:
        """How the history names the kind (a single-person assessment is labelled as such)."""
        return KIND_LABELS[AssessmentKind(self.assessment.kind)]


KIND_LABELS = {
    AssessmentKind.SINGLE: "Egen vurdering (alene)",
    AssessmentKind.INDIVIDUAL: "Egen vurdering til fælles vurdering (tæller ikke)",
    AssessmentKind.JOINT: "Fælles vurdering",
}


def _history(db: DB, user: User, child: Child) -> list[HistoryRow]:
    rows = []
    names: dict[int, str] = {}
    for assessment in scope.assessments_of(db, user, child, with_others_drafts=True):
        if assessment.created_by not in names:
            author = accounts.get_user(db, user_id=assessment.created_by)
            names[assessment.created_by] = author.display_name
        finished = assessment.status == AssessmentStatus.FINISHED
        rows.append(
            HistoryRow(
                assessment=assessment,
                author=names[assessment.created_by],
                finished=finished,
                level=assessment.level if finished else None,
                date=assessment.finished_at or assessment.created_at,
                may_open=scope.may_read(user, assessment),
            )
        )
    return rows


@router.get("/children/{child_id}", name="children:detail")
def child_detail(request: Request, db: DB, user: StaffOrLeader, child_id: int) -> Response:
    """A child: name, birth date, age, and its assessments with the level over time."""
    child = children_scope.get_child_for(db, user, child_id=child_id, purpose="barnets side")
    history = _history(db, user, child)
    chart = sorted(
        (row for row in history if row.counts and row.level is not None),
        key=lambda row: (row.date, row.assessment.id or 0),
    )
    own_draft = next(
        (
            row
            for row in history
            if not row.finished
            and row.assessment.created_by == user.id
            and row.assessment.kind == AssessmentKind.SINGLE
        ),
        None,
    )
    return render(
        request,
        "children/detail.html",
        {
            "child": child,
            "age": children.age_text(child.birth_date, local_today()),
            "history": history,
            "chart": chart,
            "own_draft": own_draft,
            "levels": catalogs.levels(),
        },
    )


@router.get("/assessments/{assessment_id}", name="assessments:detail")
def detail(request: Request, db: DB, user: StaffOrLeader, assessment_id: int) -> Response:
    """The questionnaire of a draft (its author only), or the result of a finished one."""
    assessment = scope.get_assessment_for(db, user, assessment_id=assessment_id, purpose="visning")
    if assessment.status == AssessmentStatus.DRAFT:
        scope.ensure_may_continue(user, assessment)
        state = service.state_of(db, assessment)
        return render(
            request,
            "assessments/questionnaire.html",
            _questionnaire_context(request, db, user, state),
        )
    state = service.state_of(db, assessment)
    child = children_scope.get_child_for(db, user, child_id=assessment.child_id, purpose="resultat")
    author = accounts.get_user(db, user_id=assessment.created_by)
    summary = _summary(state)
    return render(
        request,
        "assessments/result.html",
        {
            "assessment": assessment,
            "child": child,
            "author": author.display_name,
            "kind_label": KIND_LABELS[AssessmentKind(assessment.kind)],
            "catalog": state.catalog,
            "summary": summary,
            "areas": _by_area(state.catalog, state.result),
            "levels": catalogs.levels(),
            "saved": request.query_params.get("saved", ""),
            **_calls(request, db, assessment.institution_id),
            # The municipality's offers for the level reached: never instead of a due
            # notification (the page then lists them after it, as additional).
            "offers": contacts.offers(db, level=summary.level),
            "notification_due": any(a.key is ActionKey.notification for a in summary.actions),
            "focus_points": state.focus_points,
            "parents": state.parents,
            "names": accounts.display_names(
                db, user_ids={p.responsible_id for p in state.focus_points}
            ),
        },
    )


@router.post("/focus-points/{focus_point_id}/done", name="assessments:focus_point_done")
def focus_point_done(
    request: Request, db: DB, user: StaffOrLeader, focus_point_id: int
) -> Response:
    """Mark a focus point as done; HTMX gets the point's row, a plain post goes back to where
    it came from (the start page's to-do or the result)."""
    point = service.mark_focus_point_done(db, user, focus_point_id=focus_point_id)
    if htmx.is_htmx(request):
        names = accounts.display_names(db, user_ids={point.responsible_id})
        return render(request, "assessments/_focus_point.html", {"point": point, "names": names})
    if request.query_params.get("from") == "start":
        return htmx.redirect(request, request.url_for("pages:start").path + "#todo")
    back = request.url_for("assessments:detail", assessment_id=point.assessment_id).path
    return htmx.redirect(request, back + "#focus-points")


def _shown(summary: Summary) -> str:
    """What the summary panel shows, as a tick names it (``shown``): the level and which rule
    leads (``Summary.mode``)."""
    return f"{summary.level}:{summary.mode}"


def _saved_context(
    state: service.AssessmentState,
    *,
    ticked: str | None = None,
    error: str | None = None,
    shown: str | None = None,
) -> dict[str, Any]:
    summary = _summary(state)
    area = next((a for a in state.catalog.areas if any(i.id == ticked for i in a.indicators)), None)
    return {
        "ticked_area": area,
        "ticked_count": _area_counts(state.catalog, state.assessment.observed)[area.id]
        if area
        else 0,
        # The page already shows this level: a tick answers the rationale only (a smaller
        # answer on weak Wi-Fi), not the level's texts and actions.
        "rationale_only": shown == _shown(summary),
        # The abuse rule now applies, or no longer: the parents' fields follow (out of band).
        "parents_changed": shown is not None and shown.endswith(":1") != summary.critical,
        "parents_form": {},
        "errors": {},
        "assessment": state.assessment,
        "catalog": state.catalog,
        "summary": summary,
        "levels": catalogs.levels(),
        "saved_at": local_time(utcnow(), "%H:%M"),
        "save_error": error,
        "ticked": ticked is not None,
    }


@router.post("/assessments/{assessment_id}/observations", name="assessments:tick")
def tick(
    request: Request,
    db: DB,
    user: StaffOrLeader,
    assessment_id: int,
    indicator_id: Annotated[str, Form(max_length=200)],
    observed: Annotated[str, Form(pattern="^[01]$")],
    shown: Annotated[str | None, Form(pattern="^[1-4]:[012]$")] = None,
) -> Response:
    """Save one tick at once; HTMX gets the summary panel out of band (only its rationale when
    ``shown`` says the page already shows the resulting level), a plain post goes back to the
    questionnaire."""
    state = service.tick(
        db, user, assessment_id=assessment_id, indicator_id=indicator_id, observed=observed == "1"
    )
    if not htmx.is_htmx(request):
        return htmx.redirect(request, _detail_url(request, state.assessment))
    context = _saved_context(state, ticked=indicator_id, shown=shown)
    if not context["rationale_only"]:  # the summary panel is sent again, with whom to call
        context |= _calls(request, db, state.assessment.institution_id)
    return render(request, "assessments/_saved.html", context)


@router.post("/assessments/{assessment_id}/notes", name="assessments:notes")
def notes(
    request: Request,
    db: DB,
    user: StaffOrLeader,
    assessment_id: int,
    notes: Annotated[str | None, Form(max_length=MAX_TEXT_FIELD)] = None,
    resources: Annotated[str | None, Form(max_length=MAX_TEXT_FIELD)] = None,
) -> Response:
    """Autosave the free texts (either or both)."""
    try:
        state = service.save_draft(
            db, user, assessment_id=assessment_id, notes=notes, resources=resources
        )
    except Invalid as error:
        if not htmx.is_htmx(request):
            raise
        state = _draft_after_refusal(db, user, assessment_id)
        return render(
            request,
            "assessments/_saved.html",
            _saved_context(state, error=error.message),
            status_code=422,
        )
    if not htmx.is_htmx(request):
        return htmx.redirect(request, _detail_url(request, state.assessment))
    return render(request, "assessments/_saved.html", _saved_context(state))


def _parse_level(value: str) -> int | None:
    """The level the form names: none (the computed one), or ASCII digits only (``²`` and
    other Unicode digits are refused as any other text is); the service checks the range."""
    text = value.strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        raise Invalid.field("level_override.level", "Vælg et niveau fra 1 til 4.")
    return int(text)


def _parse_follow_up(value: str) -> dt.date | None:
    """The follow-up date; an empty field means the level's suggestion (None)."""
    message = "Skriv opfølgningsdatoen som en dato, fx 01.09.2025."
    return form_date(value, "follow_up_on", message=message)


def _save_whole_form(
    db: DB,
    user: User,
    assessment_id: int,
    observed: list[str] | None,
    notes: str,
    resources: str,
) -> service.AssessmentState:
    """Save the questionnaire as a plain form posts it: every tick (none ticked: none sent)
    and both texts."""
    return service.save_draft(
        db,
        user,
        assessment_id=assessment_id,
        observed=list(observed or []),
        notes=notes,
        resources=resources,
    )


@router.post("/assessments/{assessment_id}", name="assessments:save")
def save(
    request: Request,
    db: DB,
    user: StaffOrLeader,
    assessment_id: int,
    observed: Annotated[list[str] | None, Form()] = None,
    notes: Annotated[str, Form(max_length=MAX_TEXT_FIELD)] = "",
    resources: Annotated[str, Form(max_length=MAX_TEXT_FIELD)] = "",
) -> Response:
    """Save the whole form (all ticks and both texts) without JavaScript."""
    try:
        state = _save_whole_form(db, user, assessment_id, observed, notes, resources)
    except Invalid as error:
        state = _draft_after_refusal(db, user, assessment_id)
        context = _questionnaire_context(request, db, user, state, errors=_field_errors(error))
        context["texts"] = {"notes": notes, "resources": resources}
        return render(request, "assessments/questionnaire.html", context, status_code=422)
    return htmx.redirect(request, _detail_url(request, state.assessment) + "?saved=1")


@router.post("/assessments/{assessment_id}/finish", name="assessments:finish")
def finish(
    request: Request,
    db: DB,
    user: StaffOrLeader,
    assessment_id: int,
    level: Annotated[str, Form(max_length=2)] = "",
    reason: Annotated[str, Form(max_length=MAX_TEXT_FIELD)] = "",
    follow_up_on: Annotated[str, Form(max_length=20)] = "",
    draft_fields: Annotated[str, Form(max_length=1)] = "",
    confirmed: Annotated[str, Form(max_length=1)] = "",
    observed: Annotated[list[str] | None, Form()] = None,
    notes: Annotated[str, Form(max_length=MAX_TEXT_FIELD)] = "",
    resources: Annotated[str, Form(max_length=MAX_TEXT_FIELD)] = "",
    fp_text: Annotated[list[str] | None, Form()] = None,
    fp_who: Annotated[list[str] | None, Form()] = None,
    fp_responsible: Annotated[list[str] | None, Form()] = None,
    fp_due_on: Annotated[list[str] | None, Form()] = None,
    parents_involvement: Annotated[str, Form(max_length=20)] = "",
    parents_on: Annotated[str, Form(max_length=20)] = "",
    parents_how: Annotated[str, Form(max_length=MAX_TEXT_FIELD)] = "",
) -> Response:
    """Finish the draft with the computed level or the user's own (with a reason), its
    focus points (required at level 2 or higher) and the parents' note (never when the
    abuse rule applies).

    Finishing is final, so it takes two steps: the finish button shows what will be stored
    and that it cannot be changed (nothing is finished yet); ``confirmed=1`` finishes.
    Without JavaScript the finish button submits the whole questionnaire
    (``draft_fields=1``): its ticks and texts are saved first, and stay saved when the
    finishing is refused or not confirmed.
    """
    finish_form = {"level": level, "reason": reason, "follow_up_on": follow_up_on}
    focus_form = plan_form.focus_form(fp_text, fp_who, fp_responsible, fp_due_on)
    parents_form = {"involvement": parents_involvement, "on": parents_on, "how": parents_how}
    try:
        if draft_fields == "1":
            _save_whole_form(db, user, assessment_id, observed, notes, resources)
        chosen_level, chosen_date = _parse_level(level), _parse_follow_up(follow_up_on)
        focus_points = plan_form.focus_inputs(focus_form)
        parents = plan_form.parents_input(parents_form)
        if confirmed != "1":
            preview, decision = service.preview_finish(
                db,
                user,
                assessment_id=assessment_id,
                level=chosen_level,
                reason=reason,
                follow_up_on=chosen_date,
                focus_points=focus_points,
                parents=parents,
            )
            child = children_scope.get_child_for(
                db, user, child_id=preview.assessment.child_id, purpose="afslutning"
            )
            return render(
                request,
                "assessments/confirm_finish.html",
                {
                    "assessment": preview.assessment,
                    "child": child,
                    "decision": decision,
                    "finish": finish_form,
                    "focus_form": focus_form,
                    "parents_form": parents_form,
                    "names": dict(service.colleagues(db, user)),
                    "levels": catalogs.levels(),
                },
                fragment="assessments/_confirm_finish.html",
            )
        state = service.finish(
            db,
            user,
            assessment_id=assessment_id,
            level=chosen_level,
            reason=reason,
            follow_up_on=chosen_date,
            focus_points=focus_points,
            parents=parents,
        )
    except Invalid as error:
        context = _questionnaire_context(
            request,
            db,
            user,
            _draft_after_refusal(db, user, assessment_id),
            finish_form=finish_form,
            errors=_field_errors(error),
            focus_form=focus_form,
            parents_form=parents_form,
        )
        if draft_fields == "1":
            context["texts"] = {"notes": notes, "resources": resources}
        return render(
            request,
            "assessments/questionnaire.html",
            context,
            status_code=422,
            fragment="assessments/_finish.html",
        )
    return htmx.redirect(request, _detail_url(request, state.assessment))
