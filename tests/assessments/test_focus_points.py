"""Focus points (fokuspunkter) and the parents informed or involved, noted at the finish step:
the rules in the service, the API's optional fields, the finish step of the page and marking
a focus point done."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app import db
from app.accounts.models import User
from app.assessments import service
from app.assessments.models import Assessment, AssessmentStatus, FocusPoint, ParentContact
from app.catalogs import service as catalogs
from app.db import local_today
from app.errors import Invalid, NotFound
from tests.factories import id_of, make_child, make_draft, signs
from tests.html import by_id

HX = {"HX-Request": "true"}
LEVEL_2 = signs(level=2, n=1)
CRITICAL = signs(level=4, critical=True, n=1)


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture
def child_id(app, org) -> int:
    with db.session_scope(app.state.engine) as s:
        catalogs.import_shipped(s)
        return id_of(make_child(s, org.daycare_id, org.users["staff"], age_years=4))


def _draft(app, org, child_id: int, observed: list[str]) -> int:
    with db.session_scope(app.state.engine) as s:
        staff = s.get_one(User, org.users["staff"])
        return id_of(make_draft(s, staff, _child(s, child_id), observed=observed))


def _child(s, child_id: int):
    from app.children.models import Child

    return s.get_one(Child, child_id)


def _rows(app, model):
    with db.session_scope(app.state.engine) as s:
        rows = list(s.exec(select(model)).all())
        for row in rows:
            s.expunge(row)
        return rows


def _point(
    text: str = "Vi giver Alma en fast voksen ved aflevering", **kw
) -> service.FocusPointInput:
    return service.FocusPointInput(text=text, **kw)


class TestFinishWithFocusPoints:
    def test_level_2_with_no_focus_point_is_refused_and_nothing_is_stored(self, app, org, child_id):
        draft_id = _draft(app, org, child_id, LEVEL_2)
        with db.session_scope(app.state.engine) as s:
            staff = s.get_one(User, org.users["staff"])
            with pytest.raises(Invalid) as refused:
                service.finish(s, staff, assessment_id=draft_id, focus_points=[_point("  ")])
        assert "mindst ét fokuspunkt" in refused.value.message
        assert _rows(app, FocusPoint) == []
        assert _rows(app, Assessment)[0].status == AssessmentStatus.DRAFT

    def test_level_1_needs_no_focus_point(self, app, org, child_id):
        draft_id = _draft(app, org, child_id, [])
        with db.session_scope(app.state.engine) as s:
            staff = s.get_one(User, org.users["staff"])
            state = service.finish(s, staff, assessment_id=draft_id, focus_points=[])
            assert state.assessment.status == AssessmentStatus.FINISHED

    def test_not_asking_keeps_the_clients_of_api_md_working(self, app, org, child_id):
        draft_id = _draft(app, org, child_id, LEVEL_2)
        with db.session_scope(app.state.engine) as s:
            staff = s.get_one(User, org.users["staff"])
            state = service.finish(s, staff, assessment_id=draft_id)
            assert state.assessment.level == 2
            assert state.focus_points == ()

    def test_a_point_is_followed_up_by_the_assessor_on_the_follow_up_date_by_default(
        self, app, org, child_id
    ):
        draft_id = _draft(app, org, child_id, LEVEL_2)
        with db.session_scope(app.state.engine) as s:
            staff = s.get_one(User, org.users["staff"])
            state = service.finish(
                s, staff, assessment_id=draft_id, focus_points=[_point(who="Forældrene")]
            )
            follow_up = state.assessment.follow_up_on
        (point,) = _rows(app, FocusPoint)
        assert point.responsible_id == org.users["staff"]
        assert point.due_on == follow_up
        assert point.who == "Forældrene"

    def test_a_colleague_can_follow_up_but_not_someone_of_another_institution(
        self, app, org, child_id
    ):
        draft_id = _draft(app, org, child_id, LEVEL_2)
        with db.session_scope(app.state.engine) as s:
            staff = s.get_one(User, org.users["staff"])
            with pytest.raises(Invalid) as refused:
                service.finish(
                    s,
                    staff,
                    assessment_id=draft_id,
                    focus_points=[_point(responsible_id=org.users["staff_syd"])],
                )
            assert refused.value.details[0]["field"] == "focus_points[0].responsible_id"
        with db.session_scope(app.state.engine) as s:
            staff = s.get_one(User, org.users["staff"])
            service.finish(
                s,
                staff,
                assessment_id=draft_id,
                focus_points=[_point(responsible_id=org.users["leader"])],
            )
        assert _rows(app, FocusPoint)[0].responsible_id == org.users["leader"]

    def test_a_date_in_the_past_is_refused(self, app, org, child_id):
        draft_id = _draft(app, org, child_id, LEVEL_2)
        with db.session_scope(app.state.engine) as s:
            staff = s.get_one(User, org.users["staff"])
            yesterday = local_today() - dt.timedelta(days=1)
            with pytest.raises(Invalid) as refused:
                service.finish(
                    s, staff, assessment_id=draft_id, focus_points=[_point(due_on=yesterday)]
                )
        assert refused.value.message == "Fokuspunkt 1: opfølgningsdatoen ligger i fortiden."


class TestParentsNoted:
    def test_never_when_the_abuse_rule_applies(self, app, org, child_id):
        draft_id = _draft(app, org, child_id, CRITICAL)
        parents = service.ParentsInput("informed", local_today(), "Samtale ved afhentning")
        with db.session_scope(app.state.engine) as s:
            staff = s.get_one(User, org.users["staff"])
            with pytest.raises(Invalid) as refused:
                service.finish(
                    s, staff, assessment_id=draft_id, focus_points=[_point()], parents=parents
                )
        assert "må forældrene ikke orienteres" in refused.value.message
        assert _rows(app, ParentContact) == []
        assert _rows(app, Assessment)[0].status == AssessmentStatus.DRAFT

    def test_noted_with_date_and_how(self, app, org, child_id):
        draft_id = _draft(app, org, child_id, LEVEL_2)
        parents = service.ParentsInput("involved", local_today(), "Dialogmøde")
        with db.session_scope(app.state.engine) as s:
            staff = s.get_one(User, org.users["staff"])
            service.finish(
                s, staff, assessment_id=draft_id, focus_points=[_point()], parents=parents
            )
        (contact,) = _rows(app, ParentContact)
        assert (contact.involvement, contact.how) == ("involved", "Dialogmøde")

    def test_a_date_in_the_future_is_refused(self, app, org, child_id):
        draft_id = _draft(app, org, child_id, LEVEL_2)
        parents = service.ParentsInput("informed", local_today() + dt.timedelta(days=2), "Tlf.")
        with db.session_scope(app.state.engine) as s:
            staff = s.get_one(User, org.users["staff"])
            with pytest.raises(Invalid):
                service.finish(
                    s, staff, assessment_id=draft_id, focus_points=[_point()], parents=parents
                )


class TestMarkDone:
    def _finished_point(self, app, org, child_id) -> int:
        draft_id = _draft(app, org, child_id, LEVEL_2)
        with db.session_scope(app.state.engine) as s:
            staff = s.get_one(User, org.users["staff"])
            return id_of(
                service.finish(
                    s, staff, assessment_id=draft_id, focus_points=[_point()]
                ).focus_points[0]
            )

    def test_another_institution_cannot_see_it(self, app, org, child_id):
        point_id = self._finished_point(app, org, child_id)
        with db.session_scope(app.state.engine) as s:
            other = s.get_one(User, org.users["staff_syd"])
            with pytest.raises(NotFound):
                service.mark_focus_point_done(s, other, focus_point_id=point_id)

    def test_a_colleague_marks_it_and_again_keeps_the_first(self, app, org, child_id):
        point_id = self._finished_point(app, org, child_id)
        with db.session_scope(app.state.engine) as s:
            leader = s.get_one(User, org.users["leader"])
            first = service.mark_focus_point_done(s, leader, focus_point_id=point_id).done_at
        with db.session_scope(app.state.engine) as s:
            staff = s.get_one(User, org.users["staff"])
            again = service.mark_focus_point_done(s, staff, focus_point_id=point_id)
            assert (again.done_at, again.done_by) == (first, org.users["leader"])


class TestApi:
    def _body(self, child_id: int, **extra: object) -> dict[str, object]:
        return {"child_id": child_id, "observed": LEVEL_2, **extra}

    def test_an_empty_list_at_level_2_is_422_and_nothing_is_stored(self, as_user, app, child_id):
        staff = as_user("staff")
        response = staff.client.post(
            "/api/v1/assessments", json=self._body(child_id, focus_points=[]), headers=staff.headers
        )
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "focus_points"
        assert _rows(app, Assessment) == []

    def test_without_the_field_the_contract_of_api_md_holds(self, as_user, child_id):
        staff = as_user("staff")
        response = staff.client.post(
            "/api/v1/assessments", json=self._body(child_id), headers=staff.headers
        )
        assert response.status_code == 201
        assert response.json()["focus_points"] == []
        assert response.json()["parents"] is None

    def test_focus_points_and_parents_are_stored_and_read_back(self, as_user, child_id, org):
        staff = as_user("staff")
        due = (local_today() + dt.timedelta(days=10)).isoformat()
        body = self._body(
            child_id,
            focus_points=[{"text": "Fast voksen ved aflevering", "who": "Pia", "due_on": due}],
            parents={"involvement": "informed", "on": local_today().isoformat(), "how": "Samtale"},
        )
        created = staff.client.post("/api/v1/assessments", json=body, headers=staff.headers)
        assert created.status_code == 201, created.text
        read = staff.client.get(f"/api/v1/assessments/{created.json()['id']}").json()
        (point,) = read["focus_points"]
        assert (point["text"], point["who"], point["due_on"], point["done_at"]) == (
            "Fast voksen ved aflevering",
            "Pia",
            due,
            None,
        )
        assert point["responsible_id"] == org.users["staff"]
        assert read["parents"] == {
            "involvement": "informed",
            "on": local_today().isoformat(),
            "how": "Samtale",
        }
        child = staff.client.get(f"/api/v1/children/{child_id}").json()
        assert child["assessments"][0]["focus_points"][0]["id"] == point["id"]
        assert child["assessments"][0]["parents"] == read["parents"]

        done = staff.client.post(f"/api/v1/focus-points/{point['id']}/done", headers=staff.headers)
        assert done.status_code == 200
        assert done.json()["done_at"] is not None
        other = as_user("staff_syd")
        refused = other.client.post(
            f"/api/v1/focus-points/{point['id']}/done", headers=other.headers
        )
        assert refused.status_code == 404

    def test_parents_on_a_critical_result_is_422(self, as_user, app, child_id):
        staff = as_user("staff")
        body = {
            "child_id": child_id,
            "observed": CRITICAL,
            "focus_points": [{"text": "Underretning sendt, tæt opsyn"}],
            "parents": {"involvement": "informed", "on": local_today().isoformat(), "how": "Tlf."},
        }
        response = staff.client.post("/api/v1/assessments", json=body, headers=staff.headers)
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "parents"
        assert _rows(app, Assessment) == []


def _finish_form(staff, **fields: object) -> dict[str, object]:
    return {"csrf_token": staff.csrf_token, **fields}


class TestFinishStep:
    @pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
    def test_level_2_without_a_focus_point_shows_the_danish_error(
        self, as_user, app, org, child_id, headers
    ):
        staff = as_user("staff")
        draft_id = _draft(app, org, child_id, LEVEL_2)
        response = staff.client.post(
            f"/assessments/{draft_id}/finish",
            data=_finish_form(staff, fp_text=["", "", ""], confirmed="1"),
            headers=headers,
        )
        assert response.status_code == 422
        soup = _soup(response)
        assert "mindst ét fokuspunkt" in by_id(soup, "error-focus-points").text
        assert _rows(app, Assessment)[0].status == AssessmentStatus.DRAFT
        assert (soup.find("html") is None) == bool(headers)

    @pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
    def test_the_confirmation_lists_the_focus_points_and_finishing_stores_them(
        self, as_user, app, org, child_id, headers
    ):
        staff = as_user("staff")
        draft_id = _draft(app, org, child_id, LEVEL_2)
        form = _finish_form(
            staff,
            fp_text=["Fast voksen ved aflevering", ""],
            fp_who=["Pia", ""],
            fp_responsible=[str(org.users["leader"]), ""],
            fp_due_on=["", ""],
            parents_involvement="informed",
            parents_on=local_today().isoformat(),
            parents_how="Samtale ved afhentning",
        )
        confirm = staff.client.post(f"/assessments/{draft_id}/finish", data=form, headers=headers)
        assert confirm.status_code == 200
        soup = _soup(confirm)
        assert "Fast voksen ved aflevering" in by_id(soup, "confirm-focus-points").text
        assert "Lene Leder" in by_id(soup, "confirm-focus-points").text
        assert "Orienteret" in by_id(soup, "confirm-parents").text
        # The confirmation's own form finishes with what it carries.
        data: dict[str, list[str]] = {}
        for field in soup.select("#confirm-finish-form input"):
            data.setdefault(str(field["name"]), []).append(str(field["value"]))
        done = staff.client.post(
            f"/assessments/{draft_id}/finish", data=data, follow_redirects=False
        )
        assert done.status_code == 303
        result = _soup(staff.client.get(f"/assessments/{draft_id}"))
        items = result.select("#focus-points li")
        assert len(items) == 1
        assert "Fast voksen ved aflevering" in items[0].text
        assert "orienteret" in by_id(result, "result-parents").text

    def test_a_critical_draft_offers_no_parents_fields_and_refuses_them(
        self, as_user, app, org, child_id
    ):
        staff = as_user("staff")
        draft_id = _draft(app, org, child_id, CRITICAL)
        page = _soup(staff.client.get(f"/assessments/{draft_id}"))
        assert page.select_one("#parents-informed") is None
        assert by_id(page, "parents-not-offered")
        response = staff.client.post(
            f"/assessments/{draft_id}/finish",
            data=_finish_form(
                staff,
                fp_text=["Underretning sendt"],
                parents_involvement="informed",
                parents_on=local_today().isoformat(),
                parents_how="Tlf.",
                confirmed="1",
            ),
        )
        assert response.status_code == 422
        assert _rows(app, ParentContact) == []

    def test_a_tick_that_makes_the_result_critical_hides_the_parents_fields(
        self, as_user, app, org, child_id
    ):
        staff = as_user("staff")
        draft_id = _draft(app, org, child_id, LEVEL_2)
        response = staff.client.post(
            f"/assessments/{draft_id}/observations",
            data={
                "csrf_token": staff.csrf_token,
                "indicator_id": CRITICAL[0],
                "observed": "1",
                "shown": "2:0",
            },
            headers=HX,
        )
        region = by_id(_soup(response), "parents-region")
        assert region["hx-swap-oob"] == "true"
        assert region.select_one("#parents-not-offered") is not None


class TestMarkDoneOnThePage:
    @pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
    def test_marking_a_focus_point_done(self, as_user, app, org, child_id, headers):
        staff = as_user("staff")
        draft_id = _draft(app, org, child_id, LEVEL_2)
        with db.session_scope(app.state.engine) as s:
            user = s.get_one(User, org.users["staff"])
            point_id = id_of(
                service.finish(
                    s, user, assessment_id=draft_id, focus_points=[_point()]
                ).focus_points[0]
            )
        response = staff.client.post(
            f"/focus-points/{point_id}/done",
            data={"csrf_token": staff.csrf_token},
            headers=headers,
            follow_redirects=False,
        )
        if headers:
            assert response.status_code == 200
            assert by_id(_soup(response), f"focus-point-{point_id}-done")
        else:
            assert response.status_code == 303
            page = _soup(staff.client.get(response.headers["location"]))
            assert by_id(page, f"focus-point-{point_id}-done")
        assert _rows(app, FocusPoint)[0].done_at is not None


class TestOfflineSync:
    def _sync(self, staff, draft_id: int, finish: dict[str, object], key: str):
        return staff.client.post(
            f"/api/v1/offline/assessments/{draft_id}/sync",
            json={"observed": LEVEL_2, "notes": "", "resources": "", "finish": finish},
            headers={**staff.headers, "Idempotency-Key": key},
        )

    def test_a_device_that_asks_needs_a_focus_point_and_one_that_does_not_still_finishes(
        self, as_user, app, org, child_id
    ):
        staff = as_user("staff")
        draft_id = _draft(app, org, child_id, [])
        refused = self._sync(staff, draft_id, {"focus_points": []}, "k-1")
        assert refused.status_code == 422
        assert _rows(app, Assessment)[0].status == AssessmentStatus.DRAFT
        done = self._sync(
            staff, draft_id, {"focus_points": [{"text": "Fast voksen om morgenen"}]}, "k-2"
        )
        assert done.status_code == 200, done.text
        assert done.json()["focus_points"][0]["text"] == "Fast voksen om morgenen"

        other = _draft(app, org, child_id, [])
        assert self._sync(staff, other, {}, "k-3").status_code == 200
