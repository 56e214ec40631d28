"""A meeting's follow-up on the start page (``start.service.todo_for``): on the recorder's
to-do from its date until a later meeting about the child is held; for the leader among the
institution's overdue follow-ups, with who recorded it."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from app.accounts.models import User
from app.children.models import Child
from app.db import local_today
from app.meetings import service as meetings
from app.start import service as start
from tests.factories import Org, id_of, make_child

TODAY = local_today()


def _record(
    s: Session, user: User, child: Child, *, held: int, follow_up: int | None, agreed: str
) -> int:
    """A meeting held ``held`` days ago with its follow-up ``follow_up`` days from today."""
    return id_of(
        meetings.record(
            s,
            user,
            child_id=id_of(child),
            kind="cross_disciplinary",
            held_on=TODAY - dt.timedelta(days=held),
            participants=[meetings.Participant("Pædagog", "Sofie")],
            parents_took_part=True,
            agreed=agreed,
            follow_up_on=None if follow_up is None else TODAY + dt.timedelta(days=follow_up),
        )
    )


def _labels(entries: list[start.Entry]) -> list[str]:
    return [f"{e.child_name}: {e.label}" for e in entries]


class TestMeetingFollowUps:
    def test_the_recorder_sees_it_when_it_is_due_with_a_link_to_the_child(
        self, session: Session, org: Org
    ):
        staff = session.get_one(User, org.users["staff"])
        leader = session.get_one(User, org.users["leader"])
        alma = make_child(session, org.daycare_id, id_of(staff), first_name="Alma")
        bo = make_child(session, org.daycare_id, id_of(staff), first_name="Bo")
        _record(session, staff, alma, held=10, follow_up=0, agreed="Tale med PPR om sprog")
        _record(session, staff, bo, held=1, follow_up=3, agreed="Ikke endnu")

        todo = start.todo_for(session, staff)

        entry = next(e for e in todo.due if e.child_id == id_of(alma))
        assert entry.label.startswith("Opfølgning på tværfagligt møde")
        assert "Tale med PPR om sprog" in entry.label
        assert (entry.route, entry.params, entry.fragment) == (
            "children:detail",
            {"child_id": id_of(alma)},
            "child-meetings",
        )
        assert (entry.due_on, entry.overdue) == (TODAY, False)
        assert "Ikke endnu" not in " ".join(_labels(todo.due))
        # A colleague does not get another's follow-up (due today: not overdue either).
        colleague = start.todo_for(session, leader)
        assert "Tale med PPR" not in " ".join(_labels(colleague.due))
        assert "Alma" not in " ".join(_labels(colleague.overdue or []))

    def test_a_later_meeting_about_the_child_is_the_follow_up(self, session: Session, org: Org):
        staff = session.get_one(User, org.users["staff"])
        leader = session.get_one(User, org.users["leader"])
        alma = make_child(session, org.daycare_id, id_of(staff), first_name="Alma")
        _record(session, staff, alma, held=20, follow_up=-5, agreed="Statusmøde om fem uger")
        assert "Statusmøde om fem uger" in " ".join(_labels(start.todo_for(session, staff).due))

        _record(session, leader, alma, held=2, follow_up=None, agreed="Det går bedre")

        assert "Statusmøde om fem uger" not in " ".join(_labels(start.todo_for(session, staff).due))

    def test_the_leader_sees_the_overdue_ones_with_who_recorded_them(
        self, session: Session, org: Org
    ):
        staff = session.get_one(User, org.users["staff"])
        leader = session.get_one(User, org.users["leader"])
        alma = make_child(session, org.daycare_id, id_of(staff), first_name="Alma")
        _record(session, staff, alma, held=20, follow_up=-2, agreed="Plan for overgang")

        overdue = start.todo_for(session, leader).overdue
        assert overdue is not None
        [entry] = [e for e in overdue if e.child_id == id_of(alma)]
        assert entry.overdue
        assert entry.label.endswith("Sofie Pædagog")
        staff_todo = start.todo_for(session, staff)
        assert staff_todo.overdue is None
        assert [e.overdue for e in staff_todo.due if e.child_id == id_of(alma)] == [True]

    def test_another_institution_never_sees_them(self, session: Session, org: Org):
        staff = session.get_one(User, org.users["staff"])
        syd = session.get_one(User, org.users["staff_syd"])
        alma = make_child(session, org.daycare_id, id_of(staff), first_name="Alma")
        _record(session, staff, alma, held=20, follow_up=-2, agreed="Plan")
        assert start.todo_for(session, syd).due == []
