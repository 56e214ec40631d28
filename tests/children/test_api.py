"""``/api/v1/children``: the contract of api.md."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlmodel import func, select

from app import db
from app.accounts.models import User
from app.audit.models import AuditEvent
from app.catalogs import service as catalogs
from app.children.models import Child
from app.db import local_today
from app.idempotency import IdempotentRequest
from tests.accounts.test_login import csrf_from_login_page
from tests.factories import id_of, make_child, make_draft, make_finished_assessment, signs

NEW_CHILD = {"first_name": "Ida", "last_name": "Madsen", "birth_date": "2021-03-14"}


def post_child(user, body, key: str | None = None):
    headers = dict(user.headers)
    if key is not None:
        headers["Idempotency-Key"] = key
    return user.client.post("/api/v1/children", json=body, headers=headers)


def count(app, model) -> int:
    with db.session_scope(app.state.engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def child_of(app, org):
    """A committed child of an institution, created by one of its users."""

    def _make(institution: str = "daycare", creator: str = "staff", **kwargs) -> int:
        with db.session_scope(app.state.engine) as s:
            child = make_child(s, getattr(org, f"{institution}_id"), org.users[creator], **kwargs)
            return id_of(child)

    return _make


class TestCreateChild:
    def test_anonymous_is_401(self, client, app, org):
        token = csrf_from_login_page(client)
        response = client.post("/api/v1/children", json=NEW_CHILD, headers={"X-CSRF-Token": token})
        assert response.status_code == 401
        assert count(app, Child) == 0

    @pytest.mark.parametrize("role", ["social", "admin"])
    def test_social_workers_and_admins_are_403(self, as_user, app, role):
        response = post_child(as_user(role), NEW_CHILD)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
        assert count(app, Child) == 0

    def test_without_the_csrf_header_is_403(self, as_user, app):
        response = as_user("staff").client.post("/api/v1/children", json=NEW_CHILD)
        assert response.status_code == 403
        assert count(app, Child) == 0

    def test_another_institution_is_404_and_nothing_is_stored(self, as_user, app, org):
        response = post_child(as_user("staff"), {**NEW_CHILD, "institution_id": org.school_id})
        assert response.status_code == 404
        assert count(app, Child) == 0

    @pytest.mark.parametrize("field", ["first_name", "last_name", "birth_date"])
    def test_a_missing_field_is_422_naming_it(self, as_user, field):
        body = {k: v for k, v in NEW_CHILD.items() if k != field}
        response = post_child(as_user("staff"), body)
        assert response.status_code == 422
        assert [d["field"] for d in response.json()["error"]["details"]] == [field]

    def test_a_blank_name_is_422_naming_it(self, as_user):
        response = post_child(as_user("staff"), {**NEW_CHILD, "last_name": "   "})
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "last_name"

    def test_a_birth_date_in_the_future_is_422(self, as_user, app):
        future = (local_today() + dt.timedelta(days=30)).isoformat()
        response = post_child(as_user("staff"), {**NEW_CHILD, "birth_date": future})
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "birth_date"
        assert count(app, Child) == 0

    def test_an_unknown_field_is_422(self, as_user):
        response = post_child(as_user("staff"), {**NEW_CHILD, "cpr": "1403211234"})
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "cpr"

    def test_staff_create_a_child_in_their_own_institution(self, as_user, org, app):
        response = post_child(as_user("staff"), NEW_CHILD)
        assert response.status_code == 201
        body = response.json()
        assert set(body) == {
            "id",
            "first_name",
            "last_name",
            "birth_date",
            "institution_id",
            "created_at",
            "left_on",
        }
        assert body["institution_id"] == org.daycare_id
        assert (body["first_name"], body["last_name"], body["birth_date"]) == (
            "Ida",
            "Madsen",
            "2021-03-14",
        )
        assert dt.datetime.fromisoformat(body["created_at"]).utcoffset() == dt.timedelta(0)
        with db.session_scope(app.state.engine) as s:
            child = s.get_one(Child, body["id"])
            assert child is not None
            assert child.created_by == org.users["staff"]

    def test_naming_the_own_institution_is_allowed(self, as_user, org):
        response = post_child(as_user("leader"), {**NEW_CHILD, "institution_id": org.daycare_id})
        assert response.status_code == 201
        assert response.json()["institution_id"] == org.daycare_id

    def test_the_create_is_audited(self, as_user, app):
        child_id = post_child(as_user("staff"), NEW_CHILD).json()["id"]
        with db.session_scope(app.state.engine) as s:
            actions = s.exec(select(AuditEvent.action).where(AuditEvent.child_id == child_id)).all()
        assert actions == ["child:create"]


class TestCreateChildIdempotently:
    def test_a_key_over_200_characters_is_422(self, as_user, app):
        response = post_child(as_user("staff"), NEW_CHILD, key="k" * 201)
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "Idempotency-Key"
        assert count(app, Child) == 0

    def test_the_same_key_with_another_body_is_409(self, as_user, app):
        staff = as_user("staff")
        assert post_child(staff, NEW_CHILD, key="opret-ida").status_code == 201
        response = post_child(staff, {**NEW_CHILD, "first_name": "Ib"}, key="opret-ida")
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "idempotency_key_reused"
        assert count(app, Child) == 1

    def test_a_retry_answers_the_first_result_and_creates_nothing(self, as_user, app):
        staff = as_user("staff")
        first = post_child(staff, NEW_CHILD, key="opret-ida")
        again = post_child(staff, NEW_CHILD, key="opret-ida")
        assert first.status_code == 201
        assert again.status_code in (200, 201)
        assert again.json() == first.json()
        assert count(app, Child) == 1
        assert count(app, IdempotentRequest) == 1

    def test_a_key_is_per_user(self, as_user, app):
        first = post_child(as_user("staff"), NEW_CHILD, key="opret-ida")
        second = post_child(as_user("leader"), NEW_CHILD, key="opret-ida")
        assert first.status_code == second.status_code == 201
        assert first.json()["id"] != second.json()["id"]
        assert count(app, Child) == 2

    def test_a_refused_create_stores_no_key(self, as_user, app, org):
        staff = as_user("staff")
        refused = post_child(staff, {**NEW_CHILD, "institution_id": org.school_id}, key="k1")
        assert refused.status_code == 404
        assert count(app, IdempotentRequest) == 0
        assert post_child(staff, NEW_CHILD, key="k1").status_code == 201

    def test_without_a_key_every_post_creates_a_child(self, as_user, app):
        staff = as_user("staff")
        assert post_child(staff, NEW_CHILD).status_code == 201
        assert post_child(staff, NEW_CHILD).status_code == 201
        assert count(app, Child) == 2


class TestListChildren:
    def test_anonymous_is_401(self, client, org):
        assert client.get("/api/v1/children").status_code == 401

    @pytest.mark.parametrize("role", ["social", "admin"])
    def test_social_workers_and_admins_are_403(self, as_user, role):
        assert as_user(role).client.get("/api/v1/children").status_code == 403

    def test_only_the_callers_institution_by_name(self, as_user, child_of):
        child_of(first_name="Vigga", last_name="Thomsen")
        child_of(first_name="Alma", last_name="Jensen")
        child_of("school", "teacher", first_name="Bo", last_name="Skov")
        listed = as_user("leader").client.get("/api/v1/children").json()
        assert [c["first_name"] for c in listed] == ["Alma", "Vigga"]

    def test_q_searches_by_name(self, as_user, child_of):
        child_of(first_name="Vigga", last_name="Thomsen")
        child_of(first_name="Alma", last_name="Jensen")
        listed = as_user("staff").client.get("/api/v1/children", params={"q": "thom"}).json()
        assert [c["last_name"] for c in listed] == ["Thomsen"]


class TestReadChild:
    def test_anonymous_is_401(self, client, child_of):
        assert client.get(f"/api/v1/children/{child_of()}").status_code == 401

    @pytest.mark.parametrize("role", ["social", "admin"])
    def test_social_workers_and_admins_are_403(self, as_user, child_of, role):
        assert as_user(role).client.get(f"/api/v1/children/{child_of()}").status_code == 403

    @pytest.mark.parametrize("name", ["teacher", "staff_syd"])
    def test_another_institutions_child_is_404(self, as_user, child_of, name):
        response = as_user(name).client.get(f"/api/v1/children/{child_of()}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"

    def test_an_unknown_child_is_404(self, as_user, org):
        assert as_user("staff").client.get("/api/v1/children/999999").status_code == 404

    def test_the_leader_sees_a_child_registered_by_staff(self, as_user, org):
        child_id = post_child(as_user("staff"), NEW_CHILD).json()["id"]
        response = as_user("leader").client.get(f"/api/v1/children/{child_id}")
        assert response.status_code == 200
        body = response.json()
        assert (body["id"], body["first_name"], body["institution_id"]) == (
            child_id,
            "Ida",
            org.daycare_id,
        )
        assert body["assessments"] == []

    def test_assessments_newest_first_with_the_callers_own_draft(
        self, app, org, client, as_user, child_of
    ):
        child_id = child_of(age_years=4)
        [sign] = signs(level=3)
        with db.session_scope(app.state.engine) as s:
            staff = s.get_one(User, org.users["staff"])
            child = s.get_one(Child, child_id)
            older = make_finished_assessment(s, staff, child, observed=[])
            older.created_at = older.created_at - dt.timedelta(days=7)
            s.add(older)
            newer = make_finished_assessment(s, staff, child, observed=[sign])
            leader = s.get_one(User, org.users["leader"])
            draft = make_draft(s, leader, child)
            ids = [draft.id, newer.id, older.id]
        body = as_user("leader").client.get(f"/api/v1/children/{child_id}").json()
        assert [a["id"] for a in body["assessments"]] == ids
        assert [a["status"] for a in body["assessments"]] == ["draft", "finished", "finished"]
        assert [a["level"] for a in body["assessments"][1:]] == [3, 1]
        assert body["assessments"][1]["observed_indicators"][0]["id"] == sign
        assert body["assessments"][1]["catalog"] == {
            "id": "3-5",
            "version": catalogs.shipped_guide().catalog("3-5").version,
        }
        assert body["age_years"] == 4

    def test_a_colleagues_draft_and_its_notes_are_not_listed(
        self, app, org, client, as_user, child_of
    ):
        child_id = child_of(age_years=4)
        with db.session_scope(app.state.engine) as s:
            staff = s.get_one(User, org.users["staff"])
            child = s.get_one(Child, child_id)
            finished = make_finished_assessment(s, staff, child, observed=signs(level=2))
            draft = make_draft(
                s, staff, child, observed=signs(level=3), notes="Mor virkede påvirket."
            )
            finished_id, draft_id = finished.id, draft.id
        leader = as_user("leader").client
        body = leader.get(f"/api/v1/children/{child_id}").json()
        assert [a["id"] for a in body["assessments"]] == [finished_id]
        assert "Mor virkede påvirket." not in json.dumps(body)
        response = leader.get(f"/api/v1/assessments/{draft_id}")
        assert response.status_code == 403
        assert "Mor virkede påvirket." not in response.text
        assert response.json()["error"]["code"] == "forbidden"
        own = as_user("staff").client.get(f"/api/v1/assessments/{draft_id}").json()
        assert own["notes"] == "Mor virkede påvirket."

    def test_the_read_is_audited_with_the_child(self, app, as_user, child_of, org):
        child_id = child_of()
        as_user("leader").client.get(f"/api/v1/children/{child_id}")
        with db.session_scope(app.state.engine) as s:
            events = s.exec(
                select(AuditEvent).where(
                    AuditEvent.action == "child:view", AuditEvent.child_id == child_id
                )
            ).all()
        assert [e.actor_id for e in events] == [org.users["leader"]]


class TestOpenAPI:
    @pytest.mark.parametrize(
        ("path", "method", "status"),
        [
            ("/api/v1/children", "post", "201"),
            ("/api/v1/children", "get", "200"),
            ("/api/v1/children/{child_id}", "get", "200"),
        ],
    )
    def test_every_children_endpoint_has_a_response_schema(self, client, path, method, status):
        operation = client.get("/openapi.json").json()["paths"][path][method]
        assert operation["responses"][status]["content"]["application/json"]["schema"]

    def test_create_documents_its_request_body_and_the_idempotency_key(self, client):
        operation = client.get("/openapi.json").json()["paths"]["/api/v1/children"]["post"]
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ChildCreate"}
        assert "Idempotency-Key" in [p["name"] for p in operation["parameters"]]
