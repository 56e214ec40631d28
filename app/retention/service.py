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
from sqlmodel import Session, SQLModel

from app import models  # noqa: F401 - every table in the metadata, for the cascade
from app.accounts.models import LoginAttempt, UserSession
from app.audit import service as audit
from app.audit.models import AuditEvent, AuditRetentionGate
from app.audit.tags import AuditTag
from app.children.models import Child
from app.concerns.models import Concern
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


def _table(model: type[SQLModel]) -> sa.Table:
    return cast(sa.Table, model.__table__)  # type: ignore[attr-defined]


def _deleted(session: Session, statement: sa.Delete) -> int:
    """Execute a DELETE and return how many rows it deleted."""
    return cast(sa.CursorResult[Any], session.execute(statement)).rowcount


def _delete_rows(
    session: Session,
    table: sa.Table,
    ids: sa.Select[Any],
    counts: Counter[str],
    path: tuple[str, ...],
) -> None:
    """Delete the rows of ``table`` whose id is in ``ids``, and first every row of any table
    that refers to them by a foreign key (found in the metadata, so a table added later is
    covered without changing this code). A foreign key back to a table already on the path (a
    cycle) is set to NULL instead."""
    key = next(iter(table.primary_key.columns))
    id_list = [row[0] for row in session.execute(ids)]
    if not id_list:
        return
    for other in SQLModel.metadata.sorted_tables:
        for fk in other.foreign_keys:
            if fk.column.table is not table:
                continue
            column = fk.parent
            if other.name in path and column.nullable:
                session.execute(
                    sa.update(other).where(column.in_(id_list)).values({column.name: None})
                )
                continue
            other_key = next(iter(other.primary_key.columns))
            _delete_rows(
                session,
                other,
                sa.select(other_key).where(column.in_(id_list)),
                counts,
                (*path, other.name),
            )
    counts[table.name] += _deleted(session, sa.delete(table).where(key.in_(id_list)))


def _sessions(session: Session, cut: Cutoffs) -> RuleResult:
    table = _table(UserSession)
    ended = sa.or_(
        table.c.revoked_at < cut.sessions,
        table.c.expires_at < cut.sessions,
        table.c.last_seen_at < cut.sessions,
    )
    result = RuleResult()
    _delete_rows(session, table, sa.select(table.c.id).where(ended), result.rows, (table.name,))
    result.deleted = result.rows[table.name]
    return result


def _login_attempts(session: Session, cut: Cutoffs) -> RuleResult:
    table = _table(LoginAttempt)
    deleted = _deleted(session, sa.delete(table).where(table.c.at < cut.login_attempts))
    return RuleResult(deleted=deleted, rows=Counter({table.name: deleted}))


def _closed_concerns(session: Session, kind: str, before: dt.datetime) -> RuleResult:
    table = _table(Concern)
    ids = sa.select(table.c.id).where(
        table.c.kind == kind, table.c.status == CLOSED, table.c.closed_at < before
    )
    result = RuleResult()
    _delete_rows(session, table, ids, result.rows, (table.name,))
    result.deleted = result.rows[table.name]
    return result


def _children(session: Session, cut: Cutoffs) -> RuleResult:
    child = _table(Child)
    concern = _table(Concern)
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
        _delete_rows(
            session,
            child,
            sa.select(child.c.id).where(child.c.id.in_(ids)),
            result.rows,
            (child.name,),
        )
    result.deleted = result.rows[child.name]
    return result


def _audit(session: Session, cut: Cutoffs) -> RuleResult:
    gate = _table(AuditRetentionGate)
    table = _table(AuditEvent)
    # The database lets a DELETE of an audit row through only below the gate's instant, set
    # here and cleared again in the same transaction (migration 24a9170b0c05).
    opened = session.execute(sa.update(gate).where(gate.c.id == 1).values(delete_before=cut.audit))
    if cast(sa.CursorResult[Any], opened).rowcount == 0:  # the migration's row was deleted
        session.execute(sa.insert(gate).values(id=1, delete_before=cut.audit))
    deleted = _deleted(session, sa.delete(table).where(table.c.at < cut.audit))
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
