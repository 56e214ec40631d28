"""The child's meetings on the child's page and the form "Registrér møde", with and without
HTMX: the list newest first, a saved meeting, the errors beside the fields (nothing stored),
the form on its own page; and the export page's meetings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from app.db import local_today
from tests.html import HX, attr, by_id, one, soup
from tests.meetings.conftest import Kids, body, post_meeting

TODAY = local_today()


def form_data(user: Any, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "csrf_token": user.csrf_token,
        "kind": "network",
        "held_on": TODAY.isoformat(),
        "participant_role": ["Pædagog", "", "Psykolog", "", "", ""],
        "participant_name": ["Sofie", "", "Per Pedersen", "", "", ""],
        "parents_took_part": "1",
        "agreed": "Vi laver en plan for overgangen til skole.",
        "follow_up_on": (TODAY + dt.timedelta(days=14)).isoformat(),
    }
    data.update(changes)
    return data


def post_form(user: Any, child_id: int, data: dict[str, Any], *, hx: bool) -> Any:
    return user.client.post(
        f"/children/{child_id}/meetings",
        data=data,
        headers=HX if hx else {},
        follow_redirects=False,
    )


class TestChildPage:
    def test_shows_the_meetings_newest_first_and_the_form(self, as_user, kids: Kids):
        staff = as_user("staff")
        older = post_meeting(
            staff,
            kids.child_id,
            body(held_on=(TODAY - dt.timedelta(days=9)).isoformat(), kind="status"),
        ).json()
        newer = post_meeting(staff, kids.child_id, body(parents_took_part=False)).json()

        page = soup(as_user("leader").client.get(f"/children/{kids.child_id}"))

        section = by_id(page, "child-meetings")
        assert one(section, "h2").get_text(strip=True) == "Møder"
        items = section.select("#meeting-list > li")
        expected = [f"meeting-{newer['id']}", f"meeting-{older['id']}"]
        assert [attr(li, "id") for li in items] == expected
        first = items[0]
        assert one(first, "h3").get_text(strip=True).startswith("Tværfagligt møde")
        assert [li.get_text(strip=True) for li in first.select(".meeting-participants li")] == [
            "Pædagog: Sofie",
            "Sundhedsplejerske: Hanne Holm",
        ]
        assert one(first, ".meeting-parents").get_text(strip=True) == "Deltog ikke"
        assert one(items[1], "h3").get_text(strip=True).startswith("Statusmøde")
        assert one(items[1], ".meeting-parents").get_text(strip=True) == "Deltog"

        form = by_id(page, "meeting-form")
        assert attr(form, "action") == f"/children/{kids.child_id}/meetings"
        assert attr(form, "hx-target") == "#child-meetings"
        options = [o.get_text(strip=True) for o in form.select("#input-kind option")]
        assert options == ["Vælg mødetype", "Tværfagligt møde", "Netværksmøde", "Statusmøde"]
        assert len(form.select("input[name=participant_role]")) == 6
        assert one(form, "label[for=input-parents_took_part]").get_text(strip=True) == (
            "Forældrene deltog i mødet"
        )
        assert one(form, "label[for=input-agreed]").get_text(strip=True) == "Hvad blev aftalt?"
        assert attr(one(form, "#input-held_on"), "value") == TODAY.isoformat()

    def test_a_child_without_meetings_says_so(self, as_user, kids: Kids):
        page = soup(as_user("staff").client.get(f"/children/{kids.child_id}"))
        assert by_id(page, "no-meetings")


class TestRecordFromThePage:
    def test_without_htmx_it_redirects_to_the_child_showing_the_meeting(self, as_user, kids):
        staff = as_user("staff")
        response = post_form(staff, kids.child_id, form_data(staff), hx=False)
        assert response.status_code == 303
        location = response.headers["location"]
        assert location.startswith(f"/children/{kids.child_id}?meeting=")

        page = soup(staff.client.get(location.partition("#")[0]))
        assert by_id(page, "meeting-saved")
        item = one(page, "#meeting-list > li")
        assert one(item, "h3").get_text(strip=True).startswith("Netværksmøde")
        # The empty rows were ignored; the filled ones kept their order.
        assert [li.get_text(strip=True) for li in item.select(".meeting-participants li")] == [
            "Pædagog: Sofie",
            "Psykolog: Per Pedersen",
        ]
        assert one(item, ".meeting-parents").get_text(strip=True) == "Deltog"

    def test_with_htmx_it_answers_the_section_with_the_new_meeting(self, as_user, kids):
        staff = as_user("staff")
        response = post_form(staff, kids.child_id, form_data(staff), hx=True)
        assert response.status_code == 200
        fragment = soup(response)
        root = fragment.find(True)
        assert root is not None
        assert attr(root, "id") == "child-meetings"
        assert fragment.find("header") is None
        assert by_id(fragment, "meeting-saved")
        assert len(fragment.select("#meeting-list > li")) == 1
        # A fresh, empty form for the next meeting.
        assert attr(one(fragment, "#input-participant-role-0"), "value") == ""

    @pytest.mark.parametrize("hx", [False, True])
    def test_errors_are_shown_beside_the_fields_and_nothing_is_stored(self, as_user, kids, hx):
        staff = as_user("staff")
        data = form_data(
            staff,
            kind="",
            participant_role=["", "", "", "", "", ""],
            participant_name=["", "", "Per Pedersen", "", "", ""],
            follow_up_on=(TODAY - dt.timedelta(days=1)).isoformat(),
            agreed="Noget vi skrev",
        )
        response = post_form(staff, kids.child_id, data, hx=hx)

        assert response.status_code == 422
        page = soup(response)
        assert (page.find("header") is None) == hx
        assert by_id(page, "error-summary")
        assert by_id(page, "error-kind")
        # The row with a name but no role is the one that is marked.
        assert by_id(page, "error-participant-role-2")
        assert attr(by_id(page, "input-participant-role-2"), "aria-invalid") == "true"
        assert by_id(page, "error-follow_up_on")
        # What was typed is kept.
        assert attr(by_id(page, "input-participant-name-2"), "value") == "Per Pedersen"
        assert by_id(page, "input-agreed").get_text() == "Noget vi skrev"
        links = [attr(a, "href") for a in by_id(page, "error-summary").select("a")]
        assert "#input-participant-role-2" in links
        assert post_meeting(staff, kids.child_id, body()).status_code == 201
        listed = staff.client.get(f"/api/v1/children/{kids.child_id}").json()["meetings"]
        assert len(listed) == 1

    def test_no_participant_at_all_marks_the_first_row(self, as_user, kids):
        staff = as_user("staff")
        data = form_data(staff, participant_role=[""] * 6, participant_name=[""] * 6)
        page = soup(post_form(staff, kids.child_id, data, hx=False))
        assert "Skriv mindst én deltager" in by_id(page, "error-participant-role-0").get_text()

    def test_a_date_that_is_not_a_date_is_a_field_error(self, as_user, kids):
        staff = as_user("staff")
        response = post_form(staff, kids.child_id, form_data(staff, held_on="i går"), hx=False)
        assert response.status_code == 422
        assert by_id(soup(response), "error-held_on")

    def test_another_institutions_child_is_404(self, as_user, kids):
        staff = as_user("staff")
        response = post_form(staff, kids.other_child_id, form_data(staff), hx=False)
        assert response.status_code == 404


class TestFormPage:
    @pytest.mark.parametrize("hx", [False, True])
    def test_the_form_has_a_page_of_its_own(self, as_user, kids, hx):
        response = as_user("staff").client.get(
            f"/children/{kids.child_id}/meetings/new", headers=HX if hx else {}
        )
        assert response.status_code == 200
        page = soup(response)
        assert by_id(page, "meeting-form")
        if not hx:
            assert "Møder om Alma" in one(page, "h1").get_text()

    def test_a_social_worker_is_refused(self, as_user, kids):
        response = as_user("social").client.get(f"/children/{kids.child_id}/meetings/new")
        assert response.status_code == 403


class TestStartPage:
    @pytest.mark.parametrize("hx", [False, True])
    def test_a_due_follow_up_links_to_the_childs_meetings(self, as_user, kids, hx):
        staff = as_user("staff")
        held = TODAY - dt.timedelta(days=7)
        post_meeting(
            staff,
            kids.child_id,
            body(held_on=held.isoformat(), follow_up_on=TODAY.isoformat(), agreed="Ring til PPR"),
        )
        page = soup(staff.client.get("/", headers=HX if hx else {}))
        due = by_id(page, "todo-due")
        links = [attr(a, "href") for a in due.select("a")]
        assert f"/children/{kids.child_id}#child-meetings" in links
        assert "Opfølgning på tværfagligt møde" in due.get_text()
        assert "Ring til PPR" in due.get_text()
        assert "Alma Jensen" in due.get_text()
