"""Assessments: start or resume a draft, tick indicators, finish; and the API's one-shot create."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from sqlmodel import Session

from app.accounts.models import User
from app.assessments import scope
from app.assessments.models import Assessment, AssessmentKind, AssessmentStatus
from app.assessments.schemas import AssessmentRead, AssessmentResult
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.catalogs import service as catalogs
from app.catalogs.schemas import IndicatorRead, RationaleRead
from app.children import scope as children_scope
from app.children.models import Child
from app.db import id_of, local_today, utcnow
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
        return AssessmentRead.of(self.assessment, self.result)


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
    """The assessment evaluated against the catalog version it is pinned to."""
    catalog = catalogs.get_version(
        session, catalog_id=assessment.catalog_id, version=assessment.catalog_version
    )
    return AssessmentState(assessment, catalog, _evaluate(catalog, assessment.observed))


def read_of(session: Session, assessment: Assessment) -> AssessmentRead:
    """The api.md shape of an assessment: a finished one from what it stored (no catalog, no
    evaluation: a child's history is mostly finished ones), a draft evaluated live."""
    if assessment.status == AssessmentStatus.FINISHED:
        return AssessmentRead.of(assessment, finished_result(assessment))
    return state_of(session, assessment).read()


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
    session: Session, actor: User, assessment: Assessment, observed: Iterable[str], detail: str
) -> AssessmentState:
    catalog = catalogs.get_version(
        session, catalog_id=assessment.catalog_id, version=assessment.catalog_version
    )
    evaluation = _evaluate(catalog, observed)
    assessment.observed = list(evaluation.observed)
    assessment.computed_level = evaluation.level
    assessment.critical = evaluation.critical
    assessment.updated_at = utcnow()
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
    """Mark one indicator as observed or not; saved at once."""
    assessment = scope.get_draft_for_author(session, actor, assessment_id=assessment_id)
    current = set(assessment.observed)
    if observed:
        current.add(indicator_id)
    else:
        current.discard(indicator_id)
    sign = "+" if observed else "−"
    return _store_observed(session, actor, assessment, current, f"{sign}{indicator_id}")


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
class FinishDecision:
    """What finishing would store: the result at the final level and the follow-up date."""

    result: AssessmentResult
    follow_up_on: dt.date | None


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


def _apply_finish(
    assessment: Assessment,
    state: AssessmentState,
    *,
    level: int | None,
    reason: str,
    follow_up_on: dt.date | None,
) -> None:
    decision = _decide(state, level=level, reason=reason, follow_up_on=follow_up_on)
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
) -> tuple[AssessmentState, FinishDecision]:
    """What finishing the draft with these choices would store, checked by the same rules
    and stored nowhere: for the confirmation before the final step."""
    assessment = scope.get_draft_for_author(session, actor, assessment_id=assessment_id)
    state = state_of(session, assessment)
    return state, _decide(state, level=level, reason=reason, follow_up_on=follow_up_on)


def finish(
    session: Session,
    actor: User,
    *,
    assessment_id: int,
    level: int | None = None,
    reason: str = "",
    follow_up_on: dt.date | None = None,
) -> AssessmentState:
    """Finish a draft: the level (computed, or the professional's own with a reason) is
    stored with the catalog id and version; without a date the level's suggested follow-up
    is used; the assessment is read-only afterwards."""
    assessment = scope.get_draft_for_author(session, actor, assessment_id=assessment_id)
    state = state_of(session, assessment)
    _apply_finish(assessment, state, level=level, reason=reason, follow_up_on=follow_up_on)
    session.add(assessment)
    session.flush()
    audit.record(
        session,
        actor,
        AuditTag.ASSESSMENT_FINISH,
        object_type="assessment",
        object_id=assessment.id,
        child_id=assessment.child_id,
        detail=_audit_detail(assessment, f"niveau {assessment.level}"),
    )
    return AssessmentState(assessment, state.catalog, state.evaluation)


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
) -> AssessmentState:
    """The API's one-shot create: a finished assessment from a list of observations (a single
    one; the joint domain makes individual and joint ones with ``kind``)."""
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
    _apply_finish(assessment, state, level=level, reason=reason, follow_up_on=None)
    session.add(assessment)
    session.flush()
    for tag in (AuditTag.ASSESSMENT_CREATE, AuditTag.ASSESSMENT_FINISH):
        audit.record(
            session,
            actor,
            tag,
            object_type="assessment",
            object_id=assessment.id,
            child_id=child.id,
            detail=_audit_detail(
                assessment, f"{catalog.id} v{catalog.version}, niveau {assessment.level}"
            ),
        )
    return AssessmentState(assessment, catalog, evaluation)


def ensure_finished(assessment: Assessment) -> None:
    """Refuse what only a finished assessment can do (print, concerns)."""
    if assessment.status != AssessmentStatus.FINISHED:
        raise Conflict("Vurderingen er ikke afsluttet endnu.", code="assessment_not_finished")
