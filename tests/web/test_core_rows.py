"""The request path's Core reads (``db.get_row``, ``db.clean_row``, the session lookup) hand
out rows that behave as the ORM's: tracked, flushed when changed, one instance per row."""

from __future__ import annotations

from typing import TypeVar

from sqlmodel import Session

from app import db
from app.accounts import service as accounts
from app.accounts.models import User, UserSession
from app.children.models import Child
from tests.factories import make_child

_T = TypeVar("_T")


def _get(s: Session, model: type[_T], ident: int) -> _T:
    found = s.get(model, ident)
    assert found is not None
    return found


def _child(app, org) -> int:
    with db.session_scope(app.state.engine) as s:
        return db.id_of(make_child(s, org.daycare_id, org.users["staff"]))


class TestGetRow:
    def test_a_missing_row_is_none(self, app, org):
        with Session(app.state.engine) as s:
            assert db.get_row(s, Child, 999_999) is None

    def test_a_row_read_with_core_is_the_sessions_own_and_a_change_to_it_is_stored(self, app, org):
        child_id = _child(app, org)
        with db.session_scope(app.state.engine) as s:
            child = db.get_row(s, Child, child_id)
            assert child is not None
            assert child.first_name == "Alma"
            assert s.get(Child, child_id) is child  # one instance per row, as the ORM's
            assert db.get_row(s, Child, child_id) is child
            child.first_name = "Ella"
        with Session(app.state.engine) as s:
            assert _get(s, Child, child_id).first_name == "Ella"

    def test_a_row_the_session_already_holds_is_returned_as_it_is(self, app, org):
        child_id = _child(app, org)
        with Session(app.state.engine) as s:
            loaded = _get(s, Child, child_id)
            loaded.first_name = "Ida"  # not flushed: the Core read must not undo it
            assert db.get_row(s, Child, child_id) is loaded
            assert loaded.first_name == "Ida"


class TestSessionLookup:
    def test_the_user_and_the_session_row_are_the_sessions_own(self, app, org):
        policy = accounts.LoginPolicy()
        with db.session_scope(app.state.engine) as s:
            user = _get(s, User, org.users["staff"])
            token, _ = accounts.start_session(s, user, client_ip="", user_agent="", policy=policy)
        with db.session_scope(app.state.engine) as s:
            found = accounts.resolve_session(s, token=token, policy=policy)
            assert found is not None
            user, live = found
            assert s.get(User, user.id) is user
            row = live.row(s)
            assert s.get(UserSession, live.id) is row
            assert row.csrf_token == live.csrf_token
            user.display_name = "Ny visning"
            accounts.end_session(s, user, row)
        with db.session_scope(app.state.engine) as s:
            assert _get(s, User, org.users["staff"]).display_name == "Ny visning"
            assert accounts.resolve_session(s, token=token, policy=policy) is None
