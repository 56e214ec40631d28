"""A consultation goes to the institution's named social worker first (``assigned_to``), is
marked as theirs in the inbox and counted in their header; every social worker of the
district can still take it, and taking it is in its timeline."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app import db
from app.accounts.models import District, Role, User
from app.audit.models import AuditEvent
from app.concerns.models import ConcernEvent
from tests.contacts.test_api import RIKKE, _put
from tests.factories import id_of, make_child, make_finished_assessment, make_user, signs
from tests.html import by_id

HTMX = {"HX-Request": "true"}


@pytest.fixture
def staff(as_user):
    """Logged in first: the app's start imports the shipped catalogs the factories need."""
    return as_user("staff")


@pytest.fixture
def second_social(app, org) -> int:
    """Another social worker of district Nord."""
    with db.session_scope(app.state.engine) as s:
        nord = s.get(District, org.nord_id)
        return id_of(
            make_user(
                s, "social2", Role.SOCIAL_WORKER, district=nord, display_name="Søren Socialrådgiver"
            )
        )


def _assessment(app, org, level: int = 3) -> int:
    with db.session_scope(app.state.engine) as s:
        child = make_child(s, org.daycare_id, org.users["staff"])
        author = s.get(User, org.users["staff"])
        assert author is not None
        return id_of(make_finished_assessment(s, author, child, observed=signs(level=level, n=3)))


def _consult(staff, assessment_id: int) -> dict[str, Any]:
    response = staff.client.post(
        "/api/v1/concerns",
        json={
            "assessment_id": assessment_id,
            "kind": "consultation",
            "message": "Vi er bekymrede for trivslen.",
        },
        headers=staff.headers,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


class TestAssignedTo:
    def test_the_named_social_worker_gets_it(self, app, as_user, org, staff):
        _put(as_user("admin"), org.daycare_id, [RIKKE | {"user_id": org.users["social"]}])
        created = _consult(staff, _assessment(app, org))
        assert created["assigned_to"] == org.users["social"]
        read = as_user("social").client.get(f"/api/v1/concerns/{created['id']}").json()
        assert read["assigned_to"] == org.users["social"]

    def test_without_a_named_social_worker_it_is_null(self, app, as_user, org, staff):
        _put(as_user("admin"), org.daycare_id, [RIKKE])  # named, but no user
        assert _consult(staff, _assessment(app, org))["assigned_to"] is None

    def test_a_deactivated_social_worker_is_passed_over(self, app, as_user, org, staff):
        _put(as_user("admin"), org.daycare_id, [RIKKE | {"user_id": org.users["social"]}])
        with db.session_scope(app.state.engine) as s:
            user = s.get(User, org.users["social"])
            assert user is not None
            user.is_active = False
            s.add(user)
        assert _consult(staff, _assessment(app, org))["assigned_to"] is None


class TestInboxAndHeader:
    def test_marked_as_theirs_and_counted_only_for_them(
        self, app, as_user, org, staff, second_social
    ):
        _put(as_user("admin"), org.daycare_id, [RIKKE | {"user_id": org.users["social"]}])
        concern_id = _consult(staff, _assessment(app, org))["id"]
        for headers in ({}, HTMX):
            soup = BeautifulSoup(
                as_user("social").client.get("/concerns", headers=headers).text, "html.parser"
            )
            assert by_id(soup, f"mine-{concern_id}").get_text() == "Din"
        soup = BeautifulSoup(as_user("social").client.get("/concerns").text, "html.parser")
        assert by_id(soup, "count-mine").get_text(" ", strip=True).startswith("1")
        other = BeautifulSoup(as_user("social2").client.get("/concerns").text, "html.parser")
        assert other.select(f"#mine-{concern_id}") == []
        assert other.select("#count-mine") == []
        assert by_id(other, f"concern-{concern_id}")  # every district social worker sees it


class TestTake:
    def test_another_social_worker_of_the_district_takes_it(
        self, app, as_user, org, staff, second_social
    ):
        _put(as_user("admin"), org.daycare_id, [RIKKE | {"user_id": org.users["social"]}])
        concern_id = _consult(staff, _assessment(app, org))["id"]
        soren = as_user("social2")
        page = BeautifulSoup(soren.client.get(f"/concerns/{concern_id}").text, "html.parser")
        assert "Rikke Rådgiver" in by_id(page, "take-form").get_text()
        response = soren.client.post(
            f"/concerns/{concern_id}/take",
            data={"csrf_token": soren.csrf_token},
            follow_redirects=False,
        )
        assert response.status_code == 303
        page = BeautifulSoup(soren.client.get(f"/concerns/{concern_id}").text, "html.parser")
        assert by_id(page, "mine-note")
        timeline = by_id(page, "timeline").get_text(" ", strip=True)
        assert "Overtaget" in timeline
        assert "Søren Socialrådgiver" in timeline
        assert (
            soren.client.get(f"/api/v1/concerns/{concern_id}").json()["assigned_to"]
            == second_social
        )
        with db.session_scope(app.state.engine) as s:
            events = s.exec(select(ConcernEvent).where(ConcernEvent.concern_id == concern_id)).all()
            assert [e.note for e in events][-1] == "Overtaget af Søren Socialrådgiver"
            tags = [e.action for e in s.exec(select(AuditEvent)).all()]
        assert "child:concern:take" in tags
        # the first one no longer counts it as theirs
        soup = BeautifulSoup(as_user("social").client.get("/concerns").text, "html.parser")
        assert soup.select(f"#mine-{concern_id}") == []

    def test_through_the_api_and_refusals(self, app, as_user, org, staff):
        concern_id = _consult(staff, _assessment(app, org))["id"]
        assert (
            staff.client.post(
                f"/api/v1/concerns/{concern_id}/take", headers=staff.headers
            ).status_code
            == 403
        )
        syd = as_user("social_syd")
        assert (
            syd.client.post(f"/api/v1/concerns/{concern_id}/take", headers=syd.headers).status_code
            == 404
        )
        social = as_user("social")
        taken = social.client.post(f"/api/v1/concerns/{concern_id}/take", headers=social.headers)
        assert taken.status_code == 200
        assert taken.json()["assigned_to"] == org.users["social"]
        for to in ("answered", "closed"):
            social.client.post(
                f"/api/v1/concerns/{concern_id}/transitions",
                json={"to": to, "note": "Svar"},
                headers=social.headers,
            )
        syd_free = as_user("social")  # a fresh client: still theirs, so a repeat is a no-op
        again = syd_free.client.post(
            f"/api/v1/concerns/{concern_id}/take", headers=syd_free.headers
        )
        assert again.status_code == 200

    def test_a_closed_concern_cannot_be_taken(self, app, as_user, org, staff, second_social):
        concern_id = _consult(staff, _assessment(app, org))["id"]
        social = as_user("social")
        for to in ("answered", "closed"):
            social.client.post(
                f"/api/v1/concerns/{concern_id}/transitions",
                json={"to": to, "note": "Svar"},
                headers=social.headers,
            )
        soren = as_user("social2")
        response = soren.client.post(f"/api/v1/concerns/{concern_id}/take", headers=soren.headers)
        assert response.status_code == 409
