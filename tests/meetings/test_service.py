"""The meetings service beyond the API: ``list_for_child`` (for the export and a handover
summary) and retention, which deletes a child's meetings with the child."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlmodel import Session, select

from app.accounts.models import User
from app.catalogs import service as catalogs
from app.children.models import Child
from app.db import local_today
from app.errors import Invalid
from app.meetings import service as meetings
from app.meetings.models import Meeting
from app.retention import service as retention
from app.retention.rules import RetentionPolicy
from tests.factories import Org, id_of, make_child, make_finished_assessment, signs

TODAY = local_today()


def _record(
    s: Session, user: User, child: Child, *, held: int, assessment_id: int | None = None
) -> Meeting:
    return meetings.record(
        s,
        user,
        child_id=id_of(child),
        kind="network",
        held_on=TODAY - dt.timedelta(days=held),
        participants=[meetings.Participant(" Pædagog ", " Sofie ")],
        parents_took_part=False,
        agreed="  Vi følger op.  ",
        assessment_id=assessment_id,
    )


class TestListForChild:
    def test_newest_first_and_only_the_childs(self, session: Session, org: Org):
        staff = session.get_one(User, org.users["staff"])
        alma = make_child(session, org.daycare_id, id_of(staff), first_name="Alma")
        bo = make_child(session, org.daycare_id, id_of(staff), first_name="Bo")
        old, new = _record(session, staff, alma, held=30), _record(session, staff, alma, held=2)
        _record(session, staff, bo, held=1)

        assert [m.id for m in meetings.list_for_child(session, id_of(alma))] == [new.id, old.id]

    def test_texts_are_stored_trimmed(self, session: Session, org: Org):
        staff = session.get_one(User, org.users["staff"])
        alma = make_child(session, org.daycare_id, id_of(staff))
        meeting = _record(session, staff, alma, held=0)
        assert meeting.participants == [{"role": "Pædagog", "name": "Sofie"}]
        assert meeting.agreed == "Vi følger op."


class TestRetention:
    def test_a_deleted_child_takes_its_meetings_with_it(self, session: Session, org: Org):
        catalogs.import_shipped(session)
        staff = session.get_one(User, org.users["staff"])
        gone = make_child(session, org.daycare_id, id_of(staff), first_name="Alma", age_years=8)
        kept = make_child(session, org.daycare_id, id_of(staff), first_name="Bo", age_years=8)
        assessment = make_finished_assessment(session, staff, gone, observed=signs("6-9", level=2))
        _record(session, staff, gone, held=3, assessment_id=id_of(assessment))
        _record(session, staff, gone, held=1)
        _record(session, staff, kept, held=1)
        gone.left_on = TODAY - dt.timedelta(days=6 * 366)
        session.add(gone)
        session.commit()

        summary = retention.run(session, RetentionPolicy(), as_of=TODAY)

        assert session.exec(select(Meeting.child_id)).all() == [id_of(kept)]
        rows = summary.as_json()["rules"]["children"]["rows"]
        assert rows["meeting"] == 2
        assert rows["child"] == 1


class TestLimits:
    def test_the_form_limits_hold_in_the_service_too(self, session: Session, org: Org):
        staff = session.get_one(User, org.users["staff"])
        alma = make_child(session, org.daycare_id, id_of(staff))

        def fields(**changes: object) -> list[str]:
            arguments: dict[str, Any] = {
                "child_id": id_of(alma),
                "kind": "status",
                "held_on": TODAY,
                "participants": [meetings.Participant("Pædagog")],
                "parents_took_part": False,
                "agreed": "Vi følger op.",
                **changes,
            }
            with pytest.raises(Invalid) as refused:
                meetings.record(session, staff, **arguments)
            return [d["field"] for d in refused.value.details]

        many = [meetings.Participant("Pædagog")] * 31
        assert fields(participants=many) == ["participants"]
        long_role = [meetings.Participant("x" * 101, "y" * 201)]
        assert fields(participants=long_role) == ["participants[0].role", "participants[0].name"]
        assert fields(agreed="x" * 5001) == ["agreed"]
        assert fields(kind="dialogue") == ["kind"]
        assert meetings.list_for_child(session, id_of(alma)) == []
