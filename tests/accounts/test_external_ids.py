"""The organisation units' external ids (what the identity provider's claims carry): the
admin API and the organisation page; and what an admin may not do to a provider's user."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app import db
from app.accounts.models import Institution, Role, User
from app.audit.models import AuditEvent
from tests.factories import make_user
from tests.html import one

UNIT = "5d0b9a51-1c2e-4c1e-9d8e-2f0d2c3b4a51"


class TestOrganisationApi:
    def test_others_than_admins_are_refused(self, as_user, org):
        staff = as_user("staff")
        assert staff.client.get("/api/v1/admin/organisation").status_code == 403
        patch = staff.client.patch(
            f"/api/v1/admin/institutions/{org.daycare_id}",
            json={"external_id": UNIT},
            headers=staff.headers,
        )
        assert patch.status_code == 403

    def test_lists_districts_and_institutions_with_their_external_ids(self, as_user, org):
        admin = as_user("admin")
        body = admin.client.get("/api/v1/admin/organisation").json()
        assert {d["name"] for d in body["districts"]} == {"Nord", "Syd"}
        assert set(body["districts"][0]) == {"id", "name", "external_id"}
        daycare = next(i for i in body["institutions"] if i["id"] == org.daycare_id)
        assert daycare == {
            "id": org.daycare_id,
            "name": "Børnehuset Solsikken",
            "kind": "daycare",
            "district_id": org.nord_id,
            "external_id": None,
        }

    def test_patch_sets_and_clears_an_institutions_external_id(self, as_user, app, org):
        admin = as_user("admin")
        url = f"/api/v1/admin/institutions/{org.daycare_id}"
        answer = admin.client.patch(url, json={"external_id": f" {UNIT} "}, headers=admin.headers)
        assert answer.status_code == 200
        assert answer.json()["external_id"] == UNIT
        listed = admin.client.get("/api/v1/admin/organisation").json()["institutions"]
        assert next(i for i in listed if i["id"] == org.daycare_id)["external_id"] == UNIT
        cleared = admin.client.patch(url, json={"external_id": ""}, headers=admin.headers)
        assert cleared.json()["external_id"] is None
        with db.session_scope(app.state.engine) as s:
            details = s.exec(
                select(AuditEvent.detail).where(AuditEvent.action == "institution:update")
            ).all()
        assert details == [f"eksternt id: – → {UNIT}", f"eksternt id: {UNIT} → –"]

    def test_patch_sets_a_districts_external_id(self, as_user, org):
        admin = as_user("admin")
        answer = admin.client.patch(
            f"/api/v1/admin/districts/{org.nord_id}",
            json={"external_id": UNIT},
            headers=admin.headers,
        )
        assert answer.status_code == 200
        assert answer.json() == {"id": org.nord_id, "name": "Nord", "external_id": UNIT}

    @pytest.mark.parametrize("second", ["institutions/{school}", "districts/{nord}"])
    def test_a_duplicate_external_id_is_409_and_nothing_changes(self, as_user, app, org, second):
        admin = as_user("admin")
        first = admin.client.patch(
            f"/api/v1/admin/institutions/{org.daycare_id}",
            json={"external_id": UNIT},
            headers=admin.headers,
        )
        assert first.status_code == 200
        path = second.format(school=org.school_id, nord=org.nord_id)
        clash = admin.client.patch(
            f"/api/v1/admin/{path}", json={"external_id": UNIT}, headers=admin.headers
        )
        assert clash.status_code == 409
        error = clash.json()["error"]
        assert error["code"] == "external_id_taken"
        assert error["message"] == "Det eksterne id er allerede brugt af en anden enhed."
        with db.session_scope(app.state.engine) as s:
            school = s.get(Institution, org.school_id)
            assert school is not None
            assert school.external_id is None

    @pytest.mark.parametrize(
        "body", [{"external_id": "med mellemrum"}, {"external_id": 5}, {"external_id": "x", "y": 1}]
    )
    def test_bad_bodies_are_422(self, as_user, org, body):
        admin = as_user("admin")
        answer = admin.client.patch(
            f"/api/v1/admin/institutions/{org.daycare_id}", json=body, headers=admin.headers
        )
        assert answer.status_code == 422
        assert answer.json()["error"]["details"]

    def test_an_unknown_unit_is_404(self, as_user, org):
        admin = as_user("admin")
        for path in ("institutions/9999", "districts/9999"):
            answer = admin.client.patch(
                f"/api/v1/admin/{path}", json={"external_id": UNIT}, headers=admin.headers
            )
            assert answer.status_code == 404

    def test_without_the_csrf_header_nothing_changes(self, as_user, org):
        admin = as_user("admin")
        answer = admin.client.patch(
            f"/api/v1/admin/institutions/{org.daycare_id}", json={"external_id": UNIT}
        )
        assert answer.status_code == 403


class TestOrganisationPage:
    @pytest.mark.parametrize("htmx", [False, True])
    def test_an_admin_sets_an_institutions_external_id(self, as_user, org, htmx):
        admin = as_user("admin")
        headers = {"HX-Request": "true"} if htmx else {}
        answer = admin.client.post(
            f"/admin/institutions/{org.daycare_id}/external-id",
            data={"external_id": UNIT, "csrf_token": admin.csrf_token},
            headers=headers,
            follow_redirects=False,
        )
        if htmx:
            assert answer.headers["HX-Redirect"] == "/admin/organisation"
        else:
            assert answer.status_code == 303
        page = admin.client.get("/admin/organisation")
        soup = BeautifulSoup(page.text, "html.parser")
        assert one(soup, f"#input-institution-external-{org.daycare_id}")["value"] == UNIT

    @pytest.mark.parametrize("htmx", [False, True])
    def test_a_duplicate_shows_a_danish_error_beside_the_field(self, as_user, org, htmx):
        admin = as_user("admin")
        admin.client.post(
            f"/admin/districts/{org.nord_id}/external-id",
            data={"external_id": UNIT, "csrf_token": admin.csrf_token},
        )
        headers = {"HX-Request": "true"} if htmx else {}
        answer = admin.client.post(
            f"/admin/institutions/{org.school_id}/external-id",
            data={"external_id": UNIT, "csrf_token": admin.csrf_token},
            headers=headers,
        )
        assert answer.status_code == 409
        soup = BeautifulSoup(answer.text, "html.parser")
        field = one(soup, f"#field-institution-external-{org.school_id}")
        assert "Det eksterne id er allerede brugt af en anden enhed." in field.get_text()

    def test_the_form_needs_the_csrf_token(self, as_user, org):
        admin = as_user("admin")
        answer = admin.client.post(
            f"/admin/districts/{org.nord_id}/external-id", data={"external_id": UNIT}
        )
        assert answer.status_code == 403

    def test_a_too_long_external_id_is_refused_on_the_page(self, as_user, org):
        admin = as_user("admin")
        answer = admin.client.post(
            f"/admin/districts/{org.nord_id}/external-id",
            data={"external_id": "x" * 101, "csrf_token": admin.csrf_token},
        )
        assert answer.status_code == 422
        field = one(
            BeautifulSoup(answer.text, "html.parser"), f"#field-district-external-{org.nord_id}"
        )
        assert "højst være 100 tegn" in field.get_text()


class TestProviderUsersHaveNoLocalPassword:
    @pytest.fixture
    def provider_user(self, app, org) -> int:
        with db.session_scope(app.state.engine) as s:
            user = make_user(s, "oidc-sofie", Role.ADMIN)
            user.password_hash = ""
            user.oidc_subject = "sub-sofie"
            s.add(user)
            s.flush()
            assert user.id is not None
            return user.id

    def test_an_admin_cannot_set_their_password(self, as_user, app, provider_user):
        admin = as_user("admin")
        page = admin.client.get(f"/admin/users/{provider_user}")
        soup = BeautifulSoup(page.text, "html.parser")
        assert soup.select_one("#password-form") is None
        assert "kommunens login" in one(soup, "#oidc-user-note").get_text()
        answer = admin.client.post(
            f"/admin/users/{provider_user}/password",
            data={"password": "en-ny-lang-adgangskode", "csrf_token": admin.csrf_token},
        )
        assert answer.status_code == 409
        with db.session_scope(app.state.engine) as s:
            user = s.get(User, provider_user)
            assert user is not None
            assert user.password_hash == ""

    def test_they_cannot_log_in_with_a_password(self, client, provider_user):
        answer = client.post("/api/v1/session", json={"username": "oidc-sofie", "password": "x"})
        assert answer.status_code == 401
