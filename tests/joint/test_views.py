"""The joint assessment pages, with and without HTMX: starting one from the child's page, the
joint page before and after one's own submission, the comparison, finishing the joint one;
the child's page, the questionnaire and the result with their joint parts; the leader's
agreement page; and the independence rule on each page."""

from __future__ import annotations

from typing import Any

import pytest

from app import messages
from app.db import local_today
from tests.factories import signs
from tests.html import HX, attr, by_id, one, post, soup, target
from tests.joint.conftest import Team

L1 = signs(level=1, n=2)
L2 = signs(level=2, n=3)
L3 = signs(level=3, n=3)


def start_page(user: Any, team: Team, ids: list[int], *, hx: bool = False) -> Any:
    return post(
        user, f"/children/{team.child_id}/joint-assessments", {"participant_ids": ids}, hx=hx
    )


def submit_api(user: Any, joint_id: int, observed: list[str], notes: str = "") -> dict[str, Any]:
    response = user.client.post(
        f"/api/v1/joint-assessments/{joint_id}/individual",
        json={"observed": observed, "notes": notes},
        headers=user.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def joint(as_user, team: Team) -> tuple[Any, Any, int]:
    staff, leader = as_user("staff"), as_user("leader")
    response = start_page(staff, team, [team.staff, team.leader])
    assert response.status_code == 303
    return staff, leader, int(response.headers["location"].rsplit("/", 1)[1])


class TestStartFromTheChildsPage:
    def test_the_childs_page_offers_a_joint_assessment(self, as_user, team):
        page = soup(as_user("staff").client.get(f"/children/{team.child_id}"))
        assert attr(by_id(page, "start-joint"), "href") == (
            f"/children/{team.child_id}/joint-assessments/new"
        )

    def test_the_form_lists_the_institutions_staff_and_leaders_with_oneself_ticked(
        self, as_user, team
    ):
        page = soup(as_user("staff").client.get(f"/children/{team.child_id}/joint-assessments/new"))
        boxes = page.select("input[name=participant_ids]")
        assert {int(attr(b, "value")) for b in boxes} == {team.staff, team.leader, team.pia}
        checked = [int(attr(b, "value")) for b in boxes if b.has_attr("checked")]
        assert checked == [team.staff]

    @pytest.mark.parametrize("hx", [False, True])
    def test_one_participant_is_refused_with_a_danish_message(self, as_user, team, hx):
        response = start_page(as_user("staff"), team, [team.staff], hx=hx)
        assert response.status_code == 422
        error = one(soup(response), "#error-participant_ids").get_text(" ", strip=True)
        assert "mindst to deltagere" in error

    @pytest.mark.parametrize("hx", [False, True])
    def test_starting_goes_to_the_joint_page(self, as_user, team, hx):
        staff = as_user("staff")
        response = start_page(staff, team, [team.staff, team.pia], hx=hx)
        url = target(response, hx)
        page = soup(staff.client.get(url))
        assert by_id(page, "joint-status")["data-status"] == "collecting"
        rows = page.select("#participants-table tbody tr")
        assert [r["data-submitted"] for r in rows] == ["0", "0"]


class TestTheJointPage:
    def test_a_participant_opens_their_own_questionnaire(self, joint):
        staff, _, joint_id = joint
        response = post(staff, f"/joint-assessments/{joint_id}/individual")
        assert response.status_code == 303
        page = soup(staff.client.get(response.headers["location"]))
        assert by_id(page, "joint-notice")
        assert page.select_one("#assessment-form") is not None

    def test_another_participants_draft_is_closed_to_me(self, joint):
        staff, leader, joint_id = joint
        url = post(staff, f"/joint-assessments/{joint_id}/individual").headers["location"]
        assert leader.client.get(url).status_code == 403

    @pytest.mark.parametrize("hx", [False, True])
    def test_before_my_own_submission_i_see_who_submitted_but_not_what(self, joint, hx):
        staff, leader, joint_id = joint
        submit_api(staff, joint_id, L3, notes="Hemmelig note")
        response = leader.client.get(f"/joint-assessments/{joint_id}", headers=HX if hx else {})
        page = soup(response)
        root = by_id(page, f"joint-{joint_id}")
        assert [r["data-submitted"] for r in root.select("#participants-table tbody tr")] == [
            "1",
            "0",
        ]
        assert page.select_one("#comparison") is None
        assert "Hemmelig" not in response.text
        assert not any(f"sign-{s}" in response.text for s in L3)
        assert (page.select_one("title") is None) is hx

    @pytest.mark.parametrize("hx", [False, True])
    def test_when_all_submitted_the_comparison_marks_agreed_and_disputed(self, joint, hx):
        staff, leader, joint_id = joint
        submit_api(staff, joint_id, [*L3, L1[0]])
        submit_api(leader, joint_id, [L1[0]])
        page = soup(staff.client.get(f"/joint-assessments/{joint_id}", headers=HX if hx else {}))
        assert by_id(page, "joint-status")["data-status"] == "ready"
        agreed = by_id(page, f"sign-{L1[0]}")
        assert agreed["data-agreed"] == "1"
        assert "Enige" in agreed.get_text()
        disputed = by_id(page, f"sign-{L3[0]}")
        assert "Uenige" in disputed.get_text()
        assert by_id(page, "spread-first")
        boxes = page.select("#joint-finish-form input[name=observed]")
        assert [attr(b, "value") for b in boxes if b.has_attr("checked")] == [L1[0]]

    def test_a_small_spread_is_not_the_first_topic(self, joint):
        staff, leader, joint_id = joint
        submit_api(staff, joint_id, L2[:1])
        submit_api(leader, joint_id, L2[:1])
        page = soup(staff.client.get(f"/joint-assessments/{joint_id}"))
        assert page.select_one("#spread-first") is None

    @pytest.mark.parametrize("hx", [False, True])
    def test_finishing_needs_the_confirmation(self, joint, hx):
        staff, leader, joint_id = joint
        submit_api(staff, joint_id, L2[:1])
        submit_api(leader, joint_id, L2[:1])
        response = post(staff, f"/joint-assessments/{joint_id}/finish", {"observed": L2[:1]}, hx=hx)
        assert response.status_code == 422
        assert by_id(soup(response), "error-confirmed")

    @pytest.mark.parametrize("hx", [False, True])
    def test_finishing_shows_the_joint_result_that_counts(self, joint, team, hx):
        staff, leader, joint_id = joint
        submit_api(staff, joint_id, L3)
        submit_api(leader, joint_id, L2[:1])
        response = post(
            staff,
            f"/joint-assessments/{joint_id}/finish",
            {
                "observed": L2[:1],
                "confirmed": "1",
                "notes": "Enige",
                "fp_text": "Vi taler med Alma hver morgen.",
            },
            hx=hx,
        )
        result = soup(staff.client.get(target(response, hx)))
        assert by_id(result, "result-kind").get_text(strip=True) == "Fælles vurdering"
        assert attr(by_id(result, "joint-notice-link"), "href") == f"/joint-assessments/{joint_id}"
        child = soup(staff.client.get(f"/children/{team.child_id}"))
        kinds = [
            td.get_text(strip=True) for td in child.select("#assessments-table .assessment-kind")
        ]
        assert kinds.count("Fælles vurdering") == 1
        assert sum("tæller ikke" in k for k in kinds) == 1  # my own individual, not the leader's
        listed = child.select(f"#child-joint-{joint_id} .joint-individual")
        assert len(listed) == 2

    def test_the_finish_form_is_not_offered_to_non_participants(self, joint, as_user):
        staff, leader, joint_id = joint
        submit_api(staff, joint_id, L2[:1])
        submit_api(leader, joint_id, L2[:1])
        page = soup(as_user("pia").client.get(f"/joint-assessments/{joint_id}"))
        assert page.select_one("#joint-finish-form") is None
        assert page.select_one("#comparison") is None


class TestChildsPage:
    def test_another_participants_individual_is_not_listed(self, joint, team):
        staff, leader, joint_id = joint
        mine = submit_api(staff, joint_id, L3)
        page = soup(leader.client.get(f"/children/{team.child_id}"))
        assert page.select_one(f"#assessment-{mine['id']}") is None
        entry = by_id(page, f"child-joint-{joint_id}").get_text(" ", strip=True)
        assert "indsendt 1 af 2" in entry

    def test_a_single_assessment_is_labelled_as_such(self, as_user, team):
        staff = as_user("staff")
        staff.client.post(
            "/api/v1/assessments",
            json={"child_id": team.child_id, "observed": L2[:1]},
            headers=staff.headers,
        )
        page = soup(staff.client.get(f"/children/{team.child_id}"))
        kind = one(page, "#assessments-table .assessment-kind").get_text(strip=True)
        assert kind == "Egen vurdering (alene)"

    def test_the_offline_sync_cannot_write_another_participants_draft(self, joint):
        staff, leader, joint_id = joint
        url = post(staff, f"/joint-assessments/{joint_id}/individual").headers["location"]
        assessment_id = int(url.rsplit("/", 1)[1])
        response = leader.client.post(
            f"/api/v1/offline/assessments/{assessment_id}/sync",
            json={"observed": L3, "notes": "", "resources": ""},
            headers=leader.headers,
        )
        assert response.status_code == 403


class TestAgreementPage:
    def test_the_leader_sees_the_figures(self, joint, org):
        _, leader, _ = joint
        page = soup(leader.client.get(f"/institutions/{org.daycare_id}/agreement"))
        assert by_id(page, "agreement-rate").get_text(strip=True) == "Endnu ingen tal"

    def test_staff_are_refused(self, as_user, org):
        assert (
            as_user("staff").client.get(f"/institutions/{org.daycare_id}/agreement").status_code
            == 403
        )


class TestTheTeamsPlan:
    """The joint finish asks the focus points and the parents' note exactly as an
    assessment's finish step: the same fields, the same rules, the same storage (so the
    child's page, the result and the start page's to-do show them)."""

    def _ready(self, joint: tuple[Any, Any, int], observed: list[str]) -> tuple[Any, Any, int]:
        staff, leader, joint_id = joint
        submit_api(staff, joint_id, observed)
        submit_api(leader, joint_id, observed)
        return joint

    def test_the_finish_form_asks_the_plan_in_its_own_form(self, joint):
        staff, _, joint_id = self._ready(joint, L2[:1])
        page = soup(staff.client.get(f"/joint-assessments/{joint_id}"))
        form = one(page, "#joint-finish-form")
        assert one(form, "#focus-points")
        for name in ("fp_text", "fp_who", "fp_responsible", "fp_due_on", "parents_on"):
            fields = form.select(f"[name={name}]")
            assert fields
            # they belong to this form (not to a questionnaire's, absent here)
            assert {attr(f, "form") for f in fields} == {"joint-finish-form"}
        responsible = one(form, "#input-fp-responsible-0")
        options = [o.get_text(strip=True) for o in responsible.select("option")]
        assert "Pia Pædagog" in options  # a colleague of the institution may follow up
        assert one(form, "#parents-informed")

    @pytest.mark.parametrize("hx", [False, True])
    def test_level_2_without_a_focus_point_is_refused_in_danish_and_nothing_stored(self, joint, hx):
        staff, _, joint_id = self._ready(joint, L2[:1])
        response = post(
            staff,
            f"/joint-assessments/{joint_id}/finish",
            {
                "observed": L2[:1],
                "confirmed": "1",
                "fp_text": ["", ""],
                "fp_due_on": ["", "2030-01-01"],
                "notes": "Enige",
            },
            hx=hx,
        )
        assert response.status_code == 422
        page = soup(response)
        assert messages.FOCUS_POINTS_REQUIRED in by_id(page, "error-focus-points").get_text()
        assert attr(by_id(page, "input-fp-due-1"), "value") == "2030-01-01"  # kept as typed
        assert one(page, "#joint-finish-form textarea[name=notes]").get_text() == "Enige"
        read = staff.client.get(f"/api/v1/joint-assessments/{joint_id}").json()
        assert read["status"] == "ready"
        assert read["assessment_id"] is None

    def test_level_1_needs_no_focus_point(self, joint):
        staff, _, joint_id = self._ready(joint, L1[:1])
        response = post(
            staff, f"/joint-assessments/{joint_id}/finish", {"observed": L1[:1], "confirmed": "1"}
        )
        assert response.status_code == 303

    def test_the_plan_is_stored_with_the_joint_assessment_and_shown_where_it_is_followed(
        self, joint, team, as_user
    ):
        staff, leader, joint_id = self._ready(joint, L2[:1])
        today = local_today().isoformat()
        response = post(
            staff,
            f"/joint-assessments/{joint_id}/finish",
            {
                "observed": L2[:1],
                "confirmed": "1",
                "fp_text": ["Fast voksen ved aflevering.", ""],
                "fp_who": ["Pia", ""],
                "fp_responsible": [str(team.leader), str(team.staff)],
                "fp_due_on": [today, ""],
                "parents_involvement": "involved",
                "parents_on": today,
                "parents_how": "Samtale ved afhentning",
            },
        )
        assert response.status_code == 303, response.text
        result = soup(staff.client.get(response.headers["location"]))
        points = by_id(result, "focus-points").get_text(" ", strip=True)
        assert "Fast voksen ved aflevering." in points
        assert "Samtale ved afhentning" in by_id(result, "result-parents").get_text()
        child = staff.client.get(f"/api/v1/children/{team.child_id}").json()
        (joint_one,) = [a for a in child["assessments"] if a["kind"] == "joint"]
        assert [p["text"] for p in joint_one["focus_points"]] == ["Fast voksen ved aflevering."]
        assert joint_one["focus_points"][0]["responsible_id"] == team.leader
        assert joint_one["parents"]["involvement"] == "involved"
        # the leader follows it up: due today, it is on the leader's start page
        start = soup(leader.client.get("/"))
        links = {a["href"] for a in by_id(start, "todo-due").select("a")}
        assert f"/assessments/{joint_one['id']}#focus-points" in links

    def test_a_critical_joint_result_offers_no_parents_fields_and_refuses_them(self, joint):
        critical = signs(level=4, critical=True)
        staff, _, joint_id = self._ready(joint, critical)
        page = soup(staff.client.get(f"/joint-assessments/{joint_id}"))
        assert by_id(page, "parents-not-offered")
        assert page.select_one("#parents-informed") is None
        response = post(
            staff,
            f"/joint-assessments/{joint_id}/finish",
            {
                "observed": critical,
                "confirmed": "1",
                "fp_text": "Underretning sendt; vi følger op.",
                "parents_involvement": "informed",
                "parents_on": local_today().isoformat(),
                "parents_how": "Telefon",
            },
        )
        assert response.status_code == 422
        summary = one(soup(response), "#error-summary").get_text(" ", strip=True)
        assert messages.PARENTS_ABUSE_RULE in summary
        read = staff.client.get(f"/api/v1/joint-assessments/{joint_id}").json()
        assert read["status"] == "ready"
