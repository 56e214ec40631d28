"""The contacts API of api.md: who may replace and read an institution's contacts, what is
refused (422 naming the field) and the order institution → district → municipality."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app import db
from app.audit.models import AuditEvent
from app.contacts.models import Contact

RIKKE = {
    "role": "social_worker",
    "name": "Rikke Rådgiver",
    "phone": "+45 70 11 22 33",
    "email": "rikke@kommune.dk",
    "hours": "Mandag-torsdag 8-15",
}


def _put(user, institution_id, contacts):
    return user.client.put(
        f"/api/v1/admin/institutions/{institution_id}/contacts",
        json={"contacts": contacts},
        headers=user.headers,
    )


class TestReplaceContacts:
    @pytest.mark.parametrize("username", ["staff", "leader", "social"])
    def test_only_admins_may_replace(self, as_user, org, username):
        response = _put(as_user(username), org.daycare_id, [RIKKE])
        assert response.status_code == 403
        assert response.json()["error"]["code"]

    def test_without_csrf_token_is_refused(self, as_user, org):
        admin = as_user("admin")
        response = admin.client.put(
            f"/api/v1/admin/institutions/{org.daycare_id}/contacts", json={"contacts": []}
        )
        assert response.status_code == 403

    @pytest.mark.parametrize(
        "phone", ["7011223", "701122334", "+46 70 11 22 33", "70-11-22-33", "01122334", "abc"]
    )
    def test_a_phone_that_is_not_danish_is_422_naming_it(self, app, as_user, org, phone):
        response = _put(as_user("admin"), org.daycare_id, [RIKKE | {"phone": phone}])
        assert response.status_code == 422
        fields = [d["field"] for d in response.json()["error"]["details"]]
        assert fields == ["contacts.0.phone"]
        with db.session_scope(app.state.engine) as s:
            assert s.exec(select(Contact)).all() == []

    def test_user_must_be_a_social_worker_of_the_district(self, as_user, org):
        admin = as_user("admin")
        for user_id in (org.users["social_syd"], org.users["staff"], 999_999):
            response = _put(admin, org.daycare_id, [RIKKE | {"user_id": user_id}])
            assert response.status_code == 422
            details = response.json()["error"]["details"]
            assert [d["field"] for d in details] == ["contacts.0.user_id"]

    def test_unknown_role_and_fields_are_422(self, as_user, org):
        admin = as_user("admin")
        assert _put(admin, org.daycare_id, [RIKKE | {"role": "priest"}]).status_code == 422
        assert _put(admin, org.daycare_id, [RIKKE | {"colour": "red"}]).status_code == 422
        assert _put(admin, org.daycare_id, [RIKKE | {"name": " "}]).status_code == 422
        assert _put(admin, org.daycare_id, [RIKKE | {"email": "ikke en mail"}]).status_code == 422

    def test_unknown_institution_is_404(self, as_user, org):
        assert _put(as_user("admin"), 999_999, [RIKKE]).status_code == 404

    def test_replaces_the_list_and_answers_it_as_get_does(self, app, as_user, org):
        admin = as_user("admin")
        _put(admin, org.daycare_id, [RIKKE | {"name": "Gammel"}])
        response = _put(
            admin,
            org.daycare_id,
            [
                RIKKE | {"user_id": org.users["social"]},
                {"role": "psychologist", "name": "Per Psykolog", "phone": "22334455"},
            ],
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body == admin.client.get(f"/api/v1/institutions/{org.daycare_id}/contacts").json()
        own = [c for c in body if c["scope"] == "institution"]
        assert own == [
            {
                "role": "social_worker",
                "name": "Rikke Rådgiver",
                "phone": "+4570112233",
                "email": "rikke@kommune.dk",
                "hours": "Mandag-torsdag 8-15",
                "user_id": org.users["social"],
                "scope": "institution",
            },
            {
                "role": "psychologist",
                "name": "Per Psykolog",
                "phone": "+4522334455",
                "email": None,
                "hours": None,
                "user_id": None,
                "scope": "institution",
            },
        ]
        with db.session_scope(app.state.engine) as s:
            tags = [e.action for e in s.exec(select(AuditEvent)).all()]
        assert tags.count("contacts:update") == 2


class TestReadContacts:
    @pytest.mark.parametrize("username", ["staff_syd", "social_syd", "teacher"])
    def test_others_get_404(self, as_user, org, username):
        response = as_user(username).client.get(f"/api/v1/institutions/{org.daycare_id}/contacts")
        assert response.status_code == 404

    def test_anonymous_is_401(self, client, org):
        assert client.get(f"/api/v1/institutions/{org.daycare_id}/contacts").status_code == 401

    @pytest.mark.parametrize("username", ["staff", "leader", "social", "admin"])
    def test_institution_then_district_then_municipality(self, as_user, org, username):
        admin = as_user("admin")
        _put(admin, org.daycare_id, [RIKKE])
        admin.client.put(
            f"/api/v1/admin/districts/{org.nord_id}/contacts",
            json={"contacts": [{"role": "health_visitor", "name": "Hanne Sundhedsplejerske"}]},
            headers=admin.headers,
        )
        response = as_user(username).client.get(f"/api/v1/institutions/{org.daycare_id}/contacts")
        assert response.status_code == 200
        body = response.json()
        assert [c["scope"] for c in body][:2] == ["institution", "district"]
        assert {c["scope"] for c in body[2:]} == {"municipality"}
        phones = [c["phone"] for c in body if c["scope"] == "municipality"]
        assert phones[-2:] == ["114", "112"]

    def test_another_institution_of_the_district_sees_the_district_not_the_daycare(
        self, as_user, org
    ):
        admin = as_user("admin")
        _put(admin, org.daycare_id, [RIKKE])
        body = (
            as_user("teacher").client.get(f"/api/v1/institutions/{org.school_id}/contacts").json()
        )
        assert [c for c in body if c["scope"] == "institution"] == []


class TestMunicipalityNumbers:
    def test_the_children_and_family_unit_comes_from_settings(self, settings, org):
        from fastapi.testclient import TestClient

        from app.main import create_app
        from tests.conftest import login

        configured = settings.model_copy(update={"children_family_unit_phone": "+4599999999"})
        application = create_app(configured)
        try:
            with TestClient(application, base_url="http://127.0.0.1") as test_client:
                staff = login(test_client, "staff")
                body = staff.client.get(f"/api/v1/institutions/{org.daycare_id}/contacts").json()
        finally:
            application.state.engine.dispose()
        municipality = [c for c in body if c["scope"] == "municipality"]
        assert [c["phone"] for c in municipality] == ["+4599999999", "114", "112"]
        assert municipality[0]["name"] == "Børne- og familieafdelingen"

    def test_a_unit_number_that_is_not_danish_is_refused_at_start(self):
        from pydantic import ValidationError

        from app.settings import Settings

        with pytest.raises(ValidationError, match="8 cifre"):
            Settings(_env_file=None, children_family_unit_phone="123")
