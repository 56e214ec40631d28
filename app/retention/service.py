"""``trivsel retention run``: delete what has passed its retention time (docs/operations.md).

One transaction: everything a run deletes goes, or nothing does; a dry run does the same work
and rolls it back, so its counts are exactly what a real run would delete. What belongs to an
open concern is never touched: a child with a concern that is not closed keeps all its
records, whatever its dates. The run records its counts (never contents) in the audit log.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session

from app import models  # noqa: F401 - every table in the metadata, for the cascade
from app.accounts.models import LoginAttempt, UserSession
from app.assessments import service as assessments
from app.assessments.models import Assessment, AssessmentStatus
from app.audit import service as audit
from app.audit.models import AuditEvent, AuditRetentionGate
from app.audit.tags import AuditTag
from app.children.models import Child
from app.concerns.models import Concern
from app.db import delete_with_dependents, deleted_count, table_of
from app.joint import service as joint
from app.joint.models import JointAssessment, JointStatus
from app.retention.rules import Cutoffs, RetentionPolicy, child_has_expired, cutoffs

CLOSED = "closed"


@dataclass
class RuleResult:
    """What one rule deleted: the records it is about, and every row that went with them."""

    deleted: int = 0
    rows: Counter[str] = field(default_factory=Counter)
    kept: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"deleted": self.deleted, "rows": dict(sorted(self.rows.items()))}
        out.update(self.kept)
        return out


@dataclass
class Summary:
    """A run's counts, by rule; printed as JSON and recorded in the audit log."""

    as_of: dt.date
    dry_run: bool
    rules: dict[str, RuleResult]

    def as_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "dry_run": self.dry_run,
            "rules": {name: rule.as_json() for name, rule in self.rules.items()},
        }


def _sessions(session: Session, cut: Cutoffs) -> RuleResult:
    table = table_of(UserSession)
    ended = sa.or_(
        table.c.revoked_at < cut.sessions,
        table.c.expires_at < cut.sessions,
        table.c.last_seen_at < cut.sessions,
    )
    result = RuleResult()
    delete_with_dependents(
        session, table, sa.select(table.c.id).where(ended), result.rows, (table.name,)
    )
    result.deleted = result.rows[table.name]
    return result


def _login_attempts(session: Session, cut: Cutoffs) -> RuleResult:
    table = table_of(LoginAttempt)
    deleted = deleted_count(session, sa.delete(table).where(table.c.at < cut.login_attempts))
    return RuleResult(deleted=deleted, rows=Counter({table.name: deleted}))


def _closed_concerns(session: Session, kind: str, before: dt.datetime) -> RuleResult:
    table = table_of(Concern)
    ids = sa.select(table.c.id).where(
        table.c.kind == kind, table.c.status == CLOSED, table.c.closed_at < before
    )
    result = RuleResult()
    delete_with_dependents(session, table, ids, result.rows, (table.name,))
    result.deleted = result.rows[table.name]
    return result


def _children(session: Session, cut: Cutoffs) -> RuleResult:
    child = table_of(Child)
    concern = table_of(Concern)
    candidates = session.execute(
        sa.select(child.c.id, child.c.birth_date, child.c.left_on).where(
            sa.or_(
                child.c.left_on < cut.child_left_before,
                child.c.birth_date < cut.child_born_before,
            )
        )
    ).all()
    expired = [
        row.id
        for row in candidates
        if child_has_expired(cut, birth_date=row.birth_date, left_on=row.left_on)
    ]
    with_open_concern = (
        set(
            session.execute(
                sa.select(concern.c.child_id)
                .where(concern.c.child_id.in_(expired), concern.c.status != CLOSED)
                .distinct()
            ).scalars()
        )
        if expired
        else set()
    )
    ids = [child_id for child_id in expired if child_id not in with_open_concern]
    result = RuleResult(kept={"kept_for_open_concern": len(with_open_concern)})
    if ids:
        delete_with_dependents(
            session,
            child,
            sa.select(child.c.id).where(child.c.id.in_(ids)),
            result.rows,
            (child.name,),
        )
    result.deleted = result.rows[child.name]
    return result


def _handed_over_unfinished(session: Session) -> RuleResult:
    """Drafts and unfinished joint assessments made in an institution the child has since
    left by a handover (accepting one discards them at once; this catches what was left
    before that, or by a move outside a handover): nobody can reach or finish them."""
    child = table_of(Child)
    places: set[tuple[int, int]] = set()
    for model, unfinished in (
        (Assessment, table_of(Assessment).c.status == AssessmentStatus.DRAFT),
        (JointAssessment, table_of(JointAssessment).c.status != JointStatus.FINISHED),
    ):
        table = table_of(model)
        places.update(
            (row.child_id, row.institution_id)
            for row in session.execute(
                sa.select(table.c.child_id, table.c.institution_id)
                .join(child, child.c.id == table.c.child_id)
                .where(unfinished, table.c.institution_id != child.c.institution_id)
                .distinct()
            )
        )
    result = RuleResult()
    for child_id, institution_id in sorted(places):
        counts, belonged = joint.discard_unfinished(
            session, child_id=child_id, institution_id=institution_id
        )
        result.rows += counts
        result.rows += assessments.discard_unfinished(
            session, child_id=child_id, institution_id=institution_id, also=belonged
        )
    result.deleted = result.rows["assessment"] + result.rows["joint_assessment"]
    return result


def _audit(session: Session, cut: Cutoffs) -> RuleResult:
    gate = table_of(AuditRetentionGate)
    table = table_of(AuditEvent)
    # The database lets a DELETE of an audit row through only below the gate's instant, set
    # here and cleared again in the same transaction (migration 24a9170b0c05).
    opened = session.execute(sa.update(gate).where(gate.c.id == 1).values(delete_before=cut.audit))
    if cast(sa.CursorResult[Any], opened).rowcount == 0:  # the migration's row was deleted
        session.execute(sa.insert(gate).values(id=1, delete_before=cut.audit))
    deleted = deleted_count(session, sa.delete(table).where(table.c.at < cut.audit))
    session.execute(sa.update(gate).where(gate.c.id == 1).values(delete_before=None))
    return RuleResult(deleted=deleted, rows=Counter({table.name: deleted}))


def run(
    session: Session, policy: RetentionPolicy, *, as_of: dt.date, dry_run: bool = False
) -> Summary:
    """Apply every rule as of ``as_of``. Commits (or, for a dry run, rolls back) the session."""
    cut = cutoffs(policy, as_of)
    rules: dict[str, RuleResult] = {}
    try:
        rules["children"] = _children(session, cut)
        rules["consultations"] = _closed_concerns(session, "consultation", cut.consultations)
        rules["notifications"] = _closed_concerns(session, "notification", cut.notifications)
        rules["handed_over_unfinished"] = _handed_over_unfinished(session)
        rules["sessions"] = _sessions(session, cut)
        rules["login_attempts"] = _login_attempts(session, cut)
        rules["audit"] = _audit(session, cut)
        summary = Summary(as_of=as_of, dry_run=dry_run, rules=rules)
        if dry_run:
            session.rollback()
        else:
            audit.record(
                session,
                None,
                AuditTag.RETENTION_RUN,
                object_type="retention",
                username="retention",
                detail=json.dumps(
                    {name: rule.deleted for name, rule in rules.items()}, sort_keys=True
                ),
            )
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        # The rows went by Core statements: no object the session still holds may stand in
        # for one of them.
        session.expunge_all()
    return summary
