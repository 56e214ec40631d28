"""``/api/v1/concerns``: the contract of api.md."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import func, select

from app import db
from app.accounts.models import User
from app.concerns.models import Concern
from app.db import local_today
from tests.factories import id_of, make_child, make_draft, make_finished_assessment, signs


@pytest.fixture
def assessment(app, org, client):
    """``(assessment id, child id)``: a new child's assessment, finished with one sign on
    ``level`` (or a draft with nothing ticked), committed."""

    def _make(level: int = 3, critical: bool = False, draft: bool = False) -> tuple[int, int]:
        with db.session_scope(app.state.engine) as s:
            child = make_child(
                s,
                org.daycare_id,
                org.users["staff"],
                first_name="Vigga",
                last_name="Thomsen",
                birth_date=dt.date(2021, 6, 7),
            )
            staff = s.get_one(User, org.users["staff"])
            if draft:
                return id_of(make_draft(s, staff, child)), id_of(child)
            observed = signs(level=level, critical=critical)
            finished = make_finished_assessment(s, staff, child, observed=observed)
            return id_of(finished), id_of(child)

    return _make


def _post(user, body, key=None):
    headers = dict(user.headers)
    if key:
        headers["Idempotency-Key"] = key
    return user.client.post("/api/v1/concerns", json=body, headers=headers)


def _count(app) -> int:
    with db.session_scope(app.state.engine) as s:
        return s.exec(select(func.count()).select_from(Concern)).one()


class TestCreate:
    def test_social_worker_and_admin_cannot_submit(self, as_user, assessment):
        a, _ = assessment()
        for name in ("social", "admin"):
            r = _post(
                as_user(name), {"assessment_id": a, "kind": "consultation", "message": "Trist."}
            )
            assert r.status_code == 403

    def test_without_csrf_header_is_403(self, as_user, assessment):
        a, _ = assessment()
        staff = as_user("staff")
        r = staff.client.post(
            "/api/v1/concerns", json={"assessment_id": a, "kind": "consultation", "message": "x"}
        )
        assert r.status_code == 403

    def test_unknown_kind_and_fields_are_422(self, as_user, assessment):
        a, _ = assessment()
        staff = as_user("staff")
        r = _post(staff, {"assessment_id": a, "kind": "letter", "message": "x"})
        assert r.status_code == 422
        r = _post(
            staff,
            {"assessment_id": a, "kind": "consultation", "message": "x", "child_name": "Vigga"},
        )
        assert r.status_code == 422

    def test_another_institutions_assessment_is_404(self, as_user, assessment):
        a, _ = assessment()
        r = _post(
            as_user("teacher"), {"assessment_id": a, "kind": "consultation", "message": "Trist."}
        )
        assert r.status_code == 404

    def test_a_draft_assessment_is_409(self, as_user, assessment):
        a, _ = assessment(draft=True)
        r = _post(
            as_user("staff"), {"assessment_id": a, "kind": "consultation", "message": "Trist."}
        )
        assert r.status_code == 409

    def test_parents_informed_on_a_critical_assessment_is_422(self, as_user, assessment, app):
        a, _ = assessment(level=4, critical=True)
        r = _post(
            as_user("staff"),
            {
                "assessment_id": a,
                "kind": "notification",
                "message": "Barnet fortæller om slag.",
                "parents_informed": True,
            },
        )
        assert r.status_code == 422
        assert r.json()["error"]["details"][0]["field"] == "parents_informed"
        assert _count(app) == 0

    def test_consultation_is_201_anonymous_with_no_deadlines(self, as_user, assessment, org):
        a, _ = assessment()
        r = _post(
            as_user("staff"),
            {"assessment_id": a, "kind": "consultation", "message": "Trist i flere uger."},
        )
        assert r.status_code == 201
        body = r.json()
        assert (body["kind"], body["status"], body["anonymous"]) == (
            "consultation",
            "received",
            True,
        )
        assert body["assessment_id"] == a
        assert body["district_id"] == org.nord_id
        assert body["deadlines"] == {}

    def test_notification_has_both_deadlines(self, as_user, assessment):
        a, _ = assessment(level=4)
        r = _post(
            as_user("staff"),
            {
                "assessment_id": a,
                "kind": "notification",
                "message": "Bekymret.",
                "parents_informed": True,
            },
        )
        assert r.status_code == 201
        deadlines = r.json()["deadlines"]
        assert set(deadlines) == {"assess_by", "acknowledge_by"}
        created = dt.datetime.fromisoformat(r.json()["created_at"])
        due = dt.datetime.fromisoformat(deadlines["assess_by"]["due"])
        assert due - created == dt.timedelta(hours=24)
        assert deadlines["assess_by"]["met"] is None

    def test_idempotent_retry_creates_one_concern(self, as_user, assessment, app):
        a, _ = assessment()
        staff = as_user("staff")
        body = {"assessment_id": a, "kind": "consultation", "message": "Trist længe."}
        first = _post(staff, body, key="k-1")
        again = _post(staff, body, key="k-1")
        assert first.status_code == 201
        assert again.status_code in (200, 201)
        assert again.json()["id"] == first.json()["id"]
        assert _count(app) == 1
        other = _post(staff, {**body, "message": "Noget andet."}, key="k-1")
        assert other.status_code == 409
        assert _count(app) == 1


class TestAnonymity:
    def test_the_json_a_social_worker_gets_has_no_identity(self, as_user, assessment):
        a, _ = assessment()
        r = _post(
            as_user("staff"),
            {
                "assessment_id": a,
                "kind": "consultation",
                "message": "Pigen er trist og trækker sig.",
            },
        )
        concern_id = r.json()["id"]
        social = as_user("social")
        for response in (
            social.client.get("/api/v1/concerns"),
            social.client.get(f"/api/v1/concerns/{concern_id}"),
        ):
            assert response.status_code == 200
            text = response.text
            for secret in (
                "Vigga",
                "Thomsen",
                "2021-06-07",
                "07.06.2021",
                '"child_id"',
                '"assessment_id"',
                '"child"',
            ):
                assert secret not in text


class TestList:
    def test_social_worker_gets_the_inbox_order_and_only_the_district(self, as_user, assessment):
        staff = as_user("staff")
        a1, _ = assessment()
        consultation = _post(
            staff, {"assessment_id": a1, "kind": "consultation", "message": "Trist."}
        ).json()
        a2, _ = assessment(level=4)
        plain = _post(
            staff,
            {
                "assessment_id": a2,
                "kind": "notification",
                "message": "Bekymret.",
                "parents_informed": True,
            },
        ).json()
        a3, _ = assessment(level=4, critical=True)
        critical = _post(
            staff, {"assessment_id": a3, "kind": "notification", "message": "Slag."}
        ).json()
        ids = [c["id"] for c in as_user("social").client.get("/api/v1/concerns").json()]
        assert ids == [critical["id"], plain["id"], consultation["id"]]
        assert as_user("social_syd").client.get("/api/v1/concerns").json() == []
        assert (
            as_user("social_syd").client.get(f"/api/v1/concerns/{plain['id']}").status_code == 404
        )

    def test_staff_see_what_their_institution_submitted(self, as_user, assessment):
        a, _ = assessment()
        _post(as_user("staff"), {"assessment_id": a, "kind": "consultation", "message": "x."})
        assert len(as_user("leader").client.get("/api/v1/concerns").json()) == 1
        assert as_user("teacher").client.get("/api/v1/concerns").json() == []


class TestTransitions:
    def test_legal_steps_then_an_illegal_one_is_409(self, as_user, assessment):
        a, _ = assessment(level=4)
        concern = _post(
            as_user("staff"),
            {
                "assessment_id": a,
                "kind": "notification",
                "message": "Bekymret.",
                "parents_informed": True,
            },
        ).json()
        social = as_user("social")
        url = f"/api/v1/concerns/{concern['id']}/transitions"
        r = social.client.post(
            url, json={"to": "assessed", "outcome": "no_action"}, headers=social.headers
        )
        assert r.status_code == 409
        assert r.json()["error"]["code"] == "illegal_transition"
        r = social.client.post(
            url, json={"to": "acknowledged", "note": "Modtaget."}, headers=social.headers
        )
        assert r.status_code == 200
        assert r.json()["status"] == "acknowledged"
        assert r.json()["deadlines"]["acknowledge_by"]["met"] is True
        r = social.client.post(
            url,
            json={
                "to": "assessed",
                "outcome": "family_dialogue",
                "feedback": "Vi tager kontakt til familien.",
            },
            headers=social.headers,
        )
        assert r.json()["status"] == "assessed"
        staff_view = as_user("staff").client.get(f"/api/v1/concerns/{concern['id']}").json()
        assert staff_view["feedback"] == "Vi tager kontakt til familien."
        assert staff_view["outcome"] == "family_dialogue"

    def test_staff_cannot_move_and_other_districts_get_404(self, as_user, assessment):
        a, _ = assessment()
        concern = _post(
            as_user("staff"), {"assessment_id": a, "kind": "consultation", "message": "Trist."}
        ).json()
        url = f"/api/v1/concerns/{concern['id']}/transitions"
        staff = as_user("staff")
        assert (
            staff.client.post(
                url, json={"to": "answered", "note": "x"}, headers=staff.headers
            ).status_code
            == 403
        )
        syd = as_user("social_syd")
        assert (
            syd.client.post(
                url, json={"to": "answered", "note": "x"}, headers=syd.headers
            ).status_code
            == 404
        )


class TestDialogues:
    def test_dialogue_on_a_critical_assessment_is_409(self, as_user, assessment):
        a, _ = assessment(level=4, critical=True)
        staff = as_user("staff")
        r = staff.client.post(
            f"/api/v1/assessments/{a}/dialogues",
            json={
                "held_on": local_today().isoformat(),
                "participants": "Mor",
                "agreed": "Intet.",
            },
            headers=staff.headers,
        )
        assert r.status_code == 409
        assert r.json()["error"]["code"] == "abuse_rule"

    def test_dialogue_is_201(self, as_user, assessment):
        a, _ = assessment(level=2)
        staff = as_user("staff")
        r = staff.client.post(
            f"/api/v1/assessments/{a}/dialogues",
            json={
                "held_on": local_today().isoformat(),
                "participants": "Mor, far",
                "agreed": "Fast sengetid.",
            },
            headers=staff.headers,
        )
        assert r.status_code == 201
        body = r.json()
        assert body["agreed"] == "Fast sengetid."
        assert (body["assessment_id"], body["participants"]) == (a, "Mor, far")
        assert (body["held_on"], body["follow_up_on"]) == (local_today().isoformat(), None)
        assert set(body) == {"id", "assessment_id", "held_on", "participants", "agreed"} | {
            "follow_up_on"
        }


class TestRevealCpr:
    def _notification(self, as_user, assessment, cpr="070621-4000"):
        a, _ = assessment(level=4)
        return _post(
            as_user("staff"),
            {
                "assessment_id": a,
                "kind": "notification",
                "message": "Bekymret.",
                "parents_informed": True,
                "cpr": cpr,
            },
        ).json()

    def test_everyone_gets_the_mask_only(self, as_user, assessment):
        concern = self._notification(as_user, assessment)
        for name in ("staff", "leader", "social"):
            body = as_user(name).client.get(f"/api/v1/concerns/{concern['id']}").json()
            assert body["child"]["cpr_masked"] == "070621-XXXX"
            assert "4000" not in str(body)

    def test_the_districts_social_worker_reveals_it_with_a_purpose(self, as_user, assessment):
        concern = self._notification(as_user, assessment)
        url = f"/api/v1/concerns/{concern['id']}/cpr"
        social = as_user("social")
        r = social.client.post(url, json={}, headers=social.headers)
        assert r.status_code == 422
        r = social.client.post(url, json={"purpose": "Oprettelse af sag"}, headers=social.headers)
        assert (r.status_code, r.json()) == (200, {"cpr": "070621-4000"})
        staff = as_user("staff")
        assert (
            staff.client.post(url, json={"purpose": "x"}, headers=staff.headers).status_code == 403
        )
        syd = as_user("social_syd")
        assert syd.client.post(url, json={"purpose": "x"}, headers=syd.headers).status_code == 404


class TestTypedShapes:
    def test_an_outcome_outside_the_five_is_422(self, as_user, assessment):
        a, _ = assessment(level=4)
        concern = _post(
            as_user("staff"),
            {"assessment_id": a, "kind": "notification", "message": "x", "parents_informed": True},
        ).json()
        social = as_user("social")
        url = f"/api/v1/concerns/{concern['id']}/transitions"
        social.client.post(url, json={"to": "acknowledged"}, headers=social.headers)
        r = social.client.post(url, json={"to": "assessed", "outcome": "x"}, headers=social.headers)
        assert r.status_code == 422
        assert r.json()["error"]["details"][0]["field"].endswith("outcome")

    def test_the_openapi_document_types_indicators_and_details(self, client):
        schemas = client.get("/openapi.json").json()["components"]["schemas"]
        read = schemas["ConcernRead"]["properties"]
        assert read["observed_indicators"]["items"] == {
            "$ref": "#/components/schemas/IndicatorRead"
        }
        assert {"$ref": "#/components/schemas/NotificationDetails"} in read["details"]["anyOf"]

    def test_a_critical_notification_over_the_api_is_at_least_urgent(self, as_user, assessment):
        a, _ = assessment(level=4, critical=True)
        body = _post(
            as_user("staff"), {"assessment_id": a, "kind": "notification", "message": "Slag."}
        ).json()
        assert body["details"]["urgency"] == "urgent"
