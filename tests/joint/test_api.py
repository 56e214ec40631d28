"""``/api/v1/joint-assessments`` and the agreement figures: the contract of api.md, and the
independence rule in every JSON answer."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.db import local_today
from tests.factories import signs
from tests.joint.conftest import Team

L1 = signs(level=1, n=2)
L2 = signs(level=2, n=3)
L3 = signs(level=3, n=3)


def start(user: Any, team: Team, participants: list[int], key: str | None = None) -> Any:
    headers = dict(user.headers)
    if key:
        headers["Idempotency-Key"] = key
    return user.client.post(
        "/api/v1/joint-assessments",
        json={"child_id": team.child_id, "participant_ids": participants},
        headers=headers,
    )


def submit(user: Any, joint_id: int, observed: list[str], **extra: Any) -> Any:
    return user.client.post(
        f"/api/v1/joint-assessments/{joint_id}/individual",
        json={"observed": observed, **extra},
        headers=user.headers,
    )


def read(user: Any, joint_id: int) -> Any:
    return user.client.get(f"/api/v1/joint-assessments/{joint_id}")


def finish(user: Any, joint_id: int, observed: list[str], **extra: Any) -> Any:
    return user.client.post(
        f"/api/v1/joint-assessments/{joint_id}/finish",
        json={"observed": observed, **extra},
        headers=user.headers,
    )


@pytest.fixture
def pair(as_user, team: Team) -> tuple[Any, Any, int]:
    """staff and leader in a joint assessment started by staff."""
    staff, leader = as_user("staff"), as_user("leader")
    response = start(staff, team, [team.staff, team.leader])
    assert response.status_code == 201, response.text
    return staff, leader, response.json()["id"]


class TestStartJointAssessment:
    def test_fewer_than_two_distinct_participants_is_422(self, as_user, team):
        staff = as_user("staff")
        response = start(staff, team, [team.staff, team.staff])
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "participant_ids"

    def test_the_caller_must_be_among_them(self, as_user, team):
        response = start(as_user("staff"), team, [team.leader, team.pia])
        assert response.status_code == 422

    def test_a_participant_of_another_institution_is_422(self, as_user, team, org):
        response = start(as_user("staff"), team, [team.staff, org.users["staff_syd"]])
        assert response.status_code == 422

    def test_a_social_worker_cannot_be_a_participant(self, as_user, team, org):
        response = start(as_user("staff"), team, [team.staff, org.users["social"]])
        assert response.status_code == 422

    def test_a_child_of_another_institution_is_404(self, as_user, team):
        staff = as_user("staff")
        response = staff.client.post(
            "/api/v1/joint-assessments",
            json={"child_id": team.other_child_id, "participant_ids": [team.staff, team.leader]},
            headers=staff.headers,
        )
        assert response.status_code == 404

    def test_not_logged_in_is_401_and_a_social_worker_403(self, client, as_user, team):
        assert client.get("/api/v1/joint-assessments/1").status_code == 401
        assert start(as_user("social"), team, [team.staff, team.leader]).status_code == 403

    def test_unknown_fields_are_422(self, as_user, team):
        staff = as_user("staff")
        response = staff.client.post(
            "/api/v1/joint-assessments",
            json={"child_id": team.child_id, "participant_ids": [1, 2], "x": 1},
            headers=staff.headers,
        )
        assert response.status_code == 422

    def test_answers_the_contract_shape(self, as_user, team):
        response = start(as_user("staff"), team, [team.staff, team.leader, team.pia])
        assert response.status_code == 201
        body = response.json()
        assert body["status"] == "collecting"
        assert body["child_id"] == team.child_id
        assert [(p["user_id"], p["submitted"]) for p in body["participants"]] == [
            (team.staff, False),
            (team.leader, False),
            (team.pia, False),
        ]
        assert body["individual"] is None
        assert body["comparison"] is None
        assert body["assessment_id"] is None

    def test_a_repeat_with_the_same_idempotency_key_creates_nothing(self, as_user, team):
        staff = as_user("staff")
        first = start(staff, team, [team.staff, team.leader], key="k1")
        again = start(staff, team, [team.staff, team.leader], key="k1")
        assert again.json()["id"] == first.json()["id"]


class TestIndependence:
    def test_before_own_submission_nothing_of_another_is_revealed(self, pair):
        staff, leader, joint_id = pair
        mine = submit(staff, joint_id, L3, notes="Hemmelig note om Alma")
        assert mine.status_code == 201
        body = read(leader, joint_id).json()
        assert body["individual"] is None
        assert body["comparison"] is None
        assert [p["submitted"] for p in body["participants"]] == [True, False]
        text = json.dumps(body)
        assert "Hemmelig" not in text
        assert not any(sign in text for sign in L3)

    def test_another_participants_individual_is_not_readable_by_id(self, pair):
        staff, leader, joint_id = pair
        mine = submit(staff, joint_id, L3).json()
        assert leader.client.get(f"/api/v1/assessments/{mine['id']}").status_code == 403

    def test_the_childs_json_leaves_out_another_participants_individual(self, pair, team):
        staff, leader, joint_id = pair
        mine = submit(staff, joint_id, L3).json()
        child = leader.client.get(f"/api/v1/children/{team.child_id}").json()
        assert mine["id"] not in [a["id"] for a in child["assessments"]]
        own = staff.client.get(f"/api/v1/children/{team.child_id}").json()
        assert [a["kind"] for a in own["assessments"] if a["id"] == mine["id"]] == ["individual"]

    def test_the_childs_json_lists_another_individual_once_the_caller_submitted(self, pair, team):
        staff, leader, joint_id = pair
        mine = submit(staff, joint_id, L3, notes="Hemmelig note om Alma").json()
        before = leader.client.get(f"/api/v1/children/{team.child_id}").text
        assert "Hemmelig" not in before
        assert not any(sign in before for sign in L3)
        theirs = submit(leader, joint_id, L2[:1]).json()
        child = leader.client.get(f"/api/v1/children/{team.child_id}").json()
        listed = {a["id"]: a for a in child["assessments"]}
        assert listed[mine["id"]]["kind"] == "individual"
        assert listed[mine["id"]]["observed"] == L3
        assert listed[mine["id"]]["notes"] == "Hemmelig note om Alma"
        assert listed[theirs["id"]]["kind"] == "individual"
        assert [a["id"] for a in child["assessments"]] == [theirs["id"], mine["id"]]

    def test_the_childs_json_shows_a_colleague_outside_the_joint_nothing_until_finished(
        self, pair, team, as_user
    ):
        staff, leader, joint_id = pair
        pia = as_user("pia")
        submit(staff, joint_id, L3)
        submit(leader, joint_id, L2[:1])
        ready = pia.client.get(f"/api/v1/children/{team.child_id}").json()
        assert [a["kind"] for a in ready["assessments"]] == []
        finish(staff, joint_id, L2[:1])
        done = pia.client.get(f"/api/v1/children/{team.child_id}").json()
        assert sorted(a["kind"] for a in done["assessments"]) == [
            "individual",
            "individual",
            "joint",
        ]

    def test_after_own_submission_the_submitted_ones_are_listed(self, as_user, team):
        staff, leader, pia = as_user("staff"), as_user("leader"), as_user("pia")
        joint_id = start(staff, team, [team.staff, team.leader, team.pia]).json()["id"]
        submit(staff, joint_id, L2[:2])
        submit(leader, joint_id, L2[:1])
        body = read(leader, joint_id).json()
        assert body["status"] == "collecting"
        assert {i["user_id"] for i in body["individual"]} == {team.staff, team.leader}
        assert body["comparison"] is None
        assert read(pia, joint_id).json()["individual"] is None

    def test_a_colleague_outside_the_joint_sees_who_submitted_only(self, pair, as_user):
        staff, _, joint_id = pair
        submit(staff, joint_id, L3)
        body = read(as_user("pia"), joint_id).json()
        assert body["individual"] is None
        assert [p["submitted"] for p in body["participants"]] == [True, False]

    def test_another_institution_gets_404(self, pair, as_user):
        _, _, joint_id = pair
        assert read(as_user("staff_syd"), joint_id).status_code == 404

    def test_the_audit_log_holds_no_ticks_or_level_of_an_individual(self, pair, as_user):
        staff, _, joint_id = pair
        submit(staff, joint_id, L3)
        rows = as_user("admin").client.get("/admin/audit").text
        assert not any(sign in rows for sign in L3)
        assert "egen vurdering til fælles vurdering" in rows


class TestSubmitIndividual:
    def test_a_non_participant_is_403(self, pair, as_user):
        _, _, joint_id = pair
        assert submit(as_user("pia"), joint_id, L2).status_code == 403

    def test_a_second_submission_is_409(self, pair):
        staff, _, joint_id = pair
        assert submit(staff, joint_id, L2).status_code == 201
        assert submit(staff, joint_id, L2).status_code == 409

    def test_an_unknown_sign_is_422_and_nothing_is_submitted(self, pair):
        staff, leader, joint_id = pair
        assert submit(staff, joint_id, ["no-such-sign"]).status_code == 422
        assert read(leader, joint_id).json()["participants"][0]["submitted"] is False

    def test_answers_the_stored_individual_assessment(self, pair, team):
        staff, _, joint_id = pair
        body = submit(staff, joint_id, L3, notes="Set i garderoben").json()
        assert body["kind"] == "individual"
        assert body["child_id"] == team.child_id
        assert body["level"] == 3
        assert body["notes"] == "Set i garderoben"


class TestComparisonAndFinish:
    def test_when_all_submitted_the_comparison_shows_agreed_and_disputed(self, pair):
        staff, leader, joint_id = pair
        submit(staff, joint_id, [*L3, L1[0]])
        submit(leader, joint_id, [L1[0], L2[0]])
        body = read(staff, joint_id).json()
        assert body["status"] == "ready"
        comparison = body["comparison"]
        levels = {row["user_id"]: row["level"] for row in comparison["levels"]}
        assert comparison["level_spread"] == max(levels.values()) - min(levels.values())
        assert comparison["agreed"] == [L1[0]]
        assert set(comparison["disputed"]) == {*L3, L2[0]}
        ticked = {row["id"]: row["ticked_by"] for row in comparison["indicators"]}
        assert sorted(ticked[L1[0]]) == sorted(
            [body["participants"][0]["user_id"], body["participants"][1]["user_id"]]
        )

    def test_finishing_before_all_submitted_is_409(self, pair):
        staff, _, joint_id = pair
        submit(staff, joint_id, L2)
        assert finish(staff, joint_id, L2).status_code == 409

    def test_the_joint_result_counts_and_the_individual_ones_do_not(self, pair, team):
        staff, leader, joint_id = pair
        submit(staff, joint_id, L3)
        submit(leader, joint_id, L2)
        response = finish(staff, joint_id, L2[:2], notes="Enige om niveau 2")
        assert response.status_code == 201
        result = response.json()
        assert result["kind"] == "joint"
        assert result["joint_assessment_id"] == joint_id
        assert sorted(result["participant_ids"]) == sorted([team.staff, team.leader])
        body = read(leader, joint_id).json()
        assert body["status"] == "finished"
        assert body["assessment_id"] == result["id"]
        assert finish(staff, joint_id, L2).status_code == 409
        child = staff.client.get(f"/api/v1/children/{team.child_id}").json()
        kinds = [a["kind"] for a in child["assessments"]]
        assert kinds.count("joint") == 1

    def test_a_non_participant_cannot_finish(self, pair, as_user):
        staff, leader, joint_id = pair
        submit(staff, joint_id, L2)
        submit(leader, joint_id, L2)
        assert finish(as_user("pia"), joint_id, L2).status_code == 403

    def test_after_finishing_the_comparison_is_open_to_the_institution(self, pair, as_user):
        staff, leader, joint_id = pair
        submit(staff, joint_id, L2)
        submit(leader, joint_id, L2)
        finish(staff, joint_id, L2)
        assert read(as_user("pia"), joint_id).json()["comparison"] is not None


class TestTheTeamsPlan:
    """``POST .../finish`` takes ``focus_points`` and ``parents`` as ``POST
    /api/v1/assessments`` does (docs/api-extensions.md): omitted, nothing is asked."""

    def _ready(self, pair, observed):
        staff, leader, joint_id = pair
        assert submit(staff, joint_id, observed).status_code == 201
        assert submit(leader, joint_id, observed).status_code == 201
        return staff, leader, joint_id

    def test_omitted_the_contract_of_api_md_holds(self, pair):
        staff, _, joint_id = self._ready(pair, L2)
        response = finish(staff, joint_id, L2)
        assert response.status_code == 201
        assert response.json()["focus_points"] == []
        assert response.json()["parents"] is None

    def test_given_empty_at_level_2_is_422_and_nothing_is_stored(self, pair):
        staff, _, joint_id = self._ready(pair, L2)
        response = finish(staff, joint_id, L2, focus_points=[])
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "focus_points"
        assert read(staff, joint_id).json()["status"] == "ready"

    def test_stored_with_the_joint_assessment_and_read_back(self, pair, team):
        staff, leader, joint_id = self._ready(pair, L2)
        today = local_today().isoformat()
        response = finish(
            staff,
            joint_id,
            L2,
            focus_points=[{"text": "Fast voksen om morgenen", "responsible_id": team.leader}],
            parents={"involvement": "informed", "on": today, "how": "Samtale"},
        )
        assert response.status_code == 201, response.text
        result = response.json()
        assert [(p["text"], p["responsible_id"]) for p in result["focus_points"]] == [
            ("Fast voksen om morgenen", team.leader)
        ]
        assert result["parents"] == {"involvement": "informed", "on": today, "how": "Samtale"}
        again = leader.client.get(f"/api/v1/assessments/{result['id']}").json()
        assert again["focus_points"] == result["focus_points"]

    def test_a_responsible_of_another_institution_is_422(self, pair, org):
        staff, _, joint_id = self._ready(pair, L2)
        response = finish(
            staff,
            joint_id,
            L2,
            focus_points=[{"text": "x", "responsible_id": org.users["staff_syd"]}],
        )
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "focus_points[0].responsible_id"

    def test_the_parents_on_a_critical_result_is_422(self, pair):
        critical = signs(level=4, critical=True)
        staff, _, joint_id = self._ready(pair, critical)
        response = finish(
            staff,
            joint_id,
            critical,
            parents={"involvement": "informed", "on": local_today().isoformat(), "how": "x"},
        )
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "parents"

    def test_a_participants_own_part_takes_no_plan(self, pair):
        staff, _, joint_id = pair
        response = submit(staff, joint_id, L2, focus_points=[{"text": "x"}])
        assert response.status_code == 422  # an unknown field of the individual's body


class TestAgreement:
    def test_counts_the_individual_levels_that_matched_the_joint_one(self, pair, team):
        staff, leader, joint_id = pair
        submit(staff, joint_id, L3)
        submit(leader, joint_id, L2[:1])
        joint_level = leader.client.get(
            f"/api/v1/assessments/{finish(staff, joint_id, L2[:1]).json()['id']}"
        ).json()["level"]
        institution = leader.client.get("/api/v1/session").json()["user"]["institution_id"]
        body = leader.client.get(f"/api/v1/institutions/{institution}/agreement").json()
        assert body == {
            "joint_assessments": 1,
            "individual_assessments": 2,
            "matching_joint_level": 1 if joint_level == 2 else 0,
            "rate": 0.5 if joint_level == 2 else 0.0,
        }

    def test_without_joint_assessments_the_rate_is_null(self, as_user, org):
        body = (
            as_user("admin").client.get(f"/api/v1/institutions/{org.daycare_id}/agreement").json()
        )
        assert body["rate"] is None
        assert body["joint_assessments"] == 0

    def test_staff_and_other_leaders_are_403(self, as_user, org):
        assert (
            as_user("staff").client.get(f"/api/v1/institutions/{org.daycare_id}/agreement")
        ).status_code == 403
        assert (
            as_user("leader").client.get(f"/api/v1/institutions/{org.school_id}/agreement")
        ).status_code == 403
