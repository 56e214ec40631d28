"""The groups and rounds API of api.md ("Groups and well-being rounds"), exactly: who may
do what, the 422s, progress, and the "<5" rule on every count of the overview."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlmodel import select

from app import db
from app.accounts.models import Institution, Role, User
from app.audit.models import AuditEvent
from app.catalogs import service as catalogs
from app.children.models import Child
from app.db import local_today
from tests.factories import id_of, make_assessed, make_child, make_group, make_user

TODAY = local_today()


def _children(app, org, n: int, *, institution: str = "daycare", prefix: str = "Barn") -> list[int]:
    with db.session_scope(app.state.engine) as s:
        institution_id = getattr(org, f"{institution}_id")
        author = org.users["staff" if institution == "daycare" else "staff_syd"]
        return [
            id_of(make_child(s, institution_id, author, first_name=f"{prefix}{i:02d}"))
            for i in range(n)
        ]


def _group(leader, name="Solstuen") -> int:
    response = leader.client.post("/api/v1/groups", json={"name": name}, headers=leader.headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _assess(app, org, child_ids: list[int], levels: list[int], on: dt.date | None = None):
    with db.session_scope(app.state.engine) as s:
        catalogs.import_shipped(s)
        staff = s.get_one(User, org.users["staff"])
        for child_id, level in zip(child_ids, levels, strict=True):
            make_assessed(s, staff, s.get_one(Child, child_id), level=level, on=on)


class TestCreateGroup:
    def test_staff_may_not_create_a_group(self, as_user):
        staff = as_user("staff")
        response = staff.client.post("/api/v1/groups", json={"name": "X"}, headers=staff.headers)
        assert response.status_code == 403

    def test_social_worker_may_not_create_a_group(self, as_user):
        social = as_user("social")
        response = social.client.post("/api/v1/groups", json={"name": "X"}, headers=social.headers)
        assert response.status_code == 403

    def test_without_csrf_token_it_is_refused(self, as_user):
        leader = as_user("leader")
        assert leader.client.post("/api/v1/groups", json={"name": "X"}).status_code == 403

    def test_an_unknown_field_is_422(self, as_user):
        leader = as_user("leader")
        response = leader.client.post(
            "/api/v1/groups", json={"name": "X", "colour": "red"}, headers=leader.headers
        )
        assert response.status_code == 422

    def test_a_duplicate_name_is_422_naming_the_field(self, as_user):
        leader = as_user("leader")
        _group(leader, "Solstuen")
        response = leader.client.post(
            "/api/v1/groups", json={"name": "solstuen"}, headers=leader.headers
        )
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "name"

    def test_leader_creates_an_empty_group_of_the_institution(self, as_user, org):
        leader = as_user("leader")
        response = leader.client.post(
            "/api/v1/groups", json={"name": "Solstuen"}, headers=leader.headers
        )
        assert response.status_code == 201
        body = response.json()
        assert body["name"] == "Solstuen"
        assert body["institution_id"] == org.daycare_id
        assert body["child_ids"] == []

    def test_a_retry_with_the_same_idempotency_key_creates_nothing_new(self, as_user):
        leader = as_user("leader")
        headers = {**leader.headers, "Idempotency-Key": "g-1"}
        first = leader.client.post("/api/v1/groups", json={"name": "Måne"}, headers=headers)
        again = leader.client.post("/api/v1/groups", json={"name": "Måne"}, headers=headers)
        assert again.json()["id"] == first.json()["id"]
        assert len(leader.client.get("/api/v1/groups").json()) == 1


class TestGroupChildren:
    def test_staff_may_not_assign_children(self, app, org, as_user):
        leader, staff = as_user("leader"), as_user("staff")
        group_id = _group(leader)
        response = staff.client.put(
            f"/api/v1/groups/{group_id}/children", json={"child_ids": []}, headers=staff.headers
        )
        assert response.status_code == 403

    def test_a_child_of_another_institution_is_422_and_nothing_changes(self, app, org, as_user):
        leader = as_user("leader")
        group_id = _group(leader)
        own = _children(app, org, 1)
        other = _children(app, org, 1, institution="other_daycare")
        url = f"/api/v1/groups/{group_id}/children"
        leader.client.put(url, json={"child_ids": own}, headers=leader.headers)
        response = leader.client.put(url, json={"child_ids": own + other}, headers=leader.headers)
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "child_ids"
        assert leader.client.get(f"/api/v1/groups/{group_id}").json()["child_ids"] == own

    def test_a_boolean_is_not_an_id(self, as_user):
        leader = as_user("leader")
        group_id = _group(leader)
        response = leader.client.put(
            f"/api/v1/groups/{group_id}/children",
            json={"child_ids": [True]},
            headers=leader.headers,
        )
        assert response.status_code == 422

    def test_another_institutions_group_is_404(self, app, org, as_user):
        with db.session_scope(app.state.engine) as s:
            group_id = id_of(make_group(s, org.other_daycare_id, "Fremmed"))
        leader = as_user("leader")
        response = leader.client.put(
            f"/api/v1/groups/{group_id}/children", json={"child_ids": []}, headers=leader.headers
        )
        assert response.status_code == 404

    def test_leader_sets_the_children_exactly(self, app, org, as_user):
        leader = as_user("leader")
        group_id = _group(leader)
        ids = _children(app, org, 3)
        url = f"/api/v1/groups/{group_id}/children"
        leader.client.put(url, json={"child_ids": ids}, headers=leader.headers)
        response = leader.client.put(url, json={"child_ids": ids[:2]}, headers=leader.headers)
        assert response.status_code == 200
        assert response.json()["child_ids"] == sorted(ids[:2])


class TestGroupStaffRenameDelete:
    def test_staff_of_another_institution_is_422(self, org, as_user):
        leader = as_user("leader")
        group_id = _group(leader)
        response = leader.client.put(
            f"/api/v1/groups/{group_id}/staff",
            json={"user_ids": [org.users["staff_syd"]]},
            headers=leader.headers,
        )
        assert response.status_code == 422

    def test_leader_assigns_staff_renames_and_deletes(self, org, as_user):
        leader = as_user("leader")
        group_id = _group(leader)
        staffed = leader.client.put(
            f"/api/v1/groups/{group_id}/staff",
            json={"user_ids": [org.users["staff"]]},
            headers=leader.headers,
        )
        assert staffed.json()["staff_ids"] == [org.users["staff"]]
        renamed = leader.client.patch(
            f"/api/v1/groups/{group_id}", json={"name": "Månestuen"}, headers=leader.headers
        )
        assert renamed.json()["name"] == "Månestuen"
        deleted = leader.client.delete(f"/api/v1/groups/{group_id}", headers=leader.headers)
        assert deleted.status_code == 204
        assert leader.client.get(f"/api/v1/groups/{group_id}").status_code == 404

    def test_a_group_in_a_round_is_not_deleted(self, as_user):
        leader = as_user("leader")
        group_id = _group(leader)
        leader.client.post(
            "/api/v1/rounds",
            json={
                "title": "Forår",
                "starts_on": TODAY.isoformat(),
                "ends_on": TODAY.isoformat(),
                "group_ids": [group_id],
            },
            headers=leader.headers,
        )
        response = leader.client.delete(f"/api/v1/groups/{group_id}", headers=leader.headers)
        assert response.status_code == 409


def _round_body(group_ids, starts=TODAY, ends=TODAY + dt.timedelta(days=14), title="Forår"):
    return {
        "title": title,
        "starts_on": starts.isoformat(),
        "ends_on": ends.isoformat(),
        "group_ids": group_ids,
    }


class TestCreateRound:
    def test_staff_may_not_start_a_round(self, as_user):
        leader, staff = as_user("leader"), as_user("staff")
        group_id = _group(leader)
        response = staff.client.post(
            "/api/v1/rounds", json=_round_body([group_id]), headers=staff.headers
        )
        assert response.status_code == 403

    def test_ends_before_it_starts_is_422(self, as_user):
        leader = as_user("leader")
        group_id = _group(leader)
        body = _round_body([group_id], starts=TODAY, ends=TODAY - dt.timedelta(days=1))
        response = leader.client.post("/api/v1/rounds", json=body, headers=leader.headers)
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "ends_on"

    def test_a_group_of_another_institution_is_422(self, app, org, as_user):
        with db.session_scope(app.state.engine) as s:
            foreign = id_of(make_group(s, org.other_daycare_id, "Fremmed"))
        leader = as_user("leader")
        response = leader.client.post(
            "/api/v1/rounds", json=_round_body([_group(leader), foreign]), headers=leader.headers
        )
        assert response.status_code == 422
        assert leader.client.get("/api/v1/rounds").json() == []

    def test_leader_starts_a_round(self, as_user):
        leader = as_user("leader")
        group_id = _group(leader)
        response = leader.client.post(
            "/api/v1/rounds", json=_round_body([group_id]), headers=leader.headers
        )
        assert response.status_code == 201
        body = response.json()
        assert set(body) == {"id", "title", "starts_on", "ends_on", "group_ids"}
        assert body["group_ids"] == [group_id]
        assert body["starts_on"] == TODAY.isoformat()


@pytest.fixture
def open_round(app, org, as_user):
    """A round over Solstuen (6 children) and Månestuen (2 children), open today."""
    leader = as_user("leader")
    sol, maane = _group(leader, "Solstuen"), _group(leader, "Månestuen")
    sol_children, maane_children = (
        _children(app, org, 6, prefix="Sol"),
        _children(app, org, 2, prefix="Måne"),
    )
    for group_id, ids in ((sol, sol_children), (maane, maane_children)):
        leader.client.put(
            f"/api/v1/groups/{group_id}/children", json={"child_ids": ids}, headers=leader.headers
        )
    body = _round_body([sol, maane], starts=TODAY - dt.timedelta(days=3))
    round_id = leader.client.post("/api/v1/rounds", json=body, headers=leader.headers).json()["id"]
    return {
        "leader": leader,
        "round_id": round_id,
        "groups": (sol, maane),
        "children": (sol_children, maane_children),
    }


class TestRoundProgress:
    def test_another_institution_does_not_see_the_round(self, open_round, as_user):
        other = as_user("staff_syd")
        assert other.client.get(f"/api/v1/rounds/{open_round['round_id']}").status_code == 404

    def test_social_worker_and_admin_are_403(self, open_round, as_user):
        for username in ("social", "admin"):
            response = as_user(username).client.get(f"/api/v1/rounds/{open_round['round_id']}")
            assert response.status_code == 403

    def test_progress_counts_single_finished_assessments_within_the_period(
        self, app, org, open_round, as_user
    ):
        sol_children, maane_children = open_round["children"]
        _assess(app, org, sol_children[:2], [1, 3])
        # Before the period: does not count.
        _assess(app, org, [maane_children[0]], [2], on=TODAY - dt.timedelta(days=30))
        staff = as_user("staff")
        body = staff.client.get(f"/api/v1/rounds/{open_round['round_id']}").json()
        by_group = {p["group_id"]: p for p in body["progress"]}
        sol, maane = open_round["groups"]
        assert by_group[sol]["children"] == 6
        assert by_group[sol]["assessed"] == 2
        assert sorted(by_group[sol]["missing"]) == sorted(sol_children[2:])
        assert by_group[maane]["assessed"] == 0
        assert sorted(by_group[maane]["missing"]) == sorted(maane_children)

    def test_a_draft_or_an_individual_assessment_does_not_count(
        self, app, org, open_round, as_user
    ):
        from app.assessments.models import Assessment, AssessmentKind

        sol_children, _ = open_round["children"]
        _assess(app, org, sol_children[:2], [2, 2])
        with db.session_scope(app.state.engine) as s:
            rows = s.exec(select(Assessment).where(Assessment.child_id == sol_children[0])).all()
            for row in rows:
                row.kind = AssessmentKind.INDIVIDUAL
                s.add(row)
        body = as_user("staff").client.get(f"/api/v1/rounds/{open_round['round_id']}").json()
        assert body["progress"][1]["assessed"] == 1  # by name: Månestuen, Solstuen

    def test_the_level_is_that_of_the_latest_assessment(self, app, org, open_round):
        sol_children, _ = open_round["children"]
        _assess(app, org, sol_children[:5], [3] * 5, on=TODAY - dt.timedelta(days=2))
        _assess(app, org, sol_children[:5], [1] * 5)
        leader = open_round["leader"]
        body = leader.client.get(f"/api/v1/rounds/{open_round['round_id']}/overview").json()
        assert body["levels"] == {"1": 5, "2": 0, "3": 0, "4": 0}

    def test_reading_the_progress_is_audited(self, app, open_round):
        open_round["leader"].client.get(f"/api/v1/rounds/{open_round['round_id']}")
        with db.session_scope(app.state.engine) as s:
            actions = [e.action for e in s.exec(select(AuditEvent)).all()]
        assert "round:view" in actions


class TestOverview:
    def test_staff_may_not_read_the_overview(self, open_round, as_user):
        response = as_user("staff").client.get(f"/api/v1/rounds/{open_round['round_id']}/overview")
        assert response.status_code == 403

    def test_another_institutions_leader_gets_404(self, app, org, open_round, as_user):
        with db.session_scope(app.state.engine) as s:
            make_user(
                s, "leader_syd", Role.LEADER, institution=s.get(Institution, org.other_daycare_id)
            )
        response = as_user("leader_syd").client.get(
            f"/api/v1/rounds/{open_round['round_id']}/overview"
        )
        assert response.status_code == 404

    def test_every_count_from_one_to_four_is_the_string_under_five(self, app, org, open_round):
        sol_children, maane_children = open_round["children"]
        _assess(app, org, sol_children, [1, 1, 1, 1, 1, 2])
        _assess(app, org, maane_children, [3, 4])
        body = (
            open_round["leader"]
            .client.get(f"/api/v1/rounds/{open_round['round_id']}/overview")
            .json()
        )
        assert body["levels"] == {"1": 5, "2": "<5", "3": "<5", "4": "<5"}
        by_group = {g["group_id"]: g["levels"] for g in body["by_group"]}
        sol, maane = open_round["groups"]
        assert by_group[sol] == {"1": 5, "2": "<5", "3": 0, "4": 0}
        assert by_group[maane] == {"1": 0, "2": 0, "3": "<5", "4": "<5"}
        assert body["assessed"] == 8
        bands = {b["min_age_years"]: b["levels"] for b in body["by_age_band"]}
        assert bands[3] == {"1": 5, "2": "<5", "3": "<5", "4": "<5"}
        assert bands[0] == {"1": 0, "2": 0, "3": 0, "4": 0}
        assert body["movement"] is None
        for value in _all_counts(body):
            assert value == "<5" or (isinstance(value, int) and not 1 <= value <= 4)

    def test_compared_with_the_previous_round_and_the_movement(self, app, org, open_round):
        sol_children, _ = open_round["children"]
        leader = open_round["leader"]
        sol, _maane = open_round["groups"]
        past = _round_body(
            [sol],
            starts=TODAY - dt.timedelta(days=200),
            ends=TODAY - dt.timedelta(days=180),
            title="Efterår",
        )
        previous_id = leader.client.post("/api/v1/rounds", json=past, headers=leader.headers)
        _assess(app, org, sol_children, [2, 2, 3, 3, 4, 1], on=TODAY - dt.timedelta(days=190))
        _assess(app, org, sol_children[:5], [1, 2, 4, 2, 4])
        body = leader.client.get(f"/api/v1/rounds/{open_round['round_id']}/overview").json()
        assert body["previous_round_id"] == previous_id.json()["id"]
        assert body["previous_levels"] == {"1": "<5", "2": "<5", "3": "<5", "4": "<5"}
        # Of the five at level ≥ 2 then: 2→1 and 3→2 down, 2→2 and 4→4 stayed, 3→4 up.
        assert body["movement"] == {
            "followed": 5,
            "down": "<5",
            "stayed": "<5",
            "up": "<5",
            "not_assessed": 0,
        }


def _all_counts(body: dict[str, Any]) -> list[object]:
    counts: list[object] = [body["assessed"], body["children"], *body["levels"].values()]
    for row in body["by_group"] + body["by_age_band"]:
        counts.extend(row["levels"].values())
    return counts
