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
from app.assessments import service as assessments
from app.assessments.models import Assessment, FocusPoint
from app.audit.models import AuditEvent
from app.children.models import Child
from app.db import local_today
from app.errors import AppError, Conflict
from app.handovers import service
from app.handovers.models import Handover
from app.joint import service as joint
from app.joint.models import JointAssessment, JointParticipant
from app.rounds.models import GroupChild
from tests.factories import id_of, make_draft, make_group, make_joint, signs, submit_individual
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


class TestWhatTheDaycareHadBegun:
    """Accepting discards the sending institution's unfinished work about the child (nobody
    can reach or finish it after the move); finished assessments stay."""

    def test_drafts_and_an_unfinished_joint_assessment_go_finished_work_stays(
        self, app, org, setting
    ):
        with db.session_scope(app.state.engine) as s:
            staff = s.get_one(User, org.users["staff"])
            leader = s.get_one(User, org.users["leader"])
            child = s.get_one(Child, setting.child_id)
            draft = make_draft(s, leader, child, observed=signs(level=2, n=1), notes="Stille")
            joint_id = make_joint(s, staff, child, [staff, leader])
            part = submit_individual(s, staff, joint_id, observed=signs(level=2, n=1))
            ids = {"draft": id_of(draft), "part": id_of(part)}
            handover = _send(s, org, setting)
            service.accept(s, s.get_one(User, org.users["teacher"]), handover_id=id_of(handover))
        with db.session_scope(app.state.engine) as s:
            kept = s.exec(select(Assessment).where(Assessment.child_id == setting.child_id)).all()
            assert [a.id for a in kept] == [setting.assessment_id]  # the finished one
            assert s.get(Assessment, ids["draft"]) is None
            assert s.get(Assessment, ids["part"]) is None
            assert s.get(JointAssessment, joint_id) is None
            assert s.exec(select(JointParticipant)).all() == []
            assert s.exec(select(FocusPoint)).all() != []  # the finished one's focus point
            (row,) = s.exec(
                select(AuditEvent).where(AuditEvent.action == "child:handover:discard")
            ).all()
            assert row.child_id == setting.child_id
            assert row.detail == "ufærdige vurderinger: 2; fælles vurderinger i gang: 1"
            assert "Stille" not in row.detail

    def test_a_finished_joint_assessment_stays_with_its_parts(self, app, org, setting):
        with db.session_scope(app.state.engine) as s:
            staff = s.get_one(User, org.users["staff"])
            leader = s.get_one(User, org.users["leader"])
            child = s.get_one(Child, setting.child_id)
            joint_id = make_joint(s, staff, child, [staff, leader])
            for who in (staff, leader):
                submit_individual(s, who, joint_id, observed=signs(level=2, n=1))
            joint.finish(
                s,
                staff,
                joint_id=joint_id,
                observed=signs(level=2, n=1),
                focus_points=[
                    assessments.FocusPointInput("Fast voksen", responsible_id=id_of(staff))
                ],
            )
            before = len(s.exec(select(Assessment)).all())
            handover = _send(s, org, setting)
            service.accept(s, s.get_one(User, org.users["teacher"]), handover_id=id_of(handover))
        with db.session_scope(app.state.engine) as s:
            assert s.get_one(JointAssessment, joint_id).status == "finished"
            assert len(s.exec(select(Assessment)).all()) == before
            assert (
                s.exec(
                    select(AuditEvent).where(AuditEvent.action == "child:handover:discard")
                ).all()
                == []
            )

    def test_a_withdrawn_handover_discards_nothing(self, app, org, setting):
        with db.session_scope(app.state.engine) as s:
            staff = s.get_one(User, org.users["staff"])
            draft = make_draft(s, staff, s.get_one(Child, setting.child_id))
            handover = _send(s, org, setting)
            service.withdraw(s, staff, handover_id=id_of(handover))
            draft_id = id_of(draft)
        with db.session_scope(app.state.engine) as s:
            assert s.get(Assessment, draft_id) is not None


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
        child.left_on = local_today() - dt.timedelta(days=6 * 366)
        s.add(child)
    with db.session_scope(app.state.engine) as s:
        summary = retention.run(s, RetentionPolicy(), as_of=local_today())
        assert summary.rules["children"].rows["handover"] == 1
        assert s.exec(select(Handover)).all() == []
        assert s.get(Child, setting.child_id) is None
