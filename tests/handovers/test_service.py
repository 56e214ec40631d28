"""The handover service on both databases: two accepts or two sends at once (two
connections, the second one waiting for the first), and what the move does to the rest of
the child's records (groups, a joint assessment waiting for a daycare colleague)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from sqlmodel import select

from app import db
from app.accounts.models import User
from app.audit.models import AuditEvent
from app.children.models import Child
from app.errors import AppError, Conflict
from app.handovers import service
from app.handovers.models import Handover
from app.joint import service as joint
from app.rounds.models import GroupChild
from tests.factories import make_group, make_joint
from tests.handovers.conftest import Setting, consent


def _send(session: Any, org: Any, setting: Setting) -> Handover:
    staff = session.get_one(User, org.users["staff"])
    c = consent()
    return service.send(
        session,
        staff,
        child_id=setting.child_id,
        to_institution_id=setting.school_id,
        given_by=c["given_by"],
        given_on=dt.date.fromisoformat(c["given_on"]),
        covers=c["covers"],
    )


def _in_thread(work: Any) -> dict[str, Any]:
    """Run ``work`` in another thread on its own connection; what it returned or raised."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except AppError as error:
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    return {"thread": thread, "outcome": outcome}


class TestTwoAtOnce:
    def test_two_accepts_at_once_move_the_child_once_and_the_second_is_409(self, app, org, setting):
        engine = app.state.engine
        with db.session_scope(engine) as s:
            handover_id = _send(s, org, setting).id or 0
        first = db.session_scope(engine)
        session_a = first.__enter__()
        teacher_a = session_a.get_one(User, org.users["teacher"])
        service.accept(session_a, teacher_a, handover_id=handover_id)

        def second() -> Handover:
            with db.session_scope(engine) as s:
                teacher = s.get_one(User, org.users["teacher"])
                return service.accept(s, teacher, handover_id=handover_id)

        running = _in_thread(second)
        first.__exit__(None, None, None)  # the first commits; the second goes on
        running["thread"].join()
        assert isinstance(running["outcome"].get("error"), Conflict)
        with db.session_scope(engine) as s:
            assert s.get_one(Child, setting.child_id).institution_id == setting.school_id
            accepts = s.exec(
                select(AuditEvent).where(AuditEvent.action == "child:handover:accept")
            ).all()
            assert len(accepts) == 1

    def test_two_sends_at_once_store_one_handover_and_the_second_is_409(self, app, org, setting):
        engine = app.state.engine
        first = db.session_scope(engine)
        session_a = first.__enter__()
        _send(session_a, org, setting)

        def second() -> Handover:
            with db.session_scope(engine) as s:
                return _send(s, org, setting)

        running = _in_thread(second)
        first.__exit__(None, None, None)
        running["thread"].join()
        assert isinstance(running["outcome"].get("error"), Conflict)
        with db.session_scope(engine) as s:
            assert len(s.exec(select(Handover)).all()) == 1


class TestWhatTheMoveTakesWithIt:
    def test_the_child_leaves_the_daycares_groups(self, app, org, setting):
        with db.session_scope(app.state.engine) as s:
            child = s.get_one(Child, setting.child_id)
            make_group(s, org.daycare_id, "Stjernerne", children=[child])
            handover = _send(s, org, setting)
            service.accept(s, s.get_one(User, org.users["teacher"]), handover_id=handover.id or 0)
            assert s.exec(select(GroupChild).where(GroupChild.child_id == child.id)).all() == []

    def test_a_daycare_colleagues_waiting_joint_assessment_leaves_their_to_do(
        self, app, org, setting
    ):
        with db.session_scope(app.state.engine) as s:
            staff = s.get_one(User, org.users["staff"])
            leader = s.get_one(User, org.users["leader"])
            make_joint(s, staff, s.get_one(Child, setting.child_id), [staff, leader])
            assert [w.child_id for w in joint.waiting_for(s, leader)] == [setting.child_id]
            handover = _send(s, org, setting)
            service.accept(s, s.get_one(User, org.users["teacher"]), handover_id=handover.id or 0)
            assert joint.waiting_for(s, leader) == []


@pytest.mark.parametrize("status", ["accepted", "withdrawn"])
def test_a_closed_handover_is_not_accepted_again(app, org, setting, status):
    with db.session_scope(app.state.engine) as s:
        handover = _send(s, org, setting)
        teacher = s.get_one(User, org.users["teacher"])
        if status == "accepted":
            service.accept(s, teacher, handover_id=handover.id or 0)
        else:
            service.withdraw(s, s.get_one(User, org.users["staff"]), handover_id=handover.id or 0)
        with pytest.raises(Conflict):
            service.accept(s, teacher, handover_id=handover.id or 0)


def test_retention_deletes_a_childs_handovers_with_the_child(app, org, setting):
    from app.retention import service as retention
    from app.retention.rules import RetentionPolicy

    with db.session_scope(app.state.engine) as s:
        handover = _send(s, org, setting)
        service.accept(s, s.get_one(User, org.users["teacher"]), handover_id=handover.id or 0)
        child = s.get_one(Child, setting.child_id)
        child.left_on = dt.date.today() - dt.timedelta(days=6 * 366)
        s.add(child)
    with db.session_scope(app.state.engine) as s:
        summary = retention.run(s, RetentionPolicy(), as_of=dt.date.today())
        assert summary.rules["children"].rows["handover"] == 1
        assert s.exec(select(Handover)).all() == []
        assert s.get(Child, setting.child_id) is None
