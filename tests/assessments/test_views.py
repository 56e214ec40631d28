"""The assessment pages: start or resume a draft, the questionnaire that saves every tick and
text, finishing, and the read-only, printable result."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app import db
from app.accounts.models import User
from app.assessments import service
from app.assessments.models import Assessment
from app.catalogs import service as catalogs
from app.children.models import Child
from app.db import local_today
from tests.factories import id_of, make_child, make_finished_assessment, publish_with_text_changed
from tests.html import attr, by_id, one

HX = {"HX-Request": "true"}


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def _catalog():
    return next(c for c in catalogs.shipped_guide().catalogs if c.id == "3-5")


def _pick(*, level: int, critical: bool = False, n: int = 1) -> list[str]:
    ids = [i.id for i in _catalog().indicators() if i.level == level and i.critical == critical]
    return ids[:n]


def _text(indicator_id: str) -> str:
    return _catalog().indicator(indicator_id).text


def _stored(app, assessment_id: int) -> Assessment:
    with db.session_scope(app.state.engine) as s:
        assessment = s.get_one(Assessment, assessment_id)
        assert assessment is not None
        s.expunge(assessment)
        return assessment


@pytest.fixture
def child_id(app, org) -> int:
    with db.session_scope(app.state.engine) as s:
        return id_of(make_child(s, org.daycare_id, org.users["staff"], age_years=4))


@pytest.fixture
def staff(as_user):
    return as_user("staff")


@pytest.fixture
def draft_id(staff, child_id) -> int:
    response = staff.client.post(
        f"/children/{child_id}/assessments",
        data={"csrf_token": staff.csrf_token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return int(response.headers["location"].rsplit("/", 1)[1])


def _box(soup: BeautifulSoup, indicator_id: str):
    return soup.select_one(f"input[name=observed][value='{indicator_id}']")


def _tick(
    user,
    assessment_id: int,
    indicator_id: str,
    observed: bool = True,
    hx: bool = True,
    shown: str | None = None,
):
    data = {"indicator_id": indicator_id, "observed": "1" if observed else "0"}
    if shown is not None:
        data["shown"] = shown
    return user.client.post(
        f"/assessments/{assessment_id}/observations",
        data=data,
        headers={**user.headers, **(HX if hx else {})},
        follow_redirects=False,
    )


def _finish(user, assessment_id: int, hx: bool = False, **fields):
    data = {
        "csrf_token": user.csrf_token,
        "level": "",
        "reason": "",
        "follow_up_on": "",
        "confirmed": "1",
        # The finish step asks for focus points at level 2 or higher (test_focus_points.py).
        "fp_text": "Vi følger op på trivslen",
        "fp_due_on": (local_today() + dt.timedelta(days=30)).isoformat(),
    }
    data.update(fields)
    return user.client.post(
        f"/assessments/{assessment_id}/finish",
        data=data,
        headers=HX if hx else {},
        follow_redirects=False,
    )


class TestStart:
    @pytest.mark.parametrize("hx", [False, True])
    def test_starts_a_draft_and_goes_to_the_questionnaire(self, staff, app, child_id, hx):
        response = staff.client.post(
            f"/children/{child_id}/assessments",
            data={"csrf_token": staff.csrf_token},
            headers=HX if hx else {},
            follow_redirects=False,
        )
        assert response.status_code == (204 if hx else 303)
        location = response.headers["HX-Redirect" if hx else "location"]
        assessment = _stored(app, int(location.rsplit("/", 1)[1]))
        assert location == f"/assessments/{assessment.id}"
        assert (assessment.status, assessment.catalog_id) == ("draft", "3-5")

    def test_a_second_start_reopens_the_same_draft(self, staff, child_id, draft_id):
        response = staff.client.post(
            f"/children/{child_id}/assessments",
            data={"csrf_token": staff.csrf_token},
            follow_redirects=False,
        )
        assert response.headers["location"] == f"/assessments/{draft_id}"

    @pytest.mark.parametrize(("username", "status"), [("social", 403), ("admin", 403)])
    def test_social_workers_and_admins_cannot_start(self, as_user, child_id, username, status):
        user = as_user(username)
        response = user.client.post(
            f"/children/{child_id}/assessments", data={"csrf_token": user.csrf_token}
        )
        assert response.status_code == status

    def test_staff_of_another_institution_gets_not_found(self, as_user, app, child_id):
        user = as_user("staff_syd")
        response = user.client.post(
            f"/children/{child_id}/assessments", data={"csrf_token": user.csrf_token}
        )
        assert response.status_code == 404
        with db.session_scope(app.state.engine) as s:
            assert s.exec(select(Assessment)).first() is None


class TestQuestionnaireAccess:
    def test_another_staff_member_cannot_open_someone_elses_draft(self, as_user, draft_id):
        assert as_user("leader").client.get(f"/assessments/{draft_id}").status_code == 403

    @pytest.mark.parametrize(("username", "status"), [("social", 403), ("admin", 403)])
    def test_social_workers_and_admins_are_refused(self, as_user, draft_id, username, status):
        assert as_user(username).client.get(f"/assessments/{draft_id}").status_code == status

    @pytest.mark.parametrize("username", ["staff_syd", "teacher"])
    def test_staff_of_another_institution_gets_not_found(self, as_user, draft_id, username):
        assert as_user(username).client.get(f"/assessments/{draft_id}").status_code == 404

    def test_unknown_assessment_is_not_found(self, staff):
        assert staff.client.get("/assessments/999999").status_code == 404


class TestQuestionnaire:
    def test_areas_with_a_checkbox_and_level_marker_per_indicator(self, staff, draft_id):
        soup = _soup(staff.client.get(f"/assessments/{draft_id}"))
        assert one(soup, "title").text == "Vurdering (kladde) – Trivselsguiden"
        catalog = _catalog()
        areas = soup.select("#assessment-form fieldset.area")
        assert [one(a, "legend h2").get_text(strip=True) for a in areas] == [
            area.title for area in catalog.areas
        ]
        boxes = soup.select("#assessment-form input[type=checkbox][name=observed]")
        assert [b["value"] for b in boxes] == [i.id for i in catalog.indicators()]
        [sign] = _pick(level=2)
        box = _box(soup, sign)
        label = box.find_parent("label")
        assert _text(sign) in label.get_text()
        marker = one(label, ".level-marker")
        assert marker.get_text(strip=True) == "Niveau 2"
        assert "level-2" in marker["class"]
        assert box.get("checked") is None
        # Every box of an area saves through its list (static/app.js names the indicator).
        ticks = box.find_parent("ul")
        assert ticks.has_attr("data-ticks")
        assert ticks["hx-post"] == f"/assessments/{draft_id}/observations"
        assert (ticks["hx-trigger"], ticks["hx-swap"]) == ("change", "none")
        assert ticks["hx-params"] == "indicator_id,observed"

    def test_summary_panel_save_status_and_notes_warning(self, staff, draft_id):
        soup = _soup(staff.client.get(f"/assessments/{draft_id}"))
        summary = one(soup, "#summary")
        assert one(summary, ".level-badge").get_text(" ", strip=True) == (
            "Niveau 1 Generel trivsel"
        )
        assert summary.select_one("#critical-alert") is None
        assert summary.select_one("#action-continue_universal") is not None
        status = one(soup, "#save-status")
        assert status["aria-live"] == "polite"
        assert "CPR" in one(soup, "#notes-warning").text
        notes = one(soup, "#input-notes")
        assert notes["hx-post"] == f"/assessments/{draft_id}/notes"
        assert notes["hx-trigger"] == "input changed delay:800ms, blur"
        assert "notes-warning" in notes["aria-describedby"]
        assert one(soup, "label[for='input-resources']").get_text(strip=True) == (
            "Barnets ressourcer (det der går godt)"
        )

    def test_finish_form_defaults_to_the_computed_level(self, staff, draft_id):
        soup = _soup(staff.client.get(f"/assessments/{draft_id}"))
        finish = one(soup, "#finish")
        assert "kan ikke ændres" in finish.get_text()
        select_ = one(soup, "#input-level")
        assert select_["form"] == "assessment-form"
        assert [o["value"] for o in select_.select("option")] == ["1", "2", "3", "4"]
        assert one(select_, "option[selected]")["value"] == "1"
        assert one(soup, "#input-follow_up_on")["type"] == "date"
        button = one(soup, "#finish-button")
        assert button["formaction"] == f"/assessments/{draft_id}/finish"
        assert button.get_text(strip=True) == "Afslut vurdering"

    def test_draft_reopens_where_it_was_left(self, staff, app, draft_id):
        [sign] = _pick(level=3)
        _tick(staff, draft_id, sign)
        staff.client.post(
            f"/assessments/{draft_id}/notes",
            data={"notes": "Set i garderoben mandag."},
            headers={**staff.headers, **HX},
        )
        soup = _soup(staff.client.get(f"/assessments/{draft_id}"))
        assert _box(soup, sign).has_attr("checked")
        assert one(soup, "#input-notes").text == "Set i garderoben mandag."
        assert "level-3" in one(soup, "#current-level .level-badge")["class"]
        assert one(soup, "#input-level option[selected]")["value"] == "3"
        suggested = service.follow_up_for(3)
        assert suggested is not None
        assert one(soup, "#input-follow_up_on")["value"] == suggested.isoformat()


class TestTick:
    def test_tick_saves_and_returns_the_summary_out_of_band(self, staff, app, draft_id):
        [sign] = _pick(level=2)
        response = _tick(staff, draft_id, sign)
        assert response.status_code == 200
        soup = _soup(response)
        assert soup.select_one("html") is None
        assert soup.select_one("input[name=observed]") is None  # the checkboxes are left alone
        summary = one(soup, "#summary")
        assert summary["hx-swap-oob"] == "true"
        assert one(summary, ".level-badge").get_text(" ", strip=True) == (
            "Niveau 2 Faldende trivsel"
        )
        assert [li.get_text(" ", strip=True) for li in summary.select("#rationale li")] == [
            f"{_text(sign)} Niveau 2"
        ]
        assert summary.select_one("#action-parent_dialogue") is not None
        status = one(soup, "#save-status")
        assert status["hx-swap-oob"] == "innerHTML"
        assert status.get_text(strip=True).startswith("Gemt")
        assert one(soup, "#current-level")["hx-swap-oob"] == "true"
        assert soup.select_one("#input-level") is None  # follows in the browser (app.js)
        assert _stored(app, draft_id).observed == [sign]

    def test_the_questionnaire_says_which_level_its_panel_shows(self, staff, draft_id):
        soup = _soup(staff.client.get(f"/assessments/{draft_id}"))
        assert one(soup, "#summary")["data-shown"] == "1:0"
        _tick(staff, draft_id, _pick(level=4, critical=True)[0])
        soup = _soup(staff.client.get(f"/assessments/{draft_id}"))
        assert one(soup, "#summary")["data-shown"] == "4:1"

    def test_a_tick_that_leaves_the_shown_level_answers_the_rationale_only(
        self, staff, app, draft_id
    ):
        [sign] = _pick(level=1)
        response = _tick(staff, draft_id, sign, shown="1:0")

        soup = _soup(response)
        box = one(soup, "#rationale-box")
        assert box["hx-swap-oob"] == "true"
        assert [li.get_text(" ", strip=True) for li in box.select("#rationale li")] == [
            f"{_text(sign)} Niveau 1"
        ]
        assert one(soup, "#save-status").get_text(strip=True).endswith("Niveau 1: Generel trivsel.")
        for unchanged in ("#summary", "#current-level", "#hint-level", "#input-level"):
            assert soup.select_one(unchanged) is None, unchanged
        assert _stored(app, draft_id).observed == [sign]

    def test_a_tick_that_changes_the_shown_level_answers_the_whole_panel(self, staff, draft_id):
        [sign] = _pick(level=2)
        soup = _soup(_tick(staff, draft_id, sign, shown="1:0"))

        assert one(soup, "#summary")["data-shown"] == "2:0"
        assert soup.select_one("#summary #rationale-box") is not None
        assert one(soup, "#current-level")["hx-swap-oob"] == "true"

    def test_the_finish_form_carries_what_it_needs_to_follow_the_level(self, staff, draft_id):
        soup = _soup(staff.client.get(f"/assessments/{draft_id}"))
        select_ = one(soup, "#input-level")
        assert select_["data-computed"] == "1"
        assert [o["data-name"] for o in select_.select("option")] == [
            level.name for level in catalogs.levels().levels
        ]
        expected = [service.follow_up_for(n) for n in (1, 2, 3, 4)]
        assert attr(one(soup, "#input-follow_up_on"), "data-suggest").split(" ") == [
            d.isoformat() if d else "-" for d in expected
        ]

    def test_a_critical_sign_at_level_4_shown_still_answers_the_whole_panel(self, staff, draft_id):
        [sign] = _pick(level=4, critical=True)
        soup = _soup(_tick(staff, draft_id, sign, shown="4:0"))

        assert soup.select_one("#summary #critical-alert") is not None

    def test_a_forged_shown_level_is_refused_and_nothing_is_saved(self, staff, app, draft_id):
        [sign] = _pick(level=2)
        response = _tick(staff, draft_id, sign, shown="<script>")

        assert response.status_code == 422
        assert _stored(app, draft_id).observed == []

    def test_untick_removes_the_sign(self, staff, app, draft_id):
        [sign] = _pick(level=3)
        _tick(staff, draft_id, sign)
        response = _tick(staff, draft_id, sign, observed=False)
        assert response.status_code == 200
        assert "level-1" in one(_soup(response), "#summary .level-badge")["class"]
        assert _stored(app, draft_id).observed == []

    def test_without_htmx_the_tick_goes_back_to_the_questionnaire(self, staff, app, draft_id):
        [sign] = _pick(level=2)
        response = _tick(staff, draft_id, sign, hx=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/assessments/{draft_id}"
        assert _stored(app, draft_id).observed == [sign]

    def test_critical_sign_shows_the_alert_and_no_parent_dialogue(self, staff, app, draft_id):
        [sign] = _pick(level=4, critical=True)
        soup = _soup(_tick(staff, draft_id, sign))
        summary = one(soup, "#summary")
        alert = one(summary, "#critical-alert")
        assert alert["role"] == "alert"
        assert summary.find(True) is alert  # first in the panel
        heading = one(alert, ".alert-heading").get_text(strip=True)
        assert heading == (
            "Mistanke om vold eller overgreb: Underret kommunen nu. "
            "Fortæl ikke forældrene om bekymringen først."
        )
        assert "112" in alert.get_text()
        assert catalogs.levels().critical_guidance.parents in alert.get_text()
        assert summary.select_one("#action-notification") is not None
        assert summary.select_one("#action-parent_dialogue") is None
        assert "Dialog med forældrene" not in summary.get_text()
        assert _stored(app, draft_id).critical is True

    def test_critical_alert_is_on_the_reopened_page(self, staff, draft_id):
        [sign] = _pick(level=4, critical=True)
        _tick(staff, draft_id, sign)
        soup = _soup(staff.client.get(f"/assessments/{draft_id}"))
        assert one(soup, "#summary #critical-alert")["role"] == "alert"

    def test_another_staff_member_cannot_tick_someone_elses_draft(self, as_user, app, draft_id):
        [sign] = _pick(level=2)
        response = _tick(as_user("leader"), draft_id, sign)
        assert response.status_code == 403
        assert _stored(app, draft_id).observed == []

    def test_unknown_indicator_is_refused(self, staff, app, draft_id):
        response = _tick(staff, draft_id, "0-2.health.not-here")
        assert response.status_code == 422
        assert _stored(app, draft_id).observed == []

    def test_observed_must_be_one_or_zero(self, staff, draft_id):
        [sign] = _pick(level=2)
        response = staff.client.post(
            f"/assessments/{draft_id}/observations",
            data={"indicator_id": sign, "observed": "ja"},
            headers={**staff.headers, **HX},
        )
        assert response.status_code == 422

    def test_tick_without_csrf_token_is_refused(self, staff, draft_id):
        [sign] = _pick(level=2)
        response = staff.client.post(
            f"/assessments/{draft_id}/observations",
            data={"indicator_id": sign, "observed": "1"},
            headers=HX,
        )
        assert response.status_code == 403


class TestSaveWholeForm:
    def test_without_javascript_the_form_saves_all_ticks_and_texts(self, staff, app, draft_id):
        signs = _pick(level=2, n=2)
        response = staff.client.post(
            f"/assessments/{draft_id}",
            data={
                "csrf_token": staff.csrf_token,
                "draft_fields": "1",
                "observed": signs,
                "notes": "Græder ved aflevering.",
                "resources": "Elsker at tegne.",
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert response.headers["location"] == f"/assessments/{draft_id}?saved=1"
        stored = _stored(app, draft_id)
        assert (stored.observed, stored.notes, stored.resources) == (
            signs,
            "Græder ved aflevering.",
            "Elsker at tegne.",
        )
        soup = _soup(staff.client.get(response.headers["location"]))
        assert soup.select_one("#saved-alert") is not None
        assert all(_box(soup, s).has_attr("checked") for s in signs)

    def test_unticked_boxes_are_removed(self, staff, app, draft_id):
        [sign] = _pick(level=2)
        _tick(staff, draft_id, sign)
        staff.client.post(
            f"/assessments/{draft_id}",
            data={"csrf_token": staff.csrf_token, "notes": "", "resources": ""},
        )
        assert _stored(app, draft_id).observed == []

    def test_too_long_text_is_shown_beside_the_field_and_not_saved(self, staff, app, draft_id):
        [sign] = _pick(level=2)
        response = staff.client.post(
            f"/assessments/{draft_id}",
            data={
                "csrf_token": staff.csrf_token,
                "observed": [sign],
                "notes": "Fin",
                "resources": "x" * (service.MAX_TEXT + 1),
            },
        )
        assert response.status_code == 422
        soup = _soup(response)
        assert soup.select_one("#error-resources") is not None
        assert one(soup, "#input-notes").text == "Fin"
        stored = _stored(app, draft_id)
        assert (stored.observed, stored.notes, stored.resources) == ([], "", "")


class TestNotesAutosave:
    def test_notes_are_saved_and_the_status_says_so(self, staff, app, draft_id):
        response = staff.client.post(
            f"/assessments/{draft_id}/notes",
            data={"notes": "Trist om morgenen."},
            headers={**staff.headers, **HX},
        )
        assert response.status_code == 200
        soup = _soup(response)
        assert one(soup, "#save-status").get_text(strip=True).startswith("Gemt")
        assert soup.select_one("#summary") is None  # the level did not change
        assert _stored(app, draft_id).notes == "Trist om morgenen."

    def test_resources_alone_leave_the_notes(self, staff, app, draft_id):
        for field, value in (("notes", "Noten"), ("resources", "Ressourcen")):
            staff.client.post(
                f"/assessments/{draft_id}/notes",
                data={field: value},
                headers={**staff.headers, **HX},
            )
        stored = _stored(app, draft_id)
        assert (stored.notes, stored.resources) == ("Noten", "Ressourcen")

    def test_too_long_text_says_not_saved(self, staff, app, draft_id):
        response = staff.client.post(
            f"/assessments/{draft_id}/notes",
            data={"notes": "x" * (service.MAX_TEXT + 1)},
            headers={**staff.headers, **HX},
        )
        assert response.status_code == 422
        assert _soup(response).select_one("#save-status .save-error") is not None
        assert _stored(app, draft_id).notes == ""

    def test_without_htmx_the_notes_go_back_to_the_questionnaire(self, staff, app, draft_id):
        response = staff.client.post(
            f"/assessments/{draft_id}/notes",
            data={"csrf_token": staff.csrf_token, "notes": "Uden JS"},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert _stored(app, draft_id).notes == "Uden JS"

    def test_without_htmx_too_long_text_is_refused(self, staff, app, draft_id):
        response = staff.client.post(
            f"/assessments/{draft_id}/notes",
            data={"csrf_token": staff.csrf_token, "notes": "x" * (service.MAX_TEXT + 1)},
        )
        assert response.status_code == 422
        assert _stored(app, draft_id).notes == ""


class TestFinish:
    @pytest.mark.parametrize("hx", [False, True])
    def test_finish_with_the_computed_level(self, staff, app, draft_id, hx):
        [sign] = _pick(level=2)
        _tick(staff, draft_id, sign)
        response = _finish(staff, draft_id, hx=hx, level="2")
        assert response.status_code == (204 if hx else 303)
        assert response.headers["HX-Redirect" if hx else "location"] == f"/assessments/{draft_id}"
        stored = _stored(app, draft_id)
        assert (stored.status, stored.level, stored.computed_level) == ("finished", 2, 2)
        assert stored.follow_up_on == service.follow_up_for(2)

    @pytest.mark.parametrize("hx", [False, True])
    def test_override_without_reason_is_refused_and_stays_a_draft(self, staff, app, draft_id, hx):
        [sign] = _pick(level=2)
        _tick(staff, draft_id, sign)
        response = _finish(staff, draft_id, hx=hx, level="3")
        assert response.status_code == 422
        soup = _soup(response)
        assert (soup.select_one("html") is None) == hx
        finish = one(soup, "#finish")
        assert "begrundelse" in one(finish, "#error-reason").text.lower()
        assert one(finish, "#input-reason")["aria-invalid"] == "true"
        assert one(finish, "#input-level option[selected]")["value"] == "3"
        assert _stored(app, draft_id).status == "draft"

    def test_override_with_reason_is_stored(self, staff, app, draft_id):
        [sign] = _pick(level=2)
        _tick(staff, draft_id, sign)
        response = _finish(staff, draft_id, level="3", reason="Flere kolleger ser det samme.")
        assert response.status_code == 303
        stored = _stored(app, draft_id)
        assert (stored.level, stored.computed_level) == (3, 2)
        assert stored.override_reason == "Flere kolleger ser det samme."
        soup = _soup(staff.client.get(f"/assessments/{draft_id}"))
        override = one(soup, "#level-override")
        assert one(override, "#override-reason").text == "Flere kolleger ser det samme."
        assert "Niveau 2" in override.get_text()
        assert "Niveau 3" in override.get_text()

    def test_critical_sign_cannot_be_lowered(self, staff, app, draft_id):
        [sign] = _pick(level=4, critical=True)
        _tick(staff, draft_id, sign)
        response = _finish(staff, draft_id, level="2", reason="Jeg tror ikke på det.")
        assert response.status_code == 422
        assert _soup(response).select_one("#error-level") is not None
        assert _stored(app, draft_id).status == "draft"

    def test_own_follow_up_date_is_kept(self, staff, app, draft_id):
        date = local_today() + dt.timedelta(days=14)
        _finish(staff, draft_id, level="1", follow_up_on=date.isoformat())
        assert _stored(app, draft_id).follow_up_on == date

    @pytest.mark.parametrize("value", ["2020-01-01", "i morgen"])
    def test_bad_follow_up_date_is_refused(self, staff, app, draft_id, value):
        response = _finish(staff, draft_id, level="1", follow_up_on=value)
        assert response.status_code == 422
        assert _soup(response).select_one("#error-follow_up_on") is not None
        assert _stored(app, draft_id).status == "draft"

    def test_without_javascript_finish_also_saves_the_ticks(self, staff, app, draft_id):
        [sign] = _pick(level=3)
        response = _finish(
            staff, draft_id, level="3", draft_fields="1", observed=[sign], notes="Noten"
        )
        assert response.status_code == 303
        stored = _stored(app, draft_id)
        assert (stored.status, stored.level, stored.observed, stored.notes) == (
            "finished",
            3,
            [sign],
            "Noten",
        )

    def test_refused_finish_keeps_the_ticks_sent_with_it(self, staff, app, draft_id):
        [sign] = _pick(level=2)
        response = _finish(staff, draft_id, level="4", draft_fields="1", observed=[sign])
        assert response.status_code == 422
        soup = _soup(response)
        assert _box(soup, sign).has_attr("checked")
        stored = _stored(app, draft_id)
        assert (stored.status, stored.observed) == ("draft", [sign])

    def test_another_staff_member_cannot_finish(self, as_user, app, draft_id):
        assert _finish(as_user("leader"), draft_id, level="1").status_code == 403
        assert _stored(app, draft_id).status == "draft"


@pytest.fixture
def finished_id(staff, app, draft_id) -> int:
    signs = [*_pick(level=3), *_pick(level=2)]
    for sign in signs:
        _tick(staff, draft_id, sign)
    staff.client.post(
        f"/assessments/{draft_id}/notes",
        data={"notes": "Set flere dage.", "resources": "God til at bygge."},
        headers={**staff.headers, **HX},
    )
    assert _finish(staff, draft_id, level="3").status_code == 303
    return draft_id


class TestResult:
    def test_finished_assessment_is_read_only(self, staff, app, finished_id):
        [sign] = _pick(level=1)
        assert _tick(staff, finished_id, sign).status_code == 409
        response = staff.client.post(
            f"/assessments/{finished_id}/notes",
            data={"notes": "Ændret"},
            headers={**staff.headers, **HX},
        )
        assert response.status_code == 409
        assert _finish(staff, finished_id, level="1").status_code == 409
        soup = _soup(staff.client.get(f"/assessments/{finished_id}"))
        assert soup.select("input[type=checkbox]") == []
        assert soup.select_one("#assessment-form") is None
        assert _stored(app, finished_id).notes == "Set flere dage."

    def test_result_shows_everything_for_a_parent_meeting(self, staff, finished_id):
        response = staff.client.get(f"/assessments/{finished_id}")
        soup = _soup(response)
        assert one(soup, "title").text == "Resultat af vurdering – Trivselsguiden"
        assert one(soup, "#result-author").text == "Sofie Pædagog"
        catalog = _catalog()
        shown = one(soup, "#result-catalog").text
        assert shown == f"{catalog.title}, version {catalog.version}"
        summary = one(soup, "#summary")
        assert one(summary, ".level-badge").get_text(" ", strip=True) == ("Niveau 3 Mistrivsel")
        assert summary.select_one("#level-override") is None
        [level3], [level2] = _pick(level=3), _pick(level=2)
        assert [li.get_text(" ", strip=True) for li in summary.select("#rationale li")] == [
            f"{_text(level3)} Niveau 3",
            f"{_text(level2)} Niveau 2",
        ]
        guidance = catalogs.levels().level(3).guidance
        assert catalog.speak_of(guidance.who_to_involve) in one(summary, "#guidance").text
        steps = soup.select("#next-steps .next-step")
        assert [s["id"] for s in steps] == [
            "next-step-parent_dialogue",
            "next-step-social_worker_consult",
        ]
        assert one(steps[0], "h3").get_text(strip=True) == "Dialog med forældrene"
        assert one(soup, "#result-notes").text == "Set flere dage."
        assert one(soup, "#result-resources").text == "God til at bygge."
        follow_up = service.follow_up_for(3)
        assert follow_up is not None
        assert one(soup, "#result-follow-up").text == follow_up.strftime("%d.%m.%Y")
        observed = soup.select("#observed-signs li")
        assert len(observed) == 2
        assert soup.select_one("#observed-signs #observed-health h3") is not None

    def test_print_button_is_there_for_javascript_to_show(self, staff, finished_id):
        soup = _soup(staff.client.get(f"/assessments/{finished_id}"))
        button = one(soup, "#print-button")
        assert button.name == "button"
        assert button["type"] == "button"
        assert button.has_attr("data-print")
        assert button.has_attr("hidden")
        assert button.get_text(strip=True) == "Udskriv"

    def test_anyone_of_the_institution_may_view_the_result(self, as_user, finished_id):
        response = as_user("leader").client.get(f"/assessments/{finished_id}")
        assert response.status_code == 200
        assert one(_soup(response), "#result-author").text == "Sofie Pædagog"

    @pytest.mark.parametrize(("username", "status"), [("staff_syd", 404), ("social", 403)])
    def test_others_may_not(self, as_user, finished_id, username, status):
        assert as_user(username).client.get(f"/assessments/{finished_id}").status_code == status

    def test_critical_result_shows_the_alert_and_no_parent_dialogue(self, staff, draft_id):
        [sign] = _pick(level=4, critical=True)
        _tick(staff, draft_id, sign)
        assert _finish(staff, draft_id, level="4").status_code == 303
        soup = _soup(staff.client.get(f"/assessments/{draft_id}"))
        assert one(soup, "#critical-alert")["role"] == "alert"
        assert soup.select_one("#next-step-notification") is not None
        assert soup.select_one("#next-step-parent_dialogue") is None
        assert "Dialog med forældrene" not in one(soup, "main").get_text()

    def test_result_shows_the_texts_of_the_pinned_version(self, staff, app, finished_id):
        [sign] = _pick(level=3)
        old_text = _text(sign)
        with db.session_scope(app.state.engine) as s:
            catalog = _catalog()
            publish_with_text_changed(s, catalog, old_text, "Ny formulering af tegnet.")
        soup = _soup(staff.client.get(f"/assessments/{finished_id}"))
        assert old_text in one(soup, "#rationale").text
        assert old_text in by_id(soup, f"observed-{sign}").text
        assert "Ny formulering" not in soup.text
        assert one(soup, "#result-catalog").text.endswith(f"version {catalog.version}")


class TestFinishConfirmation:
    def test_asking_to_finish_an_acute_result_says_act_now_and_keeps_the_parents(
        self, staff, draft_id
    ):
        _tick(staff, draft_id, ACUTE)
        soup = _soup(_finish(staff, draft_id, confirmed=""))
        line = one(soup, "#confirm-acute").get_text()
        assert "Forældrene må gerne orienteres" in line
        assert soup.select_one("#confirm-critical") is None

    @pytest.mark.parametrize("hx", [False, True])
    def test_the_finish_button_asks_first_and_finishes_nothing(self, staff, app, draft_id, hx):
        [sign] = _pick(level=2)
        response = _finish(staff, draft_id, hx=hx, confirmed="")
        assert response.status_code == 200
        soup = _soup(response)
        section = one(soup, "#confirm-finish")
        assert section is not None
        assert "kan ikke ændres" in section.get_text()
        form = one(section, "form#confirm-finish-form")
        assert form["action"] == f"/assessments/{draft_id}/finish"
        assert one(form, "input[name=confirmed]")["value"] == "1"
        assert one(section, "#confirm-back")["href"] == f"/assessments/{draft_id}"
        assert _stored(app, draft_id).status == "draft"
        assert sign  # the draft is untouched by asking

    def test_without_javascript_the_ticks_are_saved_while_it_asks(self, staff, app, draft_id):
        [sign] = _pick(level=3)
        response = _finish(staff, draft_id, confirmed="", draft_fields="1", observed=[sign])
        assert response.status_code == 200
        soup = _soup(response)
        assert "Niveau 3" in one(soup, "#confirm-level").get_text()
        stored = _stored(app, draft_id)
        assert (stored.status, stored.observed) == ("draft", [sign])

    def test_a_choice_the_rules_refuse_is_shown_before_asking(self, staff, app, draft_id):
        response = _finish(staff, draft_id, confirmed="", level="3")
        assert response.status_code == 422
        soup = _soup(response)
        assert soup.select_one("#confirm-finish") is None
        assert "begrundelse" in one(soup, "#error-reason").get_text()

    def test_confirming_finishes_with_the_choices_carried_over(self, staff, app, draft_id):
        asked = _soup(_finish(staff, draft_id, confirmed="", level="2", reason="Set tre gange."))
        form = one(asked, "#confirm-finish-form")
        carried = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
        assert (carried["level"], carried["reason"]) == ("2", "Set tre gange.")
        response = staff.client.post(
            form["action"],
            data={**carried, "csrf_token": staff.csrf_token},
            follow_redirects=False,
        )
        assert response.status_code == 303
        stored = _stored(app, draft_id)
        assert (stored.status, stored.level, stored.override_reason) == (
            "finished",
            2,
            "Set tre gange.",
        )


class TestStrictForms:
    @pytest.mark.parametrize("hx", [False, True])
    @pytest.mark.parametrize("level", ["²", "٣", "3a", "to"])
    def test_a_level_that_is_not_plain_digits_is_a_field_error_not_a_500(
        self, staff, app, draft_id, hx, level
    ):
        response = _finish(staff, draft_id, hx=hx, level=level, reason="Begrundet.")
        assert response.status_code == 422
        assert "Vælg et niveau fra 1 til 4." in one(_soup(response), "#error-level").text
        assert _stored(app, draft_id).status == "draft"


class TestQuestionnaireAreas:
    def test_links_to_every_area_with_its_count_of_ticked_signs(self, staff, draft_id):
        catalog = _catalog()
        area = catalog.areas[1]
        for indicator in area.indicators[:2]:
            _tick(staff, draft_id, indicator.id)
        soup = _soup(staff.client.get(f"/assessments/{draft_id}"))
        links = soup.select("#area-nav a")
        assert [a["href"] for a in links] == [f"#area-{a.id}" for a in catalog.areas]
        for a in catalog.areas:
            assert soup.select_one(f"#area-{a.id}") is not None
        total = len(area.indicators)
        assert one(soup, f"#area-count-nav-{area.id}").text == f"2 af {total} markeret"
        assert one(soup, f"#area-count-legend-{area.id}").text == f"2 af {total} markeret"
        first = catalog.areas[0]
        assert one(soup, f"#area-count-nav-{first.id}").text.startswith("0 af")

    def test_a_tick_answers_its_areas_new_count_out_of_band(self, staff, draft_id):
        area = _catalog().areas[2]
        _tick(staff, draft_id, area.indicators[0].id)
        response = _tick(staff, draft_id, area.indicators[1].id, shown="1:0")
        soup = _soup(response)
        for where in ("nav", "legend"):
            count = one(soup, f"#area-count-{where}-{area.id}")
            assert count["hx-swap-oob"] == "true"
            assert count.text.startswith("2 af")

    def test_the_sticky_bar_carries_the_abuse_rule(self, staff, draft_id):
        soup = _soup(staff.client.get(f"/assessments/{draft_id}"))
        rule = one(soup, "#assessment-toolbar #toolbar-critical")
        assert "Fortæl ikke forældrene" in rule.get_text()
        assert one(rule, "a")["href"] == "#critical-alert"


ACUTE = "3-5.care.parent-intoxicated"


def _breadth_signs() -> list[str]:
    """Three level-2 signs in two areas (the shipped breadth rule), no higher sign."""
    first, second = _catalog().areas[0], _catalog().areas[1]
    return [
        *[i.id for i in first.indicators if i.level == 2][:2],
        next(i.id for i in second.indicators if i.level == 2),
    ]


class TestAcuteBreadthAndStrengths:
    def test_an_acute_sign_leads_the_panel_with_the_acute_rule_and_keeps_the_parents(
        self, staff, draft_id
    ):
        soup = _soup(_tick(staff, draft_id, ACUTE, shown="1:0"))
        panel = one(soup, "#summary")
        assert panel["data-shown"] == "4:2"
        alert = one(panel, "#acute-alert")
        assert "Overlad ikke barnet" in alert.get_text()
        assert "112" in alert.get_text()
        assert "114" in alert.get_text()
        assert "må gerne tale med dem" in alert.get_text()
        assert panel.select_one("#critical-alert") is None
        assert "Forældrene" in one(panel, "#guidance").get_text()
        page = _soup(staff.client.get(f"/assessments/{draft_id}"))
        rule = one(page, "#assessment-toolbar #toolbar-acute")
        assert "Forældrene må gerne orienteres" in rule.get_text()
        assert one(rule, "a")["href"] == "#acute-alert"

    def test_an_acute_sign_at_level_4_shown_still_answers_the_whole_panel(self, staff, draft_id):
        soup = _soup(_tick(staff, draft_id, ACUTE, shown="4:0"))

        assert soup.select_one("#summary #acute-alert") is not None

    def test_acute_with_a_critical_sign_shows_the_abuse_rule_only(self, staff, draft_id):
        _tick(staff, draft_id, ACUTE)
        soup = _soup(_tick(staff, draft_id, _pick(level=4, critical=True)[0], shown="4:2"))
        panel = one(soup, "#summary")
        assert panel["data-shown"] == "4:1"
        assert panel.select_one("#critical-alert") is not None
        assert panel.select_one("#acute-alert") is None

    def test_breadth_raises_the_level_and_says_why(self, staff, draft_id):
        *first, last = _breadth_signs()
        for sign in first:
            _tick(staff, draft_id, sign)
        soup = _soup(_tick(staff, draft_id, last, shown="2:0"))
        panel = one(soup, "#summary")
        assert panel["data-shown"] == "3:0"
        note = one(panel, "#breadth-note").get_text(" ", strip=True)
        assert note.startswith("Hævet fra niveau 2 pga. bredde:")
        assert "mindst 3 tegn på mindst 2 forskellige områder" in note
        assert len(panel.select("#rationale li")) == 3

    def test_strengths_stand_beside_the_worries_and_follow_a_tick(self, staff, draft_id):
        [worry] = _pick(level=2)
        [strength] = _pick(level=1)
        _tick(staff, draft_id, worry)
        soup = _soup(_tick(staff, draft_id, strength, shown="2:0"))
        box = one(soup, "#rationale-box")
        assert box["hx-swap-oob"] == "true"
        assert [li.get_text(strip=True) for li in box.select("#strengths li")] == [_text(strength)]
        assert [li.get_text(" ", strip=True) for li in box.select("#rationale li")] == [
            f"{_text(worry)} Niveau 2"
        ]

    def test_the_result_page_shows_acute_guidance_and_strengths(self, staff, app, org, child_id):
        [strength] = _pick(level=1)
        with db.session_scope(app.state.engine) as s:
            author = s.get_one(User, org.users["staff"])
            child = s.get_one(Child, child_id)
            finished = make_finished_assessment(s, author, child, observed=[ACUTE, strength])
            assessment_id = finished.id
        soup = _soup(staff.client.get(f"/assessments/{assessment_id}"))
        assert "Akut fare" in one(soup, "#result-level-line").get_text()
        assert soup.select_one("#acute-alert") is not None
        assert [li.get_text(strip=True) for li in soup.select("#strengths li")] == [_text(strength)]
        dialogue = one(soup, "#other-steps").get_text()
        assert "dialogmøde" in dialogue

    def test_the_result_page_says_when_breadth_raised_the_level(self, staff, app, org, child_id):
        with db.session_scope(app.state.engine) as s:
            author = s.get_one(User, org.users["staff"])
            child = s.get_one(Child, child_id)
            finished = make_finished_assessment(s, author, child, observed=_breadth_signs())
            assessment_id = finished.id
        soup = _soup(staff.client.get(f"/assessments/{assessment_id}"))
        assert "Hævet pga. bredde" in one(soup, "#result-level-line").get_text()
        assert soup.select_one("#breadth-note") is not None


class TestWhy:
    def test_ticked_level_two_signs_stay_in_the_why_of_a_level_three_result(self, staff, draft_id):
        two, three = _pick(level=2)[0], _pick(level=3)[0]
        [level_one] = _pick(level=1)
        for sign in (two, level_one, three):
            _tick(staff, draft_id, sign)
        soup = _soup(staff.client.get(f"/assessments/{draft_id}"))
        assert "Niveau 3" in one(soup, "#summary-level-badge").text
        items = [li.get_text(" ", strip=True) for li in soup.select("#rationale li")]
        assert len(items) == 2
        assert items[0].startswith(_text(three))
        assert items[1].startswith(_text(two))

    def test_every_level_has_its_own_shape_beside_its_number(self, staff, draft_id):
        soup = _soup(staff.client.get(f"/assessments/{draft_id}"))
        for option in (1, 2, 3, 4):
            marker = soup.select_one(f".level-marker.level-{option} .level-shape-{option}")
            assert marker is not None, option
        badge = one(soup, "#summary-level-badge")
        assert one(badge, ".level-shape-1")["aria-hidden"] == "true"


class TestResultOrder:
    def test_the_next_steps_come_before_the_guidance(self, staff, finished_id):
        soup = _soup(staff.client.get(f"/assessments/{finished_id}"))
        ids = [el.get("id") for el in soup.select("#next-steps, #summary, #guidance")]
        assert ids[0] == "next-steps"
        assert one(soup, "#result-flash").text.strip() == ""

    def test_a_done_step_is_marked(self, staff, app, finished_id):
        from app.concerns.models import ParentDialogue

        stored = _stored(app, finished_id)
        with db.session_scope(app.state.engine) as s:
            s.add(
                ParentDialogue(
                    assessment_id=finished_id,
                    child_id=stored.child_id,
                    institution_id=stored.institution_id,
                    held_on=dt.date(2026, 11, 30),
                    participants="Mor, pædagog",
                    agreed="Vi mødes igen om en måned.",
                    created_by=stored.created_by,
                )
            )
        soup = _soup(staff.client.get(f"/assessments/{finished_id}?saved=dialogue"))
        done = one(soup, "#next-step-parent_dialogue #done-parent_dialogue")
        assert "dialogmøde 30.11.2026" in done.get_text()
        flash = one(soup, "#result-flash #dialogue-saved")
        assert "Mor, pædagog" in flash.get_text()
        assert "Vi mødes igen om en måned." in flash.get_text()
        assert soup.select_one("#next-step-social_worker_consult .step-done") is None


class TestBandWord:
    def test_a_four_year_olds_result_speaks_of_the_child(self, staff, finished_id):
        text = _soup(staff.client.get(f"/assessments/{finished_id}")).get_text()
        assert "eller den unge" not in text

    def test_a_fifteen_year_olds_result_speaks_of_the_young_person(self, app, org, as_user):
        with db.session_scope(app.state.engine) as s:
            catalogs.import_shipped(s)
            author = s.get_one(User, org.users["staff"])
            child = make_child(s, org.daycare_id, id_of(author), age_years=15)
            finished = make_finished_assessment(s, author, child, observed=[])
            finished_id = finished.id
        text = _soup(as_user("staff").client.get(f"/assessments/{finished_id}")).get_text()
        assert "eller den unge" not in text
        assert "Den unge" in text


class TestNotificationFormFromTheResult:
    def test_position_and_relation_start_empty_with_an_example(self, staff, finished_id):
        soup = _soup(staff.client.get(f"/assessments/{finished_id}/notification"))
        field = one(soup, "#input-notifier_role")
        assert field.get("value", "") == ""
        assert "pædagog på Solsikkestuen" in one(soup, "#hint-notifier_role").text
        assert attr(field, "aria-describedby").split() == ["hint-notifier_role"]
