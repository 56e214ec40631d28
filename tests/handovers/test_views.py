"""The handover pages, with and without HTMX: the action on the child's page, the form and
its refusals (the abuse rule points to the notification), the list "Overleveringer", the
detail page with "Acceptér" for the school, the start page's to-do, and the move."""

from __future__ import annotations

import datetime as dt

import pytest

from app import db
from app.accounts.models import User
from app.children.models import Child
from app.db import local_today
from tests.factories import signs
from tests.handovers.conftest import Setting, finish_with_focus_point, send
from tests.html import HX, attr, by_id, one, post, soup, target


def form(setting: Setting, **overrides: str) -> dict[str, str]:
    return {
        "to_institution_id": str(setting.school_id),
        "given_by": "Maria Jensen (mor)",
        "given_on": (local_today() - dt.timedelta(days=2)).isoformat(),
        "covers": "Resumé og fokuspunkter",
        **overrides,
    }


def sent_id(as_user, setting: Setting) -> int:
    response = send(as_user("staff"), setting.child_id, setting.school_id)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


class TestTheChildsPage:
    def test_the_daycare_sees_the_handover_action(self, as_user, setting):
        page = soup(as_user("staff").client.get(f"/children/{setting.child_id}"))
        assert attr(by_id(page, "start-handover"), "href") == (
            f"/children/{setting.child_id}/handovers/new"
        )

    def test_an_open_handover_is_listed_instead_of_a_new_action(self, as_user, setting):
        handover_id = sent_id(as_user, setting)
        page = soup(as_user("staff").client.get(f"/children/{setting.child_id}"))
        assert page.find(id="start-handover") is None
        link = one(by_id(page, f"child-handover-{handover_id}"), "a")
        assert attr(link, "href") == f"/handovers/{handover_id}"


class TestTheForm:
    def test_the_form_offers_the_schools_only(self, as_user, setting):
        page = soup(as_user("staff").client.get(f"/children/{setting.child_id}/handovers/new"))
        options = [o for o in page.select("#input-to_institution_id option") if o.get("value")]
        assert [int(attr(o, "value")) for o in options] == [setting.school_id]
        for name in ("given_by", "given_on", "covers"):
            assert by_id(page, f"input-{name}")
        # The sender is told before sending that unfinished work goes at the accept.
        assert "ufærdige vurderinger" in by_id(page, "handover-discard-note").text

    @pytest.mark.parametrize("hx", [False, True])
    def test_sending_goes_to_the_handover(self, as_user, setting, hx):
        staff = as_user("staff")
        response = post(staff, f"/children/{setting.child_id}/handovers", form(setting), hx=hx)
        assert response.status_code == (204 if hx else 303)
        url = target(response, hx)
        assert url.startswith("/handovers/")
        page = soup(staff.client.get(url))
        assert "Maria Jensen (mor)" in by_id(page, "handover-consent").get_text()

    @pytest.mark.parametrize("hx", [False, True])
    def test_a_missing_consent_shows_the_form_again_with_the_errors(self, as_user, setting, hx):
        staff = as_user("staff")
        response = post(
            staff,
            f"/children/{setting.child_id}/handovers",
            form(setting, given_by="", given_on="2999-01-01", covers=""),
            hx=hx,
        )
        assert response.status_code == 422
        page = soup(response)
        for name in ("given_by", "given_on", "covers"):
            assert by_id(page, f"error-{name}")
        chosen = one(by_id(page, "input-to_institution_id"), "option[selected]")
        assert attr(chosen, "value") == str(setting.school_id)
        if hx:
            assert page.find(id="handover-form-region") is not None
            assert page.find("h1") is None
        assert staff.client.get("/api/v1/handovers").json() == []

    def test_a_too_long_name_or_an_unreadable_date_is_a_field_error(self, as_user, setting):
        response = post(
            as_user("staff"),
            f"/children/{setting.child_id}/handovers",
            form(setting, given_by="M" * 250, given_on="i går"),
        )
        assert response.status_code == 422
        page = soup(response)
        assert "for langt" in by_id(page, "error-given_by").get_text()
        assert by_id(page, "error-given_on")

    @pytest.mark.parametrize("hx", [False, True])
    def test_no_school_chosen_is_a_field_error(self, as_user, setting, hx):
        response = post(
            as_user("staff"),
            f"/children/{setting.child_id}/handovers",
            form(setting, to_institution_id=""),
            hx=hx,
        )
        assert response.status_code == 422
        assert by_id(soup(response), "error-to_institution_id")

    @pytest.mark.parametrize("hx", [False, True])
    def test_the_abuse_rule_says_so_and_links_to_the_notification(
        self, app, org, as_user, setting, hx
    ):
        with db.session_scope(app.state.engine) as s:
            author = s.get_one(User, org.users["staff"])
            child = s.get_one(Child, setting.child_id)
            critical_id = finish_with_focus_point(s, author, child, signs(level=4, critical=True))
        staff = as_user("staff")
        page = soup(staff.client.get(f"/children/{setting.child_id}/handovers/new"))
        assert page.find(id="handover-form") is None
        link = by_id(page, "handover-notification-link")
        assert attr(link, "href") == f"/assessments/{critical_id}/notification"
        response = post(staff, f"/children/{setting.child_id}/handovers", form(setting), hx=hx)
        assert response.status_code == 422
        assert attr(by_id(soup(response), "handover-notification-link"), "href") == (
            f"/assessments/{critical_id}/notification"
        )
        assert staff.client.get("/api/v1/handovers").json() == []


class TestTheListAndTheStartPage:
    def test_the_list_shows_outgoing_for_the_daycare_and_incoming_for_the_school(
        self, as_user, setting
    ):
        handover_id = sent_id(as_user, setting)
        daycare = soup(as_user("staff").client.get("/handovers"))
        assert by_id(by_id(daycare, "outgoing-handovers"), f"handover-{handover_id}")
        assert by_id(daycare, "incoming-handovers-empty")
        school = soup(as_user("teacher").client.get("/handovers"))
        row = by_id(by_id(school, "incoming-handovers"), f"handover-{handover_id}")
        assert "Alma" in row.get_text()
        assert attr(by_id(school, "nav-handovers"), "aria-current") == "page"

    @pytest.mark.parametrize("hx", [False, True])
    def test_the_schools_start_page_lists_it_awaiting_acceptance(self, as_user, setting, hx):
        handover_id = sent_id(as_user, setting)
        page = soup(as_user("teacher").client.get("/", headers=HX if hx else {}))
        section = by_id(page, "todo-handovers")
        assert attr(one(section, "a"), "href") == f"/handovers/{handover_id}"
        # A daycare receives no handovers: its start page has no such section.
        assert soup(as_user("staff").client.get("/")).find(id="todo-handovers") is None

    def test_the_schools_empty_state(self, as_user, setting):
        page = soup(as_user("teacher").client.get("/"))
        assert one(by_id(page, "todo-handovers"), ".todo-empty")


class TestTheDetailPage:
    @pytest.mark.parametrize("hx", [False, True])
    def test_the_school_sees_the_child_consent_summary_and_accept(self, as_user, setting, hx):
        handover_id = sent_id(as_user, setting)
        page = soup(
            as_user("teacher").client.get(f"/handovers/{handover_id}", headers=HX if hx else {})
        )
        assert "Alma" in by_id(page, "handover-child").get_text()
        assert "Maria Jensen (mor)" in by_id(page, "handover-consent").get_text()
        assert "Faldende trivsel" in by_id(page, "handover-summary").get_text()
        assert "Tryg start om morgenen" in by_id(page, "handover-focus-points").get_text()
        assert by_id(page, "handover-accept")
        assert page.find(id="handover-withdraw") is None
        if hx:
            assert page.find("nav") is None

    def test_the_meetings_the_consent_covers_are_shown(self, as_user, setting):
        staff = as_user("staff")
        recorded = staff.client.post(
            f"/api/v1/children/{setting.child_id}/meetings",
            json={
                "kind": "cross_disciplinary",
                "held_on": local_today().isoformat(),
                "participants": [{"role": "PPR-psykolog", "name": "Jens Berg"}],
                "parents_took_part": False,
                "agreed": "Observation i gruppen",
            },
            headers=staff.headers,
        )
        assert recorded.status_code == 201, recorded.text
        sent = post(
            staff,
            f"/children/{setting.child_id}/handovers",
            form(setting, includes_meetings="1"),
        )
        assert sent.status_code == 303
        page = soup(as_user("teacher").client.get(target(sent, False)))
        meetings = by_id(page, "handover-meetings").get_text()
        assert "Tværfagligt møde" in meetings
        assert "PPR-psykolog" in meetings
        assert "Observation i gruppen" in meetings
        assert "Jens Berg" not in page.get_text()

    def test_without_that_consent_no_meeting_is_shown(self, as_user, setting):
        handover_id = sent_id(as_user, setting)
        page = soup(as_user("teacher").client.get(f"/handovers/{handover_id}"))
        assert page.find(id="handover-meetings") is None
        assert "dækker ikke barnets møder" in by_id(page, "handover-consent").get_text()

    def test_the_daycare_may_withdraw_but_not_accept(self, as_user, setting):
        handover_id = sent_id(as_user, setting)
        page = soup(as_user("staff").client.get(f"/handovers/{handover_id}"))
        assert page.find(id="handover-accept") is None
        assert by_id(page, "handover-withdraw")

    def test_another_institution_gets_404(self, as_user, setting):
        handover_id = sent_id(as_user, setting)
        assert as_user("staff_syd").client.get(f"/handovers/{handover_id}").status_code == 404

    @pytest.mark.parametrize("hx", [False, True])
    def test_accepting_moves_the_child_to_the_school(self, as_user, setting, hx):
        handover_id = sent_id(as_user, setting)
        teacher = as_user("teacher")
        response = post(teacher, f"/handovers/{handover_id}/accept", hx=hx)
        assert target(response, hx) == f"/children/{setting.child_id}"
        child_page = soup(teacher.client.get(f"/children/{setting.child_id}"))
        assert "Alma" in by_id(child_page, "child-name").get_text()
        assert by_id(child_page, "no-assessments")
        link = one(by_id(child_page, f"child-handover-{handover_id}"), "a")
        assert attr(link, "href") == f"/handovers/{handover_id}"
        staff = as_user("staff")
        assert staff.client.get(f"/children/{setting.child_id}").status_code == 404
        assert staff.client.get(f"/assessments/{setting.assessment_id}").status_code == 404
        names = [a.get_text() for a in soup(staff.client.get("/children")).select("a")]
        assert not any("Alma" in n for n in names)
        again = post(teacher, f"/handovers/{handover_id}/accept", hx=hx)
        assert again.status_code == 409

    @pytest.mark.parametrize("hx", [False, True])
    def test_withdrawing_keeps_the_child(self, as_user, setting, hx):
        handover_id = sent_id(as_user, setting)
        staff = as_user("staff")
        response = post(staff, f"/handovers/{handover_id}/withdraw", hx=hx)
        assert target(response, hx) == f"/handovers/{handover_id}"
        page = soup(staff.client.get(f"/handovers/{handover_id}"))
        assert "Trukket tilbage" in by_id(page, "handover-status").get_text()
        assert staff.client.get(f"/children/{setting.child_id}").status_code == 200


class TestTheAccessLog:
    def test_the_leader_sees_the_steps_in_the_childs_access_log(self, as_user, setting):
        handover_id = sent_id(as_user, setting)
        as_user("teacher").client.get(f"/handovers/{handover_id}")
        page = soup(as_user("leader").client.get(f"/children/{setting.child_id}/access-log"))
        text = page.get_text()
        assert "Overlevering til skole sendt (med forældrenes samtykke)" in text
        assert "Overlevering vist" in text

    def test_the_schools_leader_hands_out_the_handover_in_a_request_of_access(
        self, as_user, setting
    ):
        handover_id = sent_id(as_user, setting)
        teacher = as_user("teacher")
        post(teacher, f"/handovers/{handover_id}/accept")
        page = soup(as_user("rektor").client.get(f"/children/{setting.child_id}/export"))
        item = by_id(page, f"export-handover-{handover_id}")
        assert "Maria Jensen (mor)" in item.get_text()
        assert "Modtaget af skolen" in item.get_text()
