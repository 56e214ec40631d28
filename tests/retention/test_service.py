"""``retention.run``: what passed its time is deleted, with everything that hangs on it; what
belongs to an open concern, or has not passed its time, is kept; the audit log stays
append-only except for rows past their own period."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

from app.accounts.models import LoginAttempt, User, UserSession
from app.assessments.models import Assessment
from app.audit.models import AuditEvent
from app.catalogs import service as catalogs
from app.children.models import Child
from app.concerns.models import Concern, ConcernEvent, ParentDialogue
from app.retention import service as retention
from app.retention.rules import RetentionPolicy
from tests.factories import (
    Org,
    id_of,
    make_child,
    make_draft,
    make_finished_assessment,
    signs,
)

AS_OF = dt.date(2026, 12, 3)
NOW = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)
POLICY = RetentionPolicy()


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def staff(session: Session, org: Org) -> User:
    catalogs.import_shipped(session)
    return session.get_one(User, org.users["staff"])


def _child_with_records(
    session: Session, org: Org, staff: User, *, left_on: dt.date | None, name: str = "Alma"
) -> Child:
    """A child with a finished assessment, a dialogue and a closed consultation."""
    child = make_child(session, org.daycare_id, id_of(staff), first_name=name, age_years=8)
    child.left_on = left_on
    assessment = make_finished_assessment(session, staff, child, observed=signs("6-9", level=2))
    session.add(
        ParentDialogue(
            assessment_id=id_of(assessment),
            child_id=id_of(child),
            institution_id=org.daycare_id,
            held_on=dt.date(2020, 5, 1),
            participants="Mor, pædagog",
            agreed="Vi følger op.",
            created_by=id_of(staff),
        )
    )
    session.flush()
    _concern(
        session, org, staff, assessment, status="closed", closed_at=NOW - dt.timedelta(days=10)
    )
    return child


def _concern(
    session: Session,
    org: Org,
    staff: User,
    assessment: Assessment,
    *,
    kind: str = "consultation",
    status: str,
    closed_at: dt.datetime | None = None,
) -> Concern:
    concern = Concern(
        kind=kind,
        status=status,
        assessment_id=id_of(assessment),
        child_id=assessment.child_id,
        institution_id=org.daycare_id,
        district_id=org.nord_id,
        created_by=id_of(staff),
        message="Vi er bekymrede.",
        level=3,
        age_years=8,
        closed_at=closed_at,
        child_name="Alma Jensen" if kind == "notification" else None,
        child_birth_date=dt.date(2018, 1, 1) if kind == "notification" else None,
    )
    session.add(concern)
    session.flush()
    session.add(
        ConcernEvent(
            concern_id=id_of(concern), actor_id=id_of(staff), actor_role="staff", to_status=status
        )
    )
    session.flush()
    return concern


class TestChildren:
    def test_a_child_who_left_more_than_five_years_ago_is_deleted_with_all_its_records(
        self, session: Session, org: Org, staff: User
    ) -> None:
        gone = _child_with_records(session, org, staff, left_on=dt.date(2021, 12, 2))
        kept = _child_with_records(session, org, staff, left_on=dt.date(2021, 12, 3), name="Bo")
        session.commit()

        summary = retention.run(session, POLICY, as_of=AS_OF)

        assert session.get(Child, id_of(gone)) is None
        assert session.get(Child, id_of(kept)) is not None
        assert session.exec(select(Assessment.child_id)).all() == [id_of(kept)]
        assert session.exec(select(ParentDialogue.child_id)).all() == [id_of(kept)]
        assert session.exec(select(Concern.child_id)).all() == [id_of(kept)]
        assert _count(session, ConcernEvent) == 1
        rule = summary.as_json()["rules"]["children"]
        assert rule["deleted"] == 1
        assert rule["rows"] == {
            "assessment": 1,
            "child": 1,
            "concern": 1,
            "concern_event": 1,
            "parent_dialogue": 1,
        }

    def test_a_child_who_turned_18_more_than_five_years_ago_is_deleted(
        self, session: Session, org: Org, staff: User
    ) -> None:
        adult = make_child(session, org.daycare_id, id_of(staff), birth_date=dt.date(2003, 12, 2))
        young = make_child(session, org.daycare_id, id_of(staff), birth_date=dt.date(2003, 12, 3))
        session.commit()

        retention.run(session, POLICY, as_of=AS_OF)

        assert session.get(Child, id_of(adult)) is None
        assert session.get(Child, id_of(young)) is not None

    def test_a_child_with_an_open_concern_keeps_everything(
        self, session: Session, org: Org, staff: User
    ) -> None:
        child = _child_with_records(session, org, staff, left_on=dt.date(2015, 1, 1))
        assessment = session.exec(
            select(Assessment).where(Assessment.child_id == id_of(child))
        ).one()
        _concern(session, org, staff, assessment, kind="notification", status="received")
        session.commit()

        summary = retention.run(session, POLICY, as_of=AS_OF)

        assert session.get(Child, id_of(child)) is not None
        assert _count(session, Concern) == 2
        assert summary.as_json()["rules"]["children"] == {
            "deleted": 0,
            "rows": {},
            "kept_for_open_concern": 1,
        }

    def test_a_deleted_childs_id_is_never_given_to_a_new_child(
        self, session: Session, org: Org, staff: User
    ) -> None:
        gone = make_child(session, org.daycare_id, id_of(staff), birth_date=dt.date(2000, 1, 1))
        session.commit()
        retention.run(session, POLICY, as_of=AS_OF)

        new = make_child(session, org.daycare_id, id_of(staff))

        assert id_of(new) > id_of(gone)


class TestConcerns:
    @pytest.mark.parametrize("kind", ["consultation", "notification"])
    def test_a_concern_closed_more_than_a_year_ago_is_deleted_with_its_timeline(
        self, session: Session, org: Org, staff: User, kind: str
    ) -> None:
        child = make_child(session, org.daycare_id, id_of(staff))
        assessment = make_finished_assessment(session, staff, child, observed=signs(level=3))
        old = _concern(
            session,
            org,
            staff,
            assessment,
            kind=kind,
            status="closed",
            closed_at=NOW - dt.timedelta(days=367),
        )
        recent = _concern(
            session,
            org,
            staff,
            assessment,
            kind=kind,
            status="closed",
            closed_at=NOW - dt.timedelta(days=300),
        )
        open_ = _concern(session, org, staff, assessment, kind=kind, status="received")
        session.commit()

        summary = retention.run(session, POLICY, as_of=AS_OF)

        remaining = set(session.exec(select(Concern.id)).all())
        assert remaining == {id_of(recent), id_of(open_)}
        assert id_of(old) not in set(session.exec(select(ConcernEvent.concern_id)).all())
        assert session.get(Child, id_of(child)) is not None
        assert summary.rules[f"{kind}s"].deleted == 1


class TestHandedOverUnfinished:
    def test_drafts_left_where_the_child_no_longer_is_go_the_schools_own_stay(
        self, session: Session, org: Org, staff: User
    ) -> None:
        child = make_child(session, org.daycare_id, id_of(staff), first_name="Alma", age_years=6)
        finished = make_finished_assessment(session, staff, child, observed=signs("6-9", level=2))
        left = make_draft(session, staff, child, notes="Stille i dag")
        # The child moved to the school without the accept's clean-up (an earlier version).
        child.institution_id = org.school_id
        session.add(child)
        session.flush()
        teacher = session.get_one(User, org.users["teacher"])
        own = make_draft(session, teacher, child)
        ids = (id_of(finished), id_of(left), id_of(own))
        session.commit()

        summary = retention.run(session, POLICY, as_of=AS_OF)

        assert summary.as_json()["rules"]["handed_over_unfinished"]["deleted"] == 1
        assert session.get(Assessment, ids[0]) is not None  # finished: the child's record
        assert session.get(Assessment, ids[1]) is None
        assert session.get(Assessment, ids[2]) is not None  # the school's own draft


class TestSessionsAndLoginAttempts:
    def test_old_sessions_and_attempts_go_and_current_ones_stay(
        self, session: Session, org: Org, staff: User
    ) -> None:
        def add_session(
            token: str, *, last_seen: dt.datetime, revoked: dt.datetime | None = None
        ) -> None:
            session.add(
                UserSession(
                    token_hash=token,
                    user_id=id_of(staff),
                    csrf_token="x",
                    created_at=last_seen,
                    last_seen_at=last_seen,
                    expires_at=last_seen + dt.timedelta(hours=12),
                    revoked_at=revoked,
                )
            )

        add_session("old", last_seen=NOW - dt.timedelta(days=40))
        add_session(
            "revoked", last_seen=NOW - dt.timedelta(days=40), revoked=NOW - dt.timedelta(days=35)
        )
        add_session("current", last_seen=NOW)
        for days in (100, 10):
            session.add(
                LoginAttempt(
                    username="staff",
                    client_ip="10.0.0.1",
                    succeeded=False,
                    at=NOW - dt.timedelta(days=days),
                )
            )
        session.commit()

        summary = retention.run(session, POLICY, as_of=AS_OF)

        assert session.exec(select(UserSession.token_hash)).all() == ["current"]
        assert _count(session, LoginAttempt) == 1
        assert summary.rules["sessions"].deleted == 2
        assert summary.rules["login_attempts"].deleted == 1


class TestAuditLog:
    def _event(self, session: Session, at: dt.datetime, child_id: int | None = None) -> None:
        session.add(AuditEvent(at=at, action="child:view", child_id=child_id, object_type="child"))

    def test_rows_past_their_period_go_and_the_log_stays_append_only(
        self, session: Session, org: Org
    ) -> None:
        self._event(session, NOW - dt.timedelta(days=6 * 365))
        self._event(session, NOW - dt.timedelta(days=4 * 365))
        session.commit()

        summary = retention.run(session, POLICY, as_of=AS_OF)

        assert summary.rules["audit"].deleted == 1
        survivors = session.exec(select(AuditEvent).where(AuditEvent.action == "child:view")).all()
        assert len(survivors) == 1
        # Outside the run, the database still refuses to change or delete any audit row.
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            session.execute(sa.delete(AuditEvent.__table__))  # type: ignore[attr-defined]
        session.rollback()
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            session.execute(sa.update(AuditEvent.__table__).values(detail="x"))  # type: ignore[attr-defined]
        session.rollback()

    def test_the_run_records_its_counts_and_nothing_else(
        self, session: Session, org: Org, staff: User
    ) -> None:
        _child_with_records(session, org, staff, left_on=dt.date(2015, 1, 1))
        session.commit()

        retention.run(session, POLICY, as_of=AS_OF)

        row = session.exec(select(AuditEvent).where(AuditEvent.action == "retention:run")).one()
        assert json.loads(row.detail) == {
            "audit": 0,
            "children": 1,
            "consultations": 0,
            "handed_over_unfinished": 0,
            "login_attempts": 0,
            "notifications": 0,
            "sessions": 0,
        }
        assert "Alma" not in row.detail


class TestDryRun:
    def test_a_dry_run_counts_what_a_run_would_delete_and_deletes_nothing(
        self, session: Session, org: Org, staff: User
    ) -> None:
        _child_with_records(session, org, staff, left_on=dt.date(2015, 1, 1))
        self_audit = _count(session, AuditEvent)
        session.commit()

        dry = retention.run(session, POLICY, as_of=AS_OF, dry_run=True)

        assert _count(session, Child) == 1
        assert _count(session, AuditEvent) == self_audit
        real = retention.run(session, POLICY, as_of=AS_OF)
        assert dry.as_json()["rules"] == real.as_json()["rules"]
        assert dry.as_json()["dry_run"] is True
        assert _count(session, Child) == 0
