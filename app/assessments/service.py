"""Assessments: start or resume a draft, tick indicators, finish; and the API's one-shot create."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import sqlalchemy as sa
from sqlmodel import Session

from app import messages
from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.assessments import scope
from app.assessments.models import (
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    FocusPoint,
    ParentContact,
    ParentsInvolvement,
)
from app.assessments.schemas import (
    FOCUS_TEXT_MAX,
    FOCUS_WHO_MAX,
    MAX_FOCUS_POINTS,
    PARENTS_HOW_MAX,
    AssessmentRead,
    AssessmentResult,
    FocusPointCreate,
    ParentsCreate,
)
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.catalogs import service as catalogs
from app.catalogs.schemas import IndicatorRead, RationaleRead
from app.children import scope as children_scope
from app.children.models import Child
from app.db import (
    delete_with_dependents,
    forget_deleted,
    id_of,
    local_today,
    referenced_ids,
    table_of,
    utcnow,
)
from app.errors import Conflict, Invalid
from app.guide.engine import Evaluation, recommended_actions
from app.guide.schema import LEVEL_KEYS, Catalog, Indicator, age_in_years

MAX_TEXT = 10_000
MAX_REASON = 2_000


@dataclass(frozen=True)
class AssessmentState:
    """An assessment with its catalog version and the evaluation of what it observed."""

    assessment: Assessment
    catalog: Catalog
    evaluation: Evaluation
    focus_points: tuple[FocusPoint, ...] = ()
    parents: ParentContact | None = None

    @property
    def level(self) -> int:
        """The final level: the professional's, else the computed one."""
        return self.assessment.level or self.evaluation.level

    def observed_indicators(self) -> list[Indicator]:
        """The observed indicators with their texts, in catalog order."""
        return [self.catalog.indicator(i) for i in self.evaluation.observed]

    @cached_property
    def result(self) -> AssessmentResult:
        """What the assessment concludes: the stored result once it is finished, the live
        evaluation of its ticks while it is a draft (the one place that tells them apart)."""
        if self.assessment.status == AssessmentStatus.FINISHED:
            return finished_result(self.assessment)
        return _live_result(self.catalog, self.evaluation)

    def read(self) -> AssessmentRead:
        """The api.md shape of this assessment."""
        return AssessmentRead.of(
            self.assessment, self.result, focus_points=self.focus_points, parents=self.parents
        )


def finished_result(assessment: Assessment) -> AssessmentResult:
    """What a finished assessment stored when it was finished (its ``result`` snapshot and
    its level columns), with no catalog lookup: for concerns and summaries."""
    ensure_finished(assessment)
    return AssessmentResult.model_validate(
        {
            **assessment.result,
            "level": assessment.level,
            "computed_level": assessment.computed_level,
            "critical": assessment.critical,
            "override_reason": assessment.override_reason,
        }
    )


_COLUMNS = frozenset({"level", "computed_level", "critical", "override_reason"})
"""Fields of ``AssessmentResult`` kept in the assessment's own columns, not in ``result``."""


def _live_result(
    catalog: Catalog, evaluation: Evaluation, *, level: int | None = None, reason: str = ""
) -> AssessmentResult:
    """The result of an evaluation, at the computed level or at the professional's own."""
    chosen = level or evaluation.level
    actions = (
        evaluation.recommended_actions
        if chosen == evaluation.level
        else recommended_actions(chosen, critical=evaluation.critical, levels=catalogs.levels())
    )
    return AssessmentResult(
        level=chosen,
        computed_level=evaluation.level,
        level_key=LEVEL_KEYS[chosen],
        critical=evaluation.critical,
        rationale=[RationaleRead(**item.model_dump()) for item in evaluation.rationale],
        recommended_actions=list(actions),
        parents_may_be_informed=evaluation.parents_may_be_informed,
        urgent=evaluation.critical or chosen == 4,
        observed_indicators=[IndicatorRead.of(catalog.indicator(i)) for i in evaluation.observed],
        override_reason=reason,
        acute=evaluation.acute,
        escalated_from=evaluation.escalated_from,
        strengths=list(evaluation.strengths),
    )


def _evaluate(catalog: Catalog, observed: Iterable[str]) -> Evaluation:
    return catalogs.evaluate_observed(catalog, observed)


def state_of(session: Session, assessment: Assessment) -> AssessmentState:
    """The assessment evaluated against the catalog version it is pinned to, with its focus
    points and what was noted about the parents (once finished)."""
    return states_of(session, [assessment])[0]


def states_of(session: Session, assessments: Sequence[Assessment]) -> list[AssessmentState]:
    """``state_of`` for several assessments, with their focus points and parents in two
    queries for all of them (a child's history is no N+1)."""
    finished = [id_of(a) for a in assessments if a.status == AssessmentStatus.FINISHED]
    points = scope.focus_points_of(session, finished)
    parents = scope.parent_contacts_of(session, finished)
    states = []
    for assessment in assessments:
        catalog = catalogs.get_version(
            session, catalog_id=assessment.catalog_id, version=assessment.catalog_version
        )
        states.append(
            AssessmentState(
                assessment,
                catalog,
                _evaluate(catalog, assessment.observed),
                focus_points=points.get(assessment.id or 0, ()),
                parents=parents.get(assessment.id or 0),
            )
        )
    return states


def reads_of(
    session: Session,
    assessments: Sequence[Assessment],
    *,
    any_focus_points: bool = True,
    any_parents: bool = True,
) -> list[AssessmentRead]:
    """The api.md shape of assessments: a finished one from what it stored (no catalog, no
    evaluation: a child's history is mostly finished ones), a draft evaluated live; focus
    points and the parents' note of all of them in two queries, left out when the caller
    knows there are none (``any_focus_points``/``any_parents`` false: the child's read)."""
    finished = [id_of(a) for a in assessments if a.status == AssessmentStatus.FINISHED]
    points = scope.focus_points_of(session, finished if any_focus_points else ())
    parents = scope.parent_contacts_of(session, finished if any_parents else ())
    reads = []
    for assessment in assessments:
        if assessment.status == AssessmentStatus.FINISHED:
            reads.append(
                AssessmentRead.of(
                    assessment,
                    finished_result(assessment),
                    focus_points=points.get(id_of(assessment), ()),
                    parents=parents.get(id_of(assessment)),
                )
            )
        else:
            reads.append(state_of(session, assessment).read())
    return reads


def read_of(session: Session, assessment: Assessment) -> AssessmentRead:
    """``reads_of`` for one assessment."""
    return reads_of(session, [assessment])[0]


def _audit_detail(assessment: Assessment, detail: str) -> str:
    """What the audit log says about a change: an individual assessment's ticks and level are
    never written there (the log is read by others than its author: the independence rule)."""
    if assessment.kind == AssessmentKind.INDIVIDUAL:
        return "egen vurdering til fælles vurdering"
    return detail[:500]


def _check_text(field: str, value: str, limit: int = MAX_TEXT) -> str:
    if len(value) > limit:
        raise Invalid.field(field, f"Teksten må højst være {limit} tegn.")
    return value.strip()


def catalog_for_child(session: Session, child: Child, *, on: dt.date | None = None) -> Catalog:
    """The published catalog for the child's age on ``on`` (default: today in Denmark)."""
    years = age_in_years(child.birth_date, on or local_today())
    return catalogs.for_age(session, years=years)


def start_or_resume(session: Session, actor: User, *, child_id: int) -> Assessment:
    """The actor's open draft for the child, or a new one on the catalog for its age today."""
    child = children_scope.get_child_for(session, actor, child_id=child_id, purpose="ny vurdering")
    draft = scope.draft_of(session, actor, child)
    if draft is not None:
        return draft
    return _new_draft(session, actor, child, kind=AssessmentKind.SINGLE)


def start_individual(session: Session, actor: User, *, child_id: int) -> Assessment:
    """A new draft of the actor's individual assessment of the child (their part of a joint
    assessment, which keeps its id): the same questionnaire, autosaved, the author's alone."""
    child = children_scope.get_child_for(
        session, actor, child_id=child_id, purpose="egen vurdering"
    )
    return _new_draft(session, actor, child, kind=AssessmentKind.INDIVIDUAL)


def _new_draft(session: Session, actor: User, child: Child, *, kind: AssessmentKind) -> Assessment:
    catalog = catalog_for_child(session, child)
    evaluation = _evaluate(catalog, [])
    assessment = Assessment(
        child_id=id_of(child),
        institution_id=child.institution_id,
        kind=kind,
        status=AssessmentStatus.DRAFT,
        catalog_id=catalog.id,
        catalog_version=catalog.version,
        observed=[],
        computed_level=evaluation.level,
        created_by=id_of(actor),
    )
    session.add(assessment)
    session.flush()
    audit.record(
        session,
        actor,
        AuditTag.ASSESSMENT_CREATE,
        object_type="assessment",
        object_id=assessment.id,
        child_id=child.id,
        detail=f"{catalog.id} v{catalog.version}",
    )
    return assessment


def _store_observed(
    session: Session,
    actor: User,
    assessment: Assessment,
    observed: Iterable[str],
    detail: str,
    *,
    in_core: bool = False,
) -> AssessmentState:
    """Evaluate the ticks, store them with what they evaluate to, and audit the save:
    through the session's unit of work, or (``in_core``, for a draft read in Core and held
    by no session) with one UPDATE of the columns a tick changes."""
    catalog = catalogs.get_version(
        session, catalog_id=assessment.catalog_id, version=assessment.catalog_version
    )
    evaluation = _evaluate(catalog, observed)
    assessment.observed = list(evaluation.observed)
    assessment.computed_level = evaluation.level
    assessment.critical = evaluation.critical
    assessment.updated_at = utcnow()
    if in_core:
        session.execute(
            _TICK_UPDATE,
            {
                "assessment_id": assessment.id,
                "observed": assessment.observed,
                "computed_level": assessment.computed_level,
                "critical": assessment.critical,
                "updated_at": assessment.updated_at,
            },
        )
    else:
        session.add(assessment)
        session.flush()
    audit.record(
        session,
        actor,
        AuditTag.ASSESSMENT_SAVE,
        object_type="assessment",
        object_id=assessment.id,
        child_id=assessment.child_id,
        detail=_audit_detail(assessment, detail),
    )
    return AssessmentState(assessment, catalog, evaluation)


def tick(
    session: Session, actor: User, *, assessment_id: int, indicator_id: str, observed: bool
) -> AssessmentState:
    """Mark one indicator as observed or not; saved at once.

    The hot path of the questionnaire (every checkbox): the draft is read in one Core SELECT
    and written back with one Core UPDATE of the columns a tick changes, not through the
    ORM's load and unit of work (issue 16); the same checks, columns and audit rows as
    ``save_draft``. A draft this session has already loaded is changed through the ORM
    instead, so that what the session holds stays what is stored."""
    sign = "+" if observed else "−"
    if scope.is_loaded(session, assessment_id=assessment_id):
        draft = scope.get_draft_for_author(session, actor, assessment_id=assessment_id)
        ticks = _toggled(draft.observed, indicator_id, observed_now=observed)
        return _store_observed(session, actor, draft, ticks, f"{sign}{indicator_id}")
    assessment = scope.draft_row_for_author(session, actor, assessment_id=assessment_id)
    ticks = _toggled(assessment.observed, indicator_id, observed_now=observed)
    return _store_observed(session, actor, assessment, ticks, f"{sign}{indicator_id}", in_core=True)


def _toggled(observed: Iterable[str], indicator_id: str, *, observed_now: bool) -> set[str]:
    """The ticks with ``indicator_id`` added (observed) or taken away."""
    current = set(observed)
    if observed_now:
        current.add(indicator_id)
    else:
        current.discard(indicator_id)
    return current


_TICK_UPDATE = (
    sa.update(table_of(Assessment))
    .where(table_of(Assessment).c.id == sa.bindparam("assessment_id"))
    .values(
        observed=sa.bindparam("observed"),
        computed_level=sa.bindparam("computed_level"),
        critical=sa.bindparam("critical"),
        updated_at=sa.bindparam("updated_at"),
    )
)
"""What a tick writes: the ticks and what they evaluate to, and when."""


def save_draft(
    session: Session,
    actor: User,
    *,
    assessment_id: int,
    observed: list[str] | None = None,
    notes: str | None = None,
    resources: str | None = None,
) -> AssessmentState:
    """Save what the form holds (all ticks, and/or the free texts)."""
    assessment = scope.get_draft_for_author(session, actor, assessment_id=assessment_id)
    if notes is not None:
        assessment.notes = _check_text("notes", notes)
    if resources is not None:
        assessment.resources = _check_text("resources", resources)
    chosen = assessment.observed if observed is None else observed
    fields = [
        name
        for name, v in (("afkrydsninger", observed), ("noter", notes), ("ressourcer", resources))
        if v is not None
    ]
    return _store_observed(session, actor, assessment, chosen, "gemt: " + ", ".join(fields))


def follow_up_for(level: int, *, critical: bool = False) -> dt.date | None:
    """The follow-up date a level suggests (levels.yaml ``follow_up_days``) from today in
    Denmark; a critical result follows level 4's."""
    days = catalogs.levels().level(4 if critical else level).follow_up_days
    return local_today() + dt.timedelta(days=days) if days is not None else None


@dataclass(frozen=True)
class FinishDefaults:
    """What the finish form offers before the professional chooses: the computed level and
    the follow-up date it suggests."""

    level: int
    follow_up_on: dt.date | None


def finish_defaults(state: AssessmentState) -> FinishDefaults:
    """The finish form's starting choices for a draft."""
    result = state.result
    return FinishDefaults(
        level=result.computed_level,
        follow_up_on=follow_up_for(result.computed_level, critical=result.critical),
    )


@dataclass(frozen=True)
class FocusPointInput:
    """A focus point as the finish step gives it (the form or a JSON body)."""

    text: str
    who: str = ""
    responsible_id: int | None = None
    due_on: dt.date | None = None


@dataclass(frozen=True)
class ParentsInput:
    """The parents informed or involved, as the finish step gives it."""

    involvement: str
    on: dt.date | None
    how: str


@dataclass(frozen=True)
class FollowUpPlan:
    """The checked focus points (responsible and date filled in) and parents' note."""

    focus_points: tuple[FocusPointInput, ...] = ()
    parents: ParentsInput | None = None


def focus_point_inputs(points: list[FocusPointCreate] | None) -> list[FocusPointInput] | None:
    """The API's focus points for the service (None stays None: nothing was asked)."""
    if points is None:
        return None
    return [FocusPointInput(p.text, p.who or "", p.responsible_id, p.due_on) for p in points]


def parents_input(parents: ParentsCreate | None) -> ParentsInput | None:
    """The API's parents' note for the service."""
    return ParentsInput(parents.involvement, parents.on, parents.how) if parents else None


@dataclass(frozen=True)
class FinishDecision:
    """What finishing would store: the result at the final level, the follow-up date, and
    the focus points and parents' note."""

    result: AssessmentResult
    follow_up_on: dt.date | None
    plan: FollowUpPlan = FollowUpPlan()


def _decide(
    state: AssessmentState, *, level: int | None, reason: str, follow_up_on: dt.date | None
) -> FinishDecision:
    """The finishing rules: no level, or the computed one, keeps the computed level; another
    needs a reason and can never lower a critical result; no follow-up date means the one
    the final level suggests; a given date may not lie in the past."""
    evaluation = state.evaluation
    chosen = evaluation.level
    why = ""
    if level is not None and level != evaluation.level:
        if level not in (1, 2, 3, 4):
            raise Invalid.field("level_override.level", "Vælg et niveau fra 1 til 4.")
        why = _check_text("level_override.reason", reason, MAX_REASON)
        if not why:
            raise Invalid.field(
                "level_override.reason",
                "Skriv en begrundelse, når du vælger et andet niveau end det beregnede.",
            )
        if evaluation.critical and level < 4:
            raise Invalid.field(
                "level_override.level",
                "Et kritisk tegn (mistanke om vold eller overgreb) kan ikke vurderes under "
                "niveau 4: underret kommunen nu.",
            )
        chosen = level
    if follow_up_on is not None and follow_up_on < local_today():
        raise Invalid.field("follow_up_on", "Opfølgningsdatoen ligger i fortiden.")
    return FinishDecision(
        result=_live_result(state.catalog, evaluation, level=chosen, reason=why),
        follow_up_on=follow_up_on or follow_up_for(chosen, critical=evaluation.critical),
    )


def _check_plan(
    session: Session,
    actor: User,
    assessment: Assessment,
    decision: FinishDecision,
    focus_points: list[FocusPointInput] | None,
    parents: ParentsInput | None,
) -> FinishDecision:
    """The follow-up rules of the finish step. ``focus_points`` None means the caller did not
    ask (an api.md client, an older offline device): nothing is required. A list means the
    finish step asked: at level 2 or higher it needs at least one; each needs a text and a
    date (default: the assessment's follow-up date) not in the past, and a responsible
    colleague of the institution (default: the assessor). The parents may never be noted
    when the abuse rule applies."""
    errors: list[dict[str, str]] = []
    checked: list[FocusPointInput] = []
    colleagues: set[int] | None = None
    today = local_today()
    given = [p for p in focus_points or [] if p.text.strip() or p.who.strip()]
    if len(given) > MAX_FOCUS_POINTS:
        limit = messages.FOCUS_POINTS_TOO_MANY.format(limit=MAX_FOCUS_POINTS)
        errors.append({"field": "focus_points", "message": limit})
    for n, point in enumerate(given[:MAX_FOCUS_POINTS], start=1):
        where = f"focus_points[{n - 1}]"
        text = point.text.strip()[:FOCUS_TEXT_MAX]
        due = point.due_on or decision.follow_up_on
        responsible = point.responsible_id or id_of(actor)
        if not text:
            errors.append(
                {"field": f"{where}.text", "message": messages.FOCUS_POINT_TEXT.format(n=n)}
            )
        if due is None:
            errors.append(
                {"field": f"{where}.due_on", "message": messages.FOCUS_POINT_DUE.format(n=n)}
            )
        elif due < today:
            errors.append(
                {"field": f"{where}.due_on", "message": messages.FOCUS_POINT_PAST.format(n=n)}
            )
        if responsible != actor.id:
            if colleagues is None:
                colleagues = {
                    user_id
                    for user_id, _ in accounts.colleague_names(
                        session, institution_id=assessment.institution_id
                    )
                }
            if responsible not in colleagues:
                errors.append(
                    {
                        "field": f"{where}.responsible_id",
                        "message": messages.FOCUS_POINT_RESPONSIBLE.format(n=n),
                    }
                )
        checked.append(FocusPointInput(text, point.who.strip()[:FOCUS_WHO_MAX], responsible, due))
    # One participant's part of a joint assessment is not where the adults' plan is made:
    # the team agrees it on the joint assessment.
    plan_asked = assessment.kind != AssessmentKind.INDIVIDUAL
    if focus_points is not None and not given and decision.result.level >= 2 and plan_asked:
        errors.append({"field": "focus_points", "message": messages.FOCUS_POINTS_REQUIRED})
    note = None
    if parents is not None:
        if not decision.result.parents_may_be_informed:
            errors.append({"field": "parents", "message": messages.PARENTS_ABUSE_RULE})
        else:
            how = parents.how.strip()[:PARENTS_HOW_MAX]
            if parents.involvement not in set(ParentsInvolvement):
                errors.append({"field": "parents.involvement", "message": messages.PARENTS_HOW})
            if parents.on is None or parents.on > today:
                errors.append({"field": "parents.on", "message": messages.PARENTS_DATE})
            if not how:
                errors.append({"field": "parents.how", "message": messages.PARENTS_HOW})
            note = ParentsInput(parents.involvement, parents.on, how)
    if errors:
        raise Invalid(errors[0]["message"], details=errors)
    return FinishDecision(
        decision.result, decision.follow_up_on, FollowUpPlan(tuple(checked), note)
    )


def _store_plan(
    session: Session, actor: User, assessment: Assessment, plan: FollowUpPlan
) -> tuple[tuple[FocusPoint, ...], ParentContact | None]:
    """Store the checked focus points and parents' note of a just finished assessment."""
    points = tuple(
        FocusPoint(
            assessment_id=id_of(assessment),
            child_id=assessment.child_id,
            institution_id=assessment.institution_id,
            position=n,
            text=point.text,
            who=point.who,
            responsible_id=point.responsible_id or id_of(actor),
            due_on=point.due_on or local_today(),
        )
        for n, point in enumerate(plan.focus_points)
    )
    contact = None
    if plan.parents is not None and plan.parents.on is not None:
        contact = ParentContact(
            assessment_id=id_of(assessment),
            involvement=plan.parents.involvement,
            happened_on=plan.parents.on,
            how=plan.parents.how,
            created_by=id_of(actor),
        )
    session.add_all([*points, *([contact] if contact else [])])
    session.flush()
    return points, contact


def _plan_detail(plan: FollowUpPlan) -> str:
    parts = [f"{len(plan.focus_points)} fokuspunkter"] if plan.focus_points else []
    if plan.parents is not None:
        parts.append(
            "forældre " + ("inddraget" if plan.parents.involvement == "involved" else "orienteret")
        )
    return (", " + ", ".join(parts)) if parts else ""


def _apply_finish(assessment: Assessment, state: AssessmentState, decision: FinishDecision) -> None:
    result = decision.result
    assessment.computed_level = result.computed_level
    assessment.level = result.level
    assessment.override_reason = result.override_reason
    assessment.critical = result.critical
    assessment.observed = list(state.evaluation.observed)
    assessment.follow_up_on = decision.follow_up_on
    assessment.result = result.model_dump(mode="json", exclude=set(_COLUMNS))
    assessment.status = AssessmentStatus.FINISHED
    assessment.finished_at = utcnow()
    assessment.updated_at = assessment.finished_at


def preview_finish(
    session: Session,
    actor: User,
    *,
    assessment_id: int,
    level: int | None = None,
    reason: str = "",
    follow_up_on: dt.date | None = None,
    focus_points: list[FocusPointInput] | None = None,
    parents: ParentsInput | None = None,
) -> tuple[AssessmentState, FinishDecision]:
    """What finishing the draft with these choices would store, checked by the same rules
    and stored nowhere: for the confirmation before the final step."""
    assessment = scope.get_draft_for_author(session, actor, assessment_id=assessment_id)
    state = state_of(session, assessment)
    decision = _decide(state, level=level, reason=reason, follow_up_on=follow_up_on)
    return state, _check_plan(session, actor, assessment, decision, focus_points, parents)


def finish(
    session: Session,
    actor: User,
    *,
    assessment_id: int,
    level: int | None = None,
    reason: str = "",
    follow_up_on: dt.date | None = None,
    focus_points: list[FocusPointInput] | None = None,
    parents: ParentsInput | None = None,
) -> AssessmentState:
    """Finish a draft: the level (computed, or the professional's own with a reason) is
    stored with the catalog id and version; without a date the level's suggested follow-up
    is used; the focus points and the parents' note (``_check_plan``) with it; the
    assessment is read-only afterwards. Nothing is stored when any rule refuses."""
    assessment = scope.get_draft_for_author(session, actor, assessment_id=assessment_id)
    state = state_of(session, assessment)
    decision = _decide(state, level=level, reason=reason, follow_up_on=follow_up_on)
    decision = _check_plan(session, actor, assessment, decision, focus_points, parents)
    _apply_finish(assessment, state, decision)
    session.add(assessment)
    session.flush()
    points, contact = _store_plan(session, actor, assessment, decision.plan)
    audit.record(
        session,
        actor,
        AuditTag.ASSESSMENT_FINISH,
        object_type="assessment",
        object_id=assessment.id,
        child_id=assessment.child_id,
        detail=_audit_detail(assessment, f"niveau {assessment.level}{_plan_detail(decision.plan)}"),
    )
    return AssessmentState(assessment, state.catalog, state.evaluation, points, contact)


def create_finished(
    session: Session,
    actor: User,
    *,
    child_id: int,
    observed: list[str],
    catalog_id: str | None = None,
    notes: str = "",
    resources: str = "",
    level: int | None = None,
    reason: str = "",
    kind: AssessmentKind = AssessmentKind.SINGLE,
    focus_points: list[FocusPointInput] | None = None,
    parents: ParentsInput | None = None,
) -> AssessmentState:
    """The API's one-shot create: a finished assessment from a list of observations (a single
    one; the joint domain makes individual and joint ones with ``kind``), with focus points
    and the parents' note by the finish step's rules (``_check_plan``)."""
    child = children_scope.get_child_for(session, actor, child_id=child_id, purpose="vurdering")
    catalog = (
        catalogs.get_published(session, catalog_id=catalog_id)
        if catalog_id
        else catalog_for_child(session, child)
    )
    evaluation = _evaluate(catalog, observed)
    assessment = Assessment(
        child_id=id_of(child),
        institution_id=child.institution_id,
        kind=kind,
        catalog_id=catalog.id,
        catalog_version=catalog.version,
        observed=list(evaluation.observed),
        notes=_check_text("notes", notes),
        resources=_check_text("resources", resources),
        created_by=id_of(actor),
    )
    state = AssessmentState(assessment, catalog, evaluation)
    decision = _decide(state, level=level, reason=reason, follow_up_on=None)
    decision = _check_plan(session, actor, assessment, decision, focus_points, parents)
    _apply_finish(assessment, state, decision)
    session.add(assessment)
    session.flush()
    points, contact = _store_plan(session, actor, assessment, decision.plan)
    for tag in (AuditTag.ASSESSMENT_CREATE, AuditTag.ASSESSMENT_FINISH):
        audit.record(
            session,
            actor,
            tag,
            object_type="assessment",
            object_id=assessment.id,
            child_id=child.id,
            detail=_audit_detail(
                assessment,
                f"{catalog.id} v{catalog.version}, niveau {assessment.level}"
                + _plan_detail(decision.plan),
            ),
        )
    return AssessmentState(assessment, catalog, evaluation, points, contact)


def ensure_finished(assessment: Assessment) -> None:
    """Refuse what only a finished assessment can do (print, concerns)."""
    if assessment.status != AssessmentStatus.FINISHED:
        raise Conflict("Vurderingen er ikke afsluttet endnu.", code="assessment_not_finished")


def mark_focus_point_done(session: Session, actor: User, *, focus_point_id: int) -> FocusPoint:
    """Mark a focus point of the institution as done (by any of its staff or leaders: the
    responsible, the assessor or a colleague who did it). Marking it again keeps the first
    time and person."""
    point = scope.get_focus_point_for(session, actor, focus_point_id=focus_point_id)
    if point.done_at is None:
        point.done_at = utcnow()
        point.done_by = id_of(actor)
        session.add(point)
        session.flush()
        audit.record(
            session,
            actor,
            AuditTag.FOCUS_POINT_DONE,
            object_type="focus_point",
            object_id=point.id,
            child_id=point.child_id,
        )
    return point


def colleagues(session: Session, actor: User) -> list[tuple[int, str]]:
    """Who may follow a focus point up: the actor's institution's staff and leaders (id,
    name), the actor first."""
    pairs = accounts.colleague_names(session, institution_id=actor.institution_id or 0)
    return sorted(pairs, key=lambda pair: (pair[0] != actor.id, pair[1]))


@dataclass(frozen=True)
class Todo:
    """What of the assessments domain waits for a staff member or leader today."""

    drafts: Sequence[Assessment]
    focus_points: Sequence[FocusPoint]
    follow_ups: Sequence[Assessment]
    overdue_focus_points: Sequence[FocusPoint] = ()
    overdue_follow_ups: Sequence[Assessment] = ()


def todo_for(session: Session, actor: User, *, today: dt.date | None = None) -> Todo:
    """The actor's drafts, their focus points and follow-ups due today or earlier; for a
    leader also everything of the institution that is overdue (due before today)."""
    today = today or local_today()
    leader = actor.role_enum is Role.LEADER
    yesterday = today - dt.timedelta(days=1)
    return Todo(
        drafts=scope.own_drafts(session, actor),
        focus_points=scope.open_focus_points(session, actor, due_by=today),
        follow_ups=scope.due_follow_ups(session, actor, due_by=today),
        overdue_focus_points=(
            scope.open_focus_points(session, actor, due_by=yesterday, everyone=True)
            if leader
            else ()
        ),
        overdue_follow_ups=(
            scope.due_follow_ups(session, actor, due_by=yesterday, everyone=True) if leader else ()
        ),
    )


#: Records that make an assessment part of a case: an assessment any of these refers to is
#: never discarded with a move (a draft has none: they are made from finished ones).
CASE_TABLES = frozenset({"concern", "parent_dialogue", "meeting"})


def discard_unfinished(
    session: Session, *, child_id: int, institution_id: int, also: Collection[int] = ()
) -> Counter[str]:
    """Delete the drafts of a child made in ``institution_id``, and the assessments ``also``
    names (the individual parts of a joint assessment that will not be finished), with what
    refers to them (focus points, parents noted): the child moved to another institution by
    a handover, where nobody can reach them (the scopes read a record only where the child
    is). Never one a concern, dialogue or meeting refers to. The rows deleted, per table; the
    caller audits the move."""
    table = table_of(Assessment)
    ids = set(
        session.execute(
            sa.select(table.c.id).where(
                table.c.child_id == child_id,
                table.c.institution_id == institution_id,
                sa.or_(table.c.status == AssessmentStatus.DRAFT, table.c.id.in_(list(also))),
            )
        ).scalars()
    )
    ids -= referenced_ids(session, table, ids, by=CASE_TABLES)
    counts: Counter[str] = Counter()
    if ids:
        delete_with_dependents(
            session, table, sa.select(table.c.id).where(table.c.id.in_(sorted(ids))), counts
        )
        forget_deleted(session, counts)  # the rows went by Core statements
    return counts
