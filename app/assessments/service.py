"""Assessments: start or resume a draft, tick indicators, finish; and the API's one-shot create."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.accounts.models import User
from app.assessments import scope
from app.assessments.models import Assessment, AssessmentKind, AssessmentStatus
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.catalogs import service as catalogs
from app.children import scope as children_scope
from app.children.models import Child
from app.db import local_today, utcnow
from app.errors import Conflict, Invalid
from app.guide.engine import Evaluation, recommended_actions
from app.guide.schema import LEVEL_KEYS, Catalog, Indicator, age_in_years

MAX_TEXT = 10_000
MAX_REASON = 2_000


@dataclass(frozen=True)
class Override:
    """A professional's own level, with the reason for it."""

    level: int
    reason: str


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


def _evaluate(catalog: Catalog, observed: Iterable[str]) -> Evaluation:
    return catalogs.evaluate_observed(catalog, observed)


def state_of(session: Session, assessment: Assessment) -> AssessmentState:
    """The assessment evaluated against the catalog version it is pinned to."""
    catalog = catalogs.get_version(
        session, catalog_id=assessment.catalog_id, version=assessment.catalog_version
    )
    return AssessmentState(assessment, catalog, _evaluate(catalog, assessment.observed))


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
    catalog = catalog_for_child(session, child)
    evaluation = _evaluate(catalog, [])
    assessment = Assessment(
        child_id=child.id,  # type: ignore[arg-type]
        institution_id=child.institution_id,
        kind=AssessmentKind.SINGLE,
        status=AssessmentStatus.DRAFT,
        catalog_id=catalog.id,
        catalog_version=catalog.version,
        observed=[],
        computed_level=evaluation.level,
        created_by=actor.id,  # type: ignore[arg-type]
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
        detail=detail[:500],
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


def suggested_follow_up(evaluation_or_level: int, *, critical: bool = False) -> dt.date | None:
    """The follow-up date the level suggests (levels.yaml), from today."""
    days = catalogs.levels().level(4 if critical else evaluation_or_level).follow_up_days
    return local_today() + dt.timedelta(days=days) if days is not None else None


def _apply_finish(
    assessment: Assessment,
    state: AssessmentState,
    *,
    override: Override | None,
    follow_up_on: dt.date | None,
    follow_up_given: bool,
) -> None:
    evaluation = state.evaluation
    level = evaluation.level
    reason = ""
    if override is not None and override.level != evaluation.level:
        if override.level not in (1, 2, 3, 4):
            raise Invalid.field("level_override.level", "Vælg et niveau fra 1 til 4.")
        reason = _check_text("level_override.reason", override.reason, MAX_REASON)
        if not reason:
            raise Invalid.field(
                "level_override.reason",
                "Skriv en begrundelse, når du vælger et andet niveau end det beregnede.",
            )
        if evaluation.critical and override.level < 4:
            raise Invalid.field(
                "level_override.level",
                "Et kritisk tegn (mistanke om vold eller overgreb) kan ikke vurderes under "
                "niveau 4: underret kommunen nu.",
            )
        level = override.level
    if follow_up_given and follow_up_on is not None and follow_up_on < local_today():
        raise Invalid.field("follow_up_on", "Opfølgningsdatoen ligger i fortiden.")
    levels = catalogs.levels()
    actions = recommended_actions(level, critical=evaluation.critical, levels=levels)
    assessment.computed_level = evaluation.level
    assessment.level = level
    assessment.override_reason = reason
    assessment.critical = evaluation.critical
    assessment.observed = list(evaluation.observed)
    assessment.follow_up_on = (
        follow_up_on
        if follow_up_given
        else suggested_follow_up(level, critical=evaluation.critical)
    )
    assessment.result = {
        "level_key": LEVEL_KEYS[level].value,
        "rationale": [item.model_dump() for item in evaluation.rationale],
        "recommended_actions": [action.value for action in actions],
        "parents_may_be_informed": evaluation.parents_may_be_informed,
        "urgent": evaluation.critical or level == 4,
        "observed_indicators": [
            {"id": i.id, "text": i.text, "level": i.level, "critical": i.critical}
            for i in state.observed_indicators()
        ],
    }
    assessment.status = AssessmentStatus.FINISHED
    assessment.finished_at = utcnow()
    assessment.updated_at = assessment.finished_at


def finish(
    session: Session,
    actor: User,
    *,
    assessment_id: int,
    override: Override | None = None,
    follow_up_on: dt.date | None = None,
    follow_up_given: bool = False,
) -> AssessmentState:
    """Finish a draft: the level (computed or overridden with a reason) is stored with the
    catalog id and version; the assessment is read-only afterwards."""
    assessment = scope.get_draft_for_author(session, actor, assessment_id=assessment_id)
    state = state_of(session, assessment)
    _apply_finish(
        assessment,
        state,
        override=override,
        follow_up_on=follow_up_on,
        follow_up_given=follow_up_given,
    )
    session.add(assessment)
    session.flush()
    audit.record(
        session,
        actor,
        AuditTag.ASSESSMENT_FINISH,
        object_type="assessment",
        object_id=assessment.id,
        child_id=assessment.child_id,
        detail=f"niveau {assessment.level}",
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
    override: Override | None = None,
) -> AssessmentState:
    """The API's one-shot create: a finished assessment from a list of observations."""
    child = children_scope.get_child_for(session, actor, child_id=child_id, purpose="vurdering")
    catalog = (
        catalogs.get_published(session, catalog_id=catalog_id)
        if catalog_id
        else catalog_for_child(session, child)
    )
    evaluation = _evaluate(catalog, observed)
    assessment = Assessment(
        child_id=child.id,  # type: ignore[arg-type]
        institution_id=child.institution_id,
        kind=AssessmentKind.SINGLE,
        catalog_id=catalog.id,
        catalog_version=catalog.version,
        observed=list(evaluation.observed),
        notes=_check_text("notes", notes),
        resources=_check_text("resources", resources),
        created_by=actor.id,  # type: ignore[arg-type]
    )
    state = AssessmentState(assessment, catalog, evaluation)
    _apply_finish(assessment, state, override=override, follow_up_on=None, follow_up_given=False)
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
            detail=f"{catalog.id} v{catalog.version}, niveau {assessment.level}",
        )
    return state


def ensure_finished(assessment: Assessment) -> None:
    """Refuse what only a finished assessment can do (print, concerns)."""
    if assessment.status != AssessmentStatus.FINISHED:
        raise Conflict("Vurderingen er ikke afsluttet endnu.", code="assessment_not_finished")


def to_api(state: AssessmentState, created_by_name: str | None = None) -> dict[str, Any]:
    """The api.md shape of a stored assessment."""
    a = state.assessment
    finished = a.status == AssessmentStatus.FINISHED
    level = a.level if finished and a.level else state.evaluation.level
    result = a.result if finished else {}
    observed_indicators = result.get("observed_indicators") or [
        {"id": i.id, "text": i.text, "level": i.level, "critical": i.critical}
        for i in state.observed_indicators()
    ]
    return {
        "id": a.id,
        "child_id": a.child_id,
        "kind": a.kind,
        "status": a.status,
        "created_at": a.created_at.isoformat(),
        "created_by": a.created_by,
        "finished_at": a.finished_at.isoformat() if a.finished_at else None,
        "catalog": {"id": a.catalog_id, "version": a.catalog_version},
        "observed": list(a.observed),
        "observed_indicators": observed_indicators,
        "computed_level": state.evaluation.level,
        "level": level,
        "level_key": LEVEL_KEYS[level].value,
        "critical": state.evaluation.critical,
        "rationale": result.get("rationale")
        or [item.model_dump() for item in state.evaluation.rationale],
        "recommended_actions": result.get("recommended_actions")
        or [x.value for x in state.evaluation.recommended_actions],
        "parents_may_be_informed": state.evaluation.parents_may_be_informed,
        "urgent": bool(result.get("urgent", state.evaluation.urgent)),
        "notes": a.notes,
        "resources": a.resources,
        "override_reason": a.override_reason or None,
        "follow_up_on": a.follow_up_on.isoformat() if a.follow_up_on else None,
    }
