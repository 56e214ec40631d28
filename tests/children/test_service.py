"""Registering children, and who may see them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import col, select

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.children import scope, service
from app.db import local_today
from app.errors import Forbidden, Invalid, NotFound
from tests.factories import id_of, make_child


def _user(session, org, name) -> User:
    return session.get_one(User, org.users[name])


class TestCreateChild:
    def test_social_workers_and_admins_cannot_register_children(self, session, org):
        for name in ("social", "admin"):
            with pytest.raises(Forbidden):
                service.create(
                    session,
                    _user(session, org, name),
                    first_name="A",
                    last_name="B",
                    birth_date=dt.date(2022, 1, 1),
                )

    def test_another_institution_is_not_found(self, session, org):
        with pytest.raises(NotFound):
            service.create(
                session,
                _user(session, org, "staff"),
                first_name="A",
                last_name="B",
                birth_date=dt.date(2022, 1, 1),
                institution_id=org.school_id,
            )

    def test_every_missing_or_wrong_field_is_named(self, session, org):
        with pytest.raises(Invalid) as caught:
            service.create(
                session,
                _user(session, org, "staff"),
                first_name=" ",
                last_name="",
                birth_date=local_today() + dt.timedelta(days=1),
            )
        assert [d["field"] for d in caught.value.details] == [
            "first_name",
            "last_name",
            "birth_date",
        ]

    def test_adults_are_refused(self, session, org):
        with pytest.raises(Invalid, match="under 18"):
            service.create(
                session,
                _user(session, org, "staff"),
                first_name="A",
                last_name="B",
                birth_date=dt.date(1990, 1, 1),
            )

    def test_child_is_created_in_the_staff_members_institution_and_audited(self, session, org):
        child = service.create(
            session,
            _user(session, org, "staff"),
            first_name=" Alma ",
            last_name="Jensen",
            birth_date=dt.date(2022, 3, 4),
        )
        assert (child.institution_id, child.first_name) == (org.daycare_id, "Alma")
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "child:create")).one()
        assert event.child_id == child.id


class TestVisibleChildren:
    def test_staff_and_leader_see_their_institutions_children_only(self, session, org):
        mine = make_child(session, org.daycare_id, org.users["staff"], first_name="Alma")
        make_child(session, org.school_id, org.users["teacher"], first_name="Bo")
        for name in ("staff", "leader"):
            assert [c.id for c in scope.visible_children(session, _user(session, org, name))] == [
                mine.id
            ]

    def test_search_matches_every_word_in_first_or_last_name(self, session, org):
        make_child(
            session, org.daycare_id, org.users["staff"], first_name="Alma", last_name="Jensen"
        )
        make_child(
            session, org.daycare_id, org.users["staff"], first_name="Alfred", last_name="Hansen"
        )
        staff = _user(session, org, "staff")
        assert [c.first_name for c in scope.visible_children(session, staff, search="al")] == [
            "Alfred",
            "Alma",
        ]
        assert [
            c.first_name for c in scope.visible_children(session, staff, search="alma JENS")
        ] == ["Alma"]

    @pytest.mark.parametrize("search", ["øjv", "ØJVIND", "ærø", "Ærø Øjv", "åse"])
    def test_search_ignores_the_case_of_danish_letters(self, session, org, search):
        # SQLite's own lower() and LIKE know only ASCII: "øjv" missed "Øjvind" there.
        make_child(
            session, org.daycare_id, org.users["staff"], first_name="Øjvind", last_name="Ærø"
        )
        make_child(session, org.daycare_id, org.users["staff"], first_name="Åse", last_name="Ærø")
        make_child(session, org.daycare_id, org.users["staff"], first_name="Bo", last_name="Berg")
        staff = _user(session, org, "staff")
        found = {c.first_name for c in scope.visible_children(session, staff, search=search)}
        rows = {c.first_name for c in scope.visible_child_rows(session, staff, search=search)}
        expected = {"Åse"} if search == "åse" else {"Øjvind"} if "j" in search.lower() else None
        assert found == rows == (expected or {"Øjvind", "Åse"})

    @pytest.mark.parametrize("search", ["%", "_", "\\"])
    def test_search_takes_wildcards_literally(self, session, org, search):
        make_child(session, org.daycare_id, org.users["staff"], first_name="Alma")
        staff = _user(session, org, "staff")
        assert scope.visible_children(session, staff, search=search) == []

    @pytest.mark.parametrize(("search", "left"), [("", False), ("al", False), ("", True)])
    def test_the_lists_rows_are_the_same_children_with_the_same_audit(
        self, session, org, search, left
    ):
        """``visible_child_rows`` (the page's four columns) lists who ``visible_children``
        does, in the same order, and writes the same audit row."""
        for first, last in (("Alma", "Jensen"), ("Alfred", "Hansen"), ("Bo", "Alsing")):
            make_child(
                session, org.daycare_id, org.users["staff"], first_name=first, last_name=last
            )
        gone = make_child(session, org.daycare_id, org.users["staff"], first_name="Albert")
        gone.left_on = local_today() - dt.timedelta(days=1)
        session.add(gone)
        make_child(session, org.school_id, org.users["teacher"], first_name="Alberte")
        session.flush()
        leader = _user(session, org, "leader")
        records = scope.visible_children(session, leader, search=search, left=left)
        rows = scope.visible_child_rows(session, leader, search=search, left=left)
        assert records
        assert [(r.id, r.first_name, r.last_name, r.birth_date) for r in rows] == [
            (c.id, c.first_name, c.last_name, c.birth_date) for c in records
        ]
        events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "child:list").order_by(col(AuditEvent.id))
        ).all()
        assert len(events) == 2
        first, second = events
        assert (second.detail, second.object_id, second.actor_username) == (
            first.detail,
            first.object_id,
            first.actor_username,
        )

    def test_other_institutions_child_is_not_found_and_the_attempt_not_audited_as_read(
        self, session, org
    ):
        theirs = make_child(session, org.school_id, org.users["teacher"])
        with pytest.raises(NotFound):
            scope.get_child_for(session, _user(session, org, "staff"), child_id=id_of(theirs))
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "child:view")).all() == []

    def test_reading_a_child_is_audited_with_the_child_id(self, session, org):
        child = make_child(session, org.daycare_id, org.users["staff"])
        scope.get_child_for(
            session, _user(session, org, "leader"), child_id=id_of(child), purpose="test"
        )
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "child:view")).one()
        assert (event.child_id, event.actor_username, event.detail) == (child.id, "leader", "test")
