"""HTML: start a joint assessment from the child's page, the joint page (who has submitted;
the comparison side by side once all have; the team's joint assessment), and the leader's
agreement figures. The individual assessment is the ordinary questionnaire (a draft of kind
``individual``); this domain adds its notice there and its section to the child's page through
page hooks (``install``). Every form works without JavaScript; HTMX enhances the same URLs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response
from starlette.applications import Starlette

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.assessments import plan_form
from app.assessments import service as assessments
from app.assessments.models import Assessment, AssessmentKind
from app.catalogs import service as catalogs
from app.children import scope as children_scope
from app.errors import Invalid
from app.guide.schema import Area, Catalog, Indicator
from app.joint import service
from app.joint.models import JointStatus
from app.web import htmx
from app.web.deps import DB, AnyUser, StaffOrLeader, db_of
from app.web.forms import form_error_response
from app.web.routing import make_router
from app.web.templating import add_page_hook, render

router = make_router(include_in_schema=False)

MAX_TEXT_FIELD = 12_000
STATUS_LABELS = {
    JointStatus.COLLECTING: "Venter på egne vurderinger",
    JointStatus.READY: "Klar til fælles vurdering",
    JointStatus.FINISHED: "Afsluttet",
}


@dataclass(frozen=True)
class SignRow:
    """One sign in the comparison: who ticked it, and whether all agree."""

    indicator: Indicator
    ticked_by: list[str]
    agreed: bool


@dataclass(frozen=True)
class AreaRows:
    """The compared signs of one area, in catalog order."""

    area: Area
    rows: list[SignRow]


def _compared_areas(catalog: Catalog, view: service.JointView) -> list[AreaRows]:
    comparison = view.comparison
    if comparison is None:
        return []
    agreed = set(comparison.agreed)
    areas = []
    for area in catalog.areas:
        rows = [
            SignRow(
                indicator=indicator,
                ticked_by=[view.name_of(u) for u in comparison.ticked_by[indicator.id]],
                agreed=indicator.id in agreed,
            )
            for indicator in area.indicators
            if indicator.id in comparison.ticked_by
        ]
        if rows:
            areas.append(AreaRows(area, rows))
    return areas


def _catalog_of(db: DB, view: service.JointView) -> Catalog | None:
    """The catalog the individual assessments used (the first one's version)."""
    if not view.individuals:
        return None
    first = view.individuals[0]
    return catalogs.get_version(db, catalog_id=first.catalog_id, version=first.catalog_version)


def _critical(catalog: Catalog, observed: set[str]) -> bool:
    """Whether the signs ticked on the team's form make the result critical (the abuse
    rule: then the parents' note is not offered, as on an assessment's finish step)."""
    known = {i.id for area in catalog.areas for i in area.indicators}
    return catalogs.evaluate_observed(catalog, sorted(observed & known)).critical


def _page_context(
    db: DB,
    user: User,
    view: service.JointView,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    catalog = _catalog_of(db, view)
    comparison = view.comparison
    levels = catalogs.levels()
    chosen = form or {}
    observed = set(chosen.get("observed", comparison.agreed if comparison else []))
    asks_plan = view.status == JointStatus.READY and view.is_participant
    critical = catalog is not None and asks_plan and _critical(catalog, observed)
    return {
        "view": view,
        "joint": view.joint,
        "child": view.child,
        "status_label": STATUS_LABELS[view.status],
        "catalog": catalog,
        "areas": _compared_areas(catalog, view) if catalog else [],
        "levels": levels,
        "level_rows": [(view.name_of(u), level) for u, level in comparison.levels]
        if comparison
        else [],
        "level_options": [(n, f"Niveau {n}: {levels.level(n).name}") for n in (1, 2, 3, 4)],
        "joint_observed": observed,
        "form": chosen,
        "errors": errors or {},
        "others_hidden": view.individuals is None,
        # The team's plan, asked exactly as on an assessment's finish step (the same
        # templates; their fields belong to this page's form).
        "plan_form": "joint-finish-form",
        "focus_rows": plan_form.focus_rows(chosen.get("focus_points"), user),
        "parents_form": chosen.get("parents", {}),
        "colleagues": assessments.colleagues(db, user) if asks_plan else [],
        "summary": {"critical": critical},
    }


def _detail_url(request: Request, joint_id: int) -> str:
    return request.url_for("joint:detail", joint_id=joint_id).path


@router.get("/children/{child_id}/joint-assessments/new", name="joint:new")
def new(request: Request, db: DB, user: StaffOrLeader, child_id: int) -> Response:
    """Pick the participants of a new joint assessment (oneself included)."""
    child = children_scope.get_child_for(db, user, child_id=child_id, purpose="fælles vurdering")
    return render(
        request,
        "joint/new.html",
        {
            "child": child,
            "colleagues": service.colleagues(db, user),
            "chosen": {user.id},
            "errors": {},
        },
    )


@router.post("/children/{child_id}/joint-assessments", name="joint:create")
def create(
    request: Request,
    db: DB,
    user: StaffOrLeader,
    child_id: int,
    participant_ids: Annotated[list[str] | None, Form(max_length=20)] = None,
) -> Response:
    """Start the joint assessment; then to its page."""
    chosen = participant_ids or []
    try:
        ids = [int(v) for v in chosen if v.isascii() and v.isdigit()]
        if len(ids) != len(chosen):
            raise Invalid.field("participant_ids", "Vælg deltagerne på listen.")
        joint = service.start(db, user, child_id=child_id, participant_ids=ids)
    except Invalid as error:
        child = children_scope.get_child_for(
            db, user, child_id=child_id, purpose="fælles vurdering"
        )
        picked = {int(v) for v in chosen if v.isascii() and v.isdigit()}
        return form_error_response(
            request,
            "joint/new.html",
            {"child": child, "colleagues": service.colleagues(db, user), "chosen": picked},
            error,
        )
    return htmx.redirect(request, _detail_url(request, joint.id or 0))


@router.get("/joint-assessments/{joint_id}", name="joint:detail")
def detail(request: Request, db: DB, user: StaffOrLeader, joint_id: int) -> Response:
    """The joint assessment: status and who has submitted; once the caller has submitted
    (and all have), the comparison and the team's joint assessment."""
    view = service.get(db, user, joint_id=joint_id)
    return render(
        request, "joint/detail.html", _page_context(db, user, view), fragment="joint/_joint.html"
    )


@router.post("/joint-assessments/{joint_id}/individual", name="joint:individual")
def individual(request: Request, db: DB, user: StaffOrLeader, joint_id: int) -> Response:
    """Open the caller's own individual assessment (the questionnaire, a draft of their own)."""
    assessment = service.open_individual(db, user, joint_id=joint_id)
    url = request.url_for("assessments:detail", assessment_id=assessment.id).path
    return htmx.redirect(request, url)


def _parse_level(value: str) -> int | None:
    text = value.strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        raise Invalid.field("level_override.level", "Vælg et niveau fra 1 til 4.")
    return int(text)


FIELD_NAMES = {"level_override.level": "level", "level_override.reason": "reason"}


@router.post("/joint-assessments/{joint_id}/finish", name="joint:finish")
def finish(
    request: Request,
    db: DB,
    user: StaffOrLeader,
    joint_id: int,
    observed: Annotated[list[str] | None, Form()] = None,
    notes: Annotated[str, Form(max_length=MAX_TEXT_FIELD)] = "",
    level: Annotated[str, Form(max_length=2)] = "",
    reason: Annotated[str, Form(max_length=MAX_TEXT_FIELD)] = "",
    confirmed: Annotated[str, Form(max_length=1)] = "",
    fp_text: Annotated[list[str] | None, Form()] = None,
    fp_who: Annotated[list[str] | None, Form()] = None,
    fp_responsible: Annotated[list[str] | None, Form()] = None,
    fp_due_on: Annotated[list[str] | None, Form()] = None,
    parents_involvement: Annotated[str, Form(max_length=20)] = "",
    parents_on: Annotated[str, Form(max_length=20)] = "",
    parents_how: Annotated[str, Form(max_length=MAX_TEXT_FIELD)] = "",
) -> Response:
    """Finish the joint assessment with the signs the team agreed (a finished assessment of
    kind ``joint``), the team's focus points (required at level 2 or higher) and the parents'
    note (never when the abuse rule applies), as an assessment's finish step asks them;
    asks for the confirmation that it is final."""
    focus_form = plan_form.focus_form(fp_text, fp_who, fp_responsible, fp_due_on)
    parents_form = {"involvement": parents_involvement, "on": parents_on, "how": parents_how}
    form = {
        "observed": list(observed or []),
        "notes": notes,
        "level": level,
        "reason": reason,
        "focus_points": focus_form,
        "parents": parents_form,
    }
    try:
        focus_points = plan_form.focus_inputs(focus_form)
        parents = plan_form.parents_input(parents_form)
        if confirmed != "1":
            raise Invalid.field(
                "confirmed", "Bekræft, at I er enige, og at den fælles vurdering er endelig."
            )
        state = service.finish(
            db,
            user,
            joint_id=joint_id,
            observed=list(observed or []),
            notes=notes,
            level=_parse_level(level),
            reason=reason,
            # the page always asks (it sends its rows): at level 2 or higher one is needed
            focus_points=focus_points,
            parents=parents,
        )
    except Invalid as error:
        view = service.get(db, user, joint_id=joint_id)
        errors = {FIELD_NAMES.get(k, k): v for k, v in error.field_messages().items()}
        return render(
            request,
            "joint/detail.html",
            _page_context(db, user, view, form=form, errors=errors or {"form": error.message}),
            status_code=422,
            fragment="joint/_joint.html",
        )
    url = request.url_for("assessments:detail", assessment_id=state.assessment.id).path
    return htmx.redirect(request, url)


@router.get("/institutions/{institution_id}/agreement", name="joint:agreement")
def agreement(request: Request, db: DB, user: AnyUser, institution_id: int) -> Response:
    """The leader's agreement figures: how often individual levels matched the joint one."""
    figures = service.agreement_for(db, user, institution_id=institution_id)
    return render(request, "joint/agreement.html", {"figures": figures})


# --- Page hooks --------------------------------------------------------------------------


def child_context(request: Request, page: Mapping[str, Any]) -> dict[str, Any]:
    """On the child's page: its joint assessments (who has submitted; individual ones under a
    finished joint one) and the start of a new one."""
    db = db_of(request)
    user = accounts.get_user(db, user_id=page["current_user"].id)
    return {"joint_section": service.for_child(db, user, page["child"])}


def assessment_context(request: Request, page: Mapping[str, Any]) -> dict[str, Any]:
    """On the questionnaire and result of an individual or joint assessment: which joint
    assessment it belongs to, and the independence rule in a sentence."""
    assessment: Assessment = page["assessment"]
    if assessment.kind == AssessmentKind.SINGLE:
        return {"joint_notice": None}
    joint = service.for_assessment(db_of(request), assessment_id=assessment.id or 0)
    return {"joint_notice": {"joint": joint, "kind": assessment.kind} if joint else None}


def install(app: Starlette) -> None:
    """Register this domain's page hooks (called once by ``create_app``)."""
    add_page_hook(app, "children/detail.html", child_context)
    add_page_hook(app, "assessments/questionnaire.html", assessment_context)
    add_page_hook(app, "assessments/result.html", assessment_context)
    app.state.templates.env.globals["joint_status_labels"] = STATUS_LABELS
    app.state.templates.env.globals["leader_role"] = Role.LEADER
