"""A child leaves the institution (udmeldelse): the leader records the day, the child leaves
the institution's list from then, and retention counts from it."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app import db
from app.audit.models import AuditEvent
from app.children.models import Child
from app.db import local_today
from tests.factories import id_of, make_child
from tests.html import one

HX = {"HX-Request": "true"}


@pytest.fixture
def child_id(app, org) -> int:
    with db.session_scope(app.state.engine) as s:
        return id_of(
            make_child(
                s,
                org.daycare_id,
                org.users["staff"],
                first_name="Alma",
                birth_date=dt.date(2021, 5, 1),
            )
        )


def _left_on(app, child_id: int) -> dt.date | None:
    with db.session_scope(app.state.engine) as s:
        return s.get_one(Child, child_id).left_on


class TestApi:
    def test_the_leader_records_the_day_and_undoes_it(self, app, as_user, child_id):
        leader = as_user("leader")
        today = local_today()

        response = leader.client.put(
            f"/api/v1/children/{child_id}/leaving",
            json={"left_on": today.isoformat()},
            headers=leader.headers,
        )
        assert response.status_code == 200
        assert response.json()["left_on"] == today.isoformat()
        assert _left_on(app, child_id) == today

        undone = leader.client.put(
            f"/api/v1/children/{child_id}/leaving", json={"left_on": None}, headers=leader.headers
        )
        assert undone.json()["left_on"] is None
        assert _left_on(app, child_id) is None
        with db.session_scope(app.state.engine) as s:
            details = s.exec(
                select(AuditEvent.detail).where(AuditEvent.action == "child:leaving")
            ).all()
        assert details == [f"udmeldt {today.isoformat()}", "udmeldelse fortrudt"]

    def test_staff_may_not(self, app, as_user, child_id):
        staff = as_user("staff")
        response = staff.client.put(
            f"/api/v1/children/{child_id}/leaving",
            json={"left_on": local_today().isoformat()},
            headers=staff.headers,
        )
        assert response.status_code == 403
        assert _left_on(app, child_id) is None

    @pytest.mark.parametrize(
        ("left_on", "message"),
        [("2021-04-30", "før barnets fødselsdato"), ("2099-01-01", "mere end et år")],
    )
    def test_an_impossible_day_is_refused_and_nothing_changes(
        self, app, as_user, child_id, left_on, message
    ):
        leader = as_user("leader")
        response = leader.client.put(
            f"/api/v1/children/{child_id}/leaving",
            json={"left_on": left_on},
            headers=leader.headers,
        )
        assert response.status_code == 422
        assert message in response.json()["error"]["message"]
        assert response.json()["error"]["details"][0]["field"] == "left_on"
        assert _left_on(app, child_id) is None

    def test_another_institutions_child_is_not_found(self, app, as_user, org):
        with db.session_scope(app.state.engine) as s:
            other = id_of(make_child(s, org.other_daycare_id, org.users["staff_syd"]))
        leader = as_user("leader")
        response = leader.client.put(
            f"/api/v1/children/{other}/leaving",
            json={"left_on": local_today().isoformat()},
            headers=leader.headers,
        )
        assert response.status_code == 404


class TestLists:
    def test_a_child_who_has_left_is_off_the_list_and_on_the_leaders_list_of_those_who_left(
        self, app, as_user, org, child_id
    ):
        with db.session_scope(app.state.engine) as s:
            leaving_soon = make_child(s, org.daycare_id, org.users["staff"], first_name="Bo")
            leaving_soon.left_on = local_today() + dt.timedelta(days=30)
            s.get_one(Child, child_id).left_on = local_today()
        staff, leader = as_user("staff"), as_user("leader")

        staff_names = [c["first_name"] for c in staff.client.get("/api/v1/children").json()]
        page = BeautifulSoup(leader.client.get("/children?udmeldte=true").text, "html.parser")
        staff_page = BeautifulSoup(staff.client.get("/children?udmeldte=true").text, "html.parser")

        assert staff_names == ["Bo"]
        assert one(page, "h1").get_text() == "Udmeldte børn"
        assert one(page, f"#child-{child_id}")
        assert page.select_one(f"#child-{id_of(leaving_soon)}") is None
        # Staff get the ordinary list, whatever they ask for.
        assert one(staff_page, "h1").get_text() == "Børn"
        assert staff_page.select_one(f"#child-{child_id}") is None


class TestPage:
    @pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
    def test_the_leader_registers_the_leaving_on_its_page(self, app, as_user, child_id, headers):
        leader = as_user("leader")
        day = local_today().isoformat()
        response = leader.client.post(
            f"/children/{child_id}/leaving",
            data={"left_on": day},
            headers={**leader.headers, **headers},
            follow_redirects=False,
        )
        target = response.headers.get("HX-Redirect") if headers else response.headers["location"]
        assert target == f"/children/{child_id}/leaving"
        assert _left_on(app, child_id) == local_today()
        page = BeautifulSoup(leader.client.get(f"/children/{child_id}/leaving").text, "html.parser")
        assert "registreret som udmeldt" in one(page, "#leaving-status").get_text()
        assert one(page, "#undo-leaving-form")

    def test_a_missing_date_is_shown_beside_the_field_and_nothing_is_stored(
        self, app, as_user, child_id
    ):
        leader = as_user("leader")
        response = leader.client.post(
            f"/children/{child_id}/leaving", data={"left_on": ""}, headers=leader.headers
        )
        assert response.status_code == 422
        page = BeautifulSoup(response.text, "html.parser")
        assert "Skriv datoen" in page.get_text()
        assert _left_on(app, child_id) is None

    def test_staff_cannot_open_it(self, as_user, child_id):
        staff = as_user("staff")
        assert staff.client.get(f"/children/{child_id}/leaving").status_code == 403

    def test_the_childs_page_links_to_it_for_the_leader(self, as_user, child_id):
        leader = as_user("leader")
        page = BeautifulSoup(leader.client.get(f"/children/{child_id}").text, "html.parser")
        assert one(page, "#leaving-link")["href"] == f"/children/{child_id}/leaving"
