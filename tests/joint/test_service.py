"""The joint service: the to-do of waiting participants, submission by every path, the
agreement figures over a period."""

from __future__ import annotations

import datetime as dt

from fastapi import FastAPI

from app import db
from app.accounts.models import User
from app.children.models import Child
from app.db import local_today
from app.joint import service
from app.joint.models import JointAssessment, JointStatus
from tests.factories import id_of, make_joint, signs, submit_individual
from tests.joint.conftest import Team

L2 = signs(level=2, n=2)
L3 = signs(level=3, n=3)


def _people(s, team: Team) -> tuple[User, User, User, Child]:
    return (
        s.get_one(User, team.staff),
        s.get_one(User, team.leader),
        s.get_one(User, team.pia),
        s.get_one(Child, team.child_id),
    )


class TestWaitingFor:
    def test_lists_the_joint_assessments_waiting_for_my_part(self, app: FastAPI, team: Team):
        with db.session_scope(app.state.engine) as s:
            staff, leader, pia, child = _people(s, team)
            joint_id = make_joint(s, staff, child, [staff, leader])
            waiting = service.waiting_for(s, leader)
            assert [(w.joint_id, w.child_id, w.child_name) for w in waiting] == [
                (joint_id, team.child_id, "Alma Jensen")
            ]
            assert waiting[0].started_by_name == "Sofie Pædagog"
            assert service.waiting_for(s, pia) == []

    def test_a_started_draft_still_waits_a_submitted_one_does_not(self, app, team):
        with db.session_scope(app.state.engine) as s:
            staff, leader, _, child = _people(s, team)
            joint_id = make_joint(s, staff, child, [staff, leader])
            service.open_individual(s, leader, joint_id=joint_id)
            assert len(service.waiting_for(s, leader)) == 1
            submit_individual(s, staff, joint_id, observed=L2)
            # Submitted through the questionnaire: the joint assessment was not read since.
            assert service.waiting_for(s, staff) == []

    def test_a_finished_joint_assessment_waits_for_no_one(self, app, team):
        with db.session_scope(app.state.engine) as s:
            staff, leader, _, child = _people(s, team)
            joint_id = make_joint(s, staff, child, [staff, leader])
            submit_individual(s, staff, joint_id, observed=L2)
            submit_individual(s, leader, joint_id, observed=L2)
            service.finish(s, staff, joint_id=joint_id, observed=L2)
            assert service.waiting_for(s, leader) == []
            assert service.waiting_for(s, staff) == []

    def test_a_social_worker_has_nothing_waiting(self, app, team, org):
        with db.session_scope(app.state.engine) as s:
            assert service.waiting_for(s, s.get_one(User, org.users["social"])) == []


class TestSubmission:
    def test_the_last_submission_through_the_questionnaire_makes_it_ready(self, app, team):
        with db.session_scope(app.state.engine) as s:
            staff, leader, _, child = _people(s, team)
            joint_id = make_joint(s, staff, child, [staff, leader])
            submit_individual(s, staff, joint_id, observed=L3)
            submit_individual(s, leader, joint_id, observed=L2)
            view = service.get(s, staff, joint_id=joint_id)
            assert view.status is JointStatus.READY
            assert all(p.submitted_at is not None for p in view.participants)
            assert view.comparison is not None
            assert view.comparison.level_spread == 1

    def test_the_api_submission_finishes_the_draft_begun_in_the_questionnaire(self, app, team):
        with db.session_scope(app.state.engine) as s:
            staff, leader, _, child = _people(s, team)
            joint_id = make_joint(s, staff, child, [staff, leader])
            draft = service.open_individual(s, staff, joint_id=joint_id)
            state = service.submit_individual(s, staff, joint_id=joint_id, observed=L2)
            assert state.assessment.id == draft.id
            assert service.open_individual(s, staff, joint_id=joint_id).id == draft.id


class TestAgreement:
    def _finished(self, s, team: Team, *, levels: tuple[list[str], list[str]], joint: list[str]):
        staff, leader, _, child = _people(s, team)
        joint_id = make_joint(s, staff, child, [staff, leader])
        submit_individual(s, staff, joint_id, observed=levels[0])
        submit_individual(s, leader, joint_id, observed=levels[1])
        service.finish(s, staff, joint_id=joint_id, observed=joint)
        return joint_id

    def test_counts_matching_individual_levels(self, app, team, org):
        with db.session_scope(app.state.engine) as s:
            self._finished(s, team, levels=(L2, L3), joint=L2)
            figures = service.agreement(s, org.daycare_id)
            assert figures.joint_assessments == 1
            assert figures.individual_assessments == 2
            assert figures.matching_joint_level == 1

    def test_between_counts_only_what_was_finished_in_the_period(self, app, team, org):
        with db.session_scope(app.state.engine) as s:
            joint_id = self._finished(s, team, levels=(L2, L2), joint=L2)
            joint = s.get_one(JointAssessment, joint_id)
            joint.finished_at = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)
            s.add(joint)
            s.flush()
            march = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
            assert service.agreement(s, org.daycare_id, between=march).joint_assessments == 1
            today = local_today()
            later = (today - dt.timedelta(days=7), today)
            assert service.agreement(s, org.daycare_id, between=later).joint_assessments == 0
            assert id_of(joint) == joint_id


class TestDemo:
    def test_the_demo_has_one_joint_assessment_waiting_for_the_leader(self, session):
        from app import demo
        from app.accounts import service as accounts

        demo.seed(session, password="demo-kodeord-123")
        demo.seed(session, password="demo-kodeord-123")
        lone = accounts.get_by_username(session, username="leder")
        pia = accounts.get_by_username(session, username="paedagog")
        assert lone is not None
        assert pia is not None
        waiting = service.waiting_for(session, lone)
        assert [w.child_name for w in waiting] == ["Sofus Eksempel"]
        assert service.waiting_for(session, pia) == []
        view = service.get(session, lone, joint_id=waiting[0].joint_id)
        assert [p.submitted for p in view.participants] == [True, False]
        assert view.individuals is None
