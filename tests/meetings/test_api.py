"""``POST /api/v1/children/{id}/meetings`` and the meetings in ``GET /api/v1/children/{id}``:
the contract of api.md ("Meetings"), the refusals (nothing is stored), and the audit rows in
the child's access log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from app import db
from app.accounts.models import User
from app.children.models import Child
from app.db import local_today
from tests.accounts.test_login import csrf_from_login_page
from tests.factories import make_draft, make_finished_assessment, signs
from tests.meetings.conftest import Kids, body, post_meeting

TODAY = local_today()


def meetings_of(user, child_id: int) -> list[dict[str, Any]]:
    response = user.client.get(f"/api/v1/children/{child_id}")
    assert response.status_code == 200, response.text
    return response.json()["meetings"]


class TestRefusals:
    def test_not_logged_in_is_401(self, client, kids: Kids):
        token = csrf_from_login_page(client)
        response = client.post(
            f"/api/v1/children/{kids.child_id}/meetings",
            json=body(),
            headers={"X-CSRF-Token": token},
        )
        assert response.status_code == 401

    @pytest.mark.parametrize("role", ["social", "admin"])
    def test_social_workers_and_admins_are_403(self, as_user, kids: Kids, role):
        assert post_meeting(as_user(role), kids.child_id, body()).status_code == 403

    def test_a_child_of_another_institution_is_404_and_nothing_is_stored(self, as_user, kids: Kids):
        response = post_meeting(as_user("staff"), kids.other_child_id, body())
        assert response.status_code == 404
        assert meetings_of(as_user("staff_syd"), kids.other_child_id) == []

    def test_without_a_participant_is_422(self, as_user, kids: Kids):
        staff = as_user("staff")
        response = post_meeting(staff, kids.child_id, body(participants=[]))
        assert response.status_code == 422
        assert [d["field"] for d in response.json()["error"]["details"]] == ["participants"]
        assert meetings_of(staff, kids.child_id) == []

    def test_a_participant_without_a_role_is_422_naming_it(self, as_user, kids: Kids):
        participants = [{"role": "Pædagog", "name": "Sofie"}, {"role": "  ", "name": "Hanne"}]
        response = post_meeting(as_user("staff"), kids.child_id, body(participants=participants))
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "participants[1].role"

    def test_a_follow_up_before_the_meeting_is_422(self, as_user, kids: Kids):
        held = TODAY - dt.timedelta(days=3)
        payload = body(
            held_on=held.isoformat(), follow_up_on=(held - dt.timedelta(days=1)).isoformat()
        )
        response = post_meeting(as_user("staff"), kids.child_id, payload)
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["details"][0]["field"] == "follow_up_on"
        assert "før mødet" in error["message"]

    def test_a_follow_up_on_the_day_of_the_meeting_is_accepted(self, as_user, kids: Kids):
        payload = body(held_on=TODAY.isoformat(), follow_up_on=TODAY.isoformat())
        assert post_meeting(as_user("staff"), kids.child_id, payload).status_code == 201

    def test_a_meeting_in_the_future_is_422(self, as_user, kids: Kids):
        tomorrow = TODAY + dt.timedelta(days=1)
        payload = body(held_on=tomorrow.isoformat(), follow_up_on=None)
        response = post_meeting(as_user("staff"), kids.child_id, payload)
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "held_on"

    def test_a_meeting_before_the_child_was_born_is_422(self, as_user, kids: Kids):
        payload = body(held_on="1990-01-01", follow_up_on=None)
        response = post_meeting(as_user("staff"), kids.child_id, payload)
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "held_on"

    def test_a_follow_up_years_ahead_is_422(self, as_user, kids: Kids):
        payload = body(follow_up_on=(TODAY + dt.timedelta(days=3 * 365)).isoformat())
        response = post_meeting(as_user("staff"), kids.child_id, payload)
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "follow_up_on"

    def test_nothing_agreed_is_422(self, as_user, kids: Kids):
        response = post_meeting(as_user("staff"), kids.child_id, body(agreed="   "))
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "agreed"

    @pytest.mark.parametrize(
        "changes",
        [
            {"kind": "dialogue"},
            {"parents_took_part": "yes"},
            {"parents_took_part": 1},
            {"held_on": "3. december"},
            {"participants": [{"role": "Pædagog"}]},
            {"participants": [{"role": "Pædagog", "name": "Sofie", "cpr": "010101-1234"}]},
            {"participants": [{"role": "x" * 101, "name": ""}]},
            {"agreed": "x" * 5001},
            {"assessment_id": True},
            {"minutes": "unknown field"},
        ],
    )
    def test_malformed_bodies_are_422(self, as_user, kids: Kids, changes):
        staff = as_user("staff")
        response = post_meeting(staff, kids.child_id, body(**changes))
        assert response.status_code == 422, changes
        assert response.json()["error"]["details"]
        assert meetings_of(staff, kids.child_id) == []

    def test_an_assessment_of_another_child_is_422(self, app, as_user, org, kids: Kids):
        with db.session_scope(app.state.engine) as s:
            staff_row = s.get_one(User, org.users["staff"])
            sibling = s.get_one(Child, kids.sibling_id)
            other = make_finished_assessment(s, staff_row, sibling, observed=signs(level=2))
            assessment_id = other.id
        response = post_meeting(as_user("staff"), kids.child_id, body(assessment_id=assessment_id))
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "assessment_id"

    def test_a_draft_or_an_unknown_assessment_is_422(self, app, as_user, org, kids: Kids):
        with db.session_scope(app.state.engine) as s:
            draft = make_draft(
                s, s.get_one(User, org.users["staff"]), s.get_one(Child, kids.child_id)
            )
            draft_id = draft.id
        staff = as_user("staff")
        for assessment_id in (draft_id, 999_999):
            response = post_meeting(staff, kids.child_id, body(assessment_id=assessment_id))
            assert response.status_code == 422, assessment_id


class TestRecordMeeting:
    def test_answers_the_contract_shape(self, as_user, org, kids: Kids):
        response = post_meeting(as_user("staff"), kids.child_id, body())
        assert response.status_code == 201, response.text
        meeting = response.json()
        assert set(meeting) >= {
            "id",
            "child_id",
            "kind",
            "held_on",
            "participants",
            "parents_took_part",
            "agreed",
            "follow_up_on",
            "created_by",
            "created_at",
        }
        assert meeting["child_id"] == kids.child_id
        assert meeting["kind"] == "cross_disciplinary"
        assert meeting["held_on"] == (TODAY - dt.timedelta(days=1)).isoformat()
        assert meeting["participants"] == [
            {"role": "Pædagog", "name": "Sofie"},
            {"role": "Sundhedsplejerske", "name": "Hanne Holm"},
        ]
        assert meeting["parents_took_part"] is True
        assert meeting["agreed"] == "Sprogvurdering i januar; mor taler med lægen."
        assert meeting["follow_up_on"] == (TODAY + dt.timedelta(days=30)).isoformat()
        assert meeting["created_by"] == org.users["staff"]
        assert meeting["assessment_id"] is None

    def test_the_leader_records_one_too_without_follow_up(self, as_user, kids: Kids):
        response = post_meeting(
            as_user("leader"), kids.child_id, body(kind="status", follow_up_on=None)
        )
        assert response.status_code == 201
        assert response.json()["follow_up_on"] is None

    def test_about_a_finished_assessment_of_the_child(self, app, as_user, org, kids: Kids):
        with db.session_scope(app.state.engine) as s:
            finished = make_finished_assessment(
                s,
                s.get_one(User, org.users["staff"]),
                s.get_one(Child, kids.child_id),
                observed=signs(level=2),
            )
            assessment_id = finished.id
        response = post_meeting(as_user("leader"), kids.child_id, body(assessment_id=assessment_id))
        assert response.status_code == 201
        assert response.json()["assessment_id"] == assessment_id

    def test_a_repeat_with_the_same_idempotency_key_creates_nothing(self, as_user, kids: Kids):
        staff = as_user("staff")
        first = post_meeting(staff, kids.child_id, body(), key="meeting-1")
        again = post_meeting(staff, kids.child_id, body(), key="meeting-1")
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json()["id"] == first.json()["id"]
        assert len(meetings_of(staff, kids.child_id)) == 1

    def test_the_same_key_with_another_body_is_409(self, as_user, kids: Kids):
        staff = as_user("staff")
        post_meeting(staff, kids.child_id, body(), key="meeting-2")
        response = post_meeting(staff, kids.child_id, body(kind="network"), key="meeting-2")
        assert response.status_code == 409


class TestChildJson:
    def test_lists_the_meetings_newest_first_for_the_institution(self, as_user, kids: Kids):
        staff = as_user("staff")
        days = [5, 1, 10]
        ids = {
            d: post_meeting(
                staff,
                kids.child_id,
                body(held_on=(TODAY - dt.timedelta(days=d)).isoformat(), follow_up_on=None),
            ).json()["id"]
            for d in days
        }
        listed = meetings_of(as_user("leader"), kids.child_id)
        assert [m["id"] for m in listed] == [ids[1], ids[5], ids[10]]
        assert listed[0]["participants"][1] == {"role": "Sundhedsplejerske", "name": "Hanne Holm"}
        assert meetings_of(staff, kids.sibling_id) == []

    def test_another_institution_never_sees_them(self, as_user, kids: Kids):
        post_meeting(as_user("staff"), kids.child_id, body())
        assert as_user("staff_syd").client.get(f"/api/v1/children/{kids.child_id}").status_code == (
            404
        )

    def test_recording_and_reading_show_in_the_childs_access_log(self, as_user, kids: Kids):
        staff, leader = as_user("staff"), as_user("leader")
        post_meeting(staff, kids.child_id, body())
        meetings_of(staff, kids.child_id)
        page = leader.client.get(f"/children/{kids.child_id}/access-log").text
        assert "Møde registreret" in page
        assert "Møder vist" in page
        # What was agreed is never in the log.
        assert "Sprogvurdering" not in page
