"""Logging in and out, through the pages and the JSON API."""

from __future__ import annotations

import datetime as dt

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import select

from app import db
from app.accounts.models import UserSession
from tests.conftest import login
from tests.factories import TEST_PASSWORD
from tests.html import one


def csrf_from_login_page(client: TestClient) -> str:
    page = client.get("/login")
    assert page.status_code == 200
    field = BeautifulSoup(page.text, "html.parser").select_one("input[name=csrf_token]")
    assert field is not None
    return str(field["value"])


class TestLoginPage:
    def test_form_post_without_csrf_token_is_refused(self, client, org):
        client.get("/login")
        response = client.post("/login", data={"username": "staff", "password": TEST_PASSWORD})
        assert response.status_code == 403
        assert "trivsel_session" not in client.cookies

    def test_wrong_password_shows_danish_error_and_keeps_username(self, client, org):
        token = csrf_from_login_page(client)
        response = client.post(
            "/login", data={"username": "staff", "password": "forkert-kode", "csrf_token": token}
        )
        assert response.status_code == 401
        soup = BeautifulSoup(response.text, "html.parser")
        assert one(soup, "#login-error").get_text(strip=True) == (
            "Forkert brugernavn eller adgangskode."
        )
        assert one(soup, "#input-username")["value"] == "staff"

    def test_unknown_user_gets_the_same_answer_as_a_wrong_password(self, client, org):
        token = csrf_from_login_page(client)
        unknown = client.post(
            "/login", data={"username": "ingen", "password": "forkert-kode", "csrf_token": token}
        )
        wrong = client.post(
            "/login", data={"username": "staff", "password": "forkert-kode", "csrf_token": token}
        )
        assert unknown.status_code == wrong.status_code == 401
        text = lambda r: one(BeautifulSoup(r.text, "html.parser"), "#login-error").text  # noqa: E731
        assert text(unknown) == text(wrong)

    def test_success_redirects_to_the_local_next_page_only(self, client, org):
        token = csrf_from_login_page(client)
        response = client.post(
            "/login",
            data={
                "username": "STAFF",
                "password": TEST_PASSWORD,
                "csrf_token": token,
                "next": "//evil.example/",
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/"
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie
        assert "samesite=lax" in cookie.lower()
        assert client.get("/").status_code == 200

    def test_htmx_login_answers_with_hx_redirect(self, client, org):
        token = csrf_from_login_page(client)
        response = client.post(
            "/login",
            data={"username": "staff", "password": TEST_PASSWORD, "csrf_token": token, "next": "/"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 204
        assert response.headers["HX-Redirect"] == "/"

    def test_pages_redirect_anonymous_users_to_login_with_next(self, client):
        response = client.get("/admin/users", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=/admin/users"

    def test_deactivated_user_cannot_log_in(self, client, org, app):
        from app.accounts.models import User

        with db.session_scope(app.state.engine) as s:
            user = s.get_one(User, org.users["staff"])
            user.is_active = False
        token = csrf_from_login_page(client)
        response = client.post(
            "/login", data={"username": "staff", "password": TEST_PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 401


class TestSessionApi:
    def test_login_returns_user_and_csrf_token(self, client, org):
        response = client.post(
            "/api/v1/session", json={"username": "social", "password": TEST_PASSWORD}
        )
        assert response.status_code == 200
        body = response.json()
        assert body["user"] == {
            "id": org.users["social"],
            "username": "social",
            "display_name": "Rikke Rådgiver",
            "role": "social_worker",
            "institution_id": None,
            "district_id": org.nord_id,
        }
        assert len(body["csrf_token"]) >= 32
        assert client.get("/api/v1/session").json()["user"]["username"] == "social"

    def test_wrong_credentials_are_401_with_the_same_message_for_unknown_users(self, client, org):
        wrong = client.post("/api/v1/session", json={"username": "staff", "password": "nej-nej"})
        unknown = client.post("/api/v1/session", json={"username": "nobody", "password": "nej"})
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json() == unknown.json()
        assert wrong.json()["error"]["code"] == "invalid_credentials"

    def test_unknown_fields_are_422(self, client, org):
        response = client.post(
            "/api/v1/session", json={"username": "staff", "password": TEST_PASSWORD, "admin": True}
        )
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "admin"

    def test_read_without_session_is_401(self, client):
        response = client.get("/api/v1/session")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"

    def test_logout_invalidates_the_session_server_side(self, client, org):
        user = login(client, "staff")
        stolen_cookie = client.cookies.get("trivsel_session")
        response = client.delete("/api/v1/session", headers=user.headers)
        assert response.status_code == 204
        client.cookies.set("trivsel_session", stolen_cookie)
        assert client.get("/api/v1/session").status_code == 401

    def test_logout_without_csrf_header_is_refused(self, client, org):
        login(client, "staff")
        response = client.delete("/api/v1/session")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "csrf_failed"
        assert client.get("/api/v1/session").status_code == 200

    def test_csrf_token_of_another_session_is_refused(self, app, client, org, as_user):
        other = as_user("leader")
        login(client, "staff")
        response = client.delete("/api/v1/session", headers=other.headers)
        assert response.status_code == 403

    def test_page_logout_ends_the_session(self, client, org):
        user = login(client, "staff")
        response = client.post(
            "/logout", data={"csrf_token": user.csrf_token}, follow_redirects=False
        )
        assert response.status_code == 303
        assert client.get("/api/v1/session").status_code == 401

    def test_deactivation_ends_live_sessions_at_once(self, org, as_user):
        staff = as_user("staff")
        admin = as_user("admin")
        response = admin.client.post(
            f"/admin/users/{org.users['staff']}/active",
            data={"active": "0", "csrf_token": admin.csrf_token},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert staff.client.get("/api/v1/session").status_code == 401

    def test_idle_session_expires(self, app, client, org):
        login(client, "staff")
        with db.session_scope(app.state.engine) as s:
            row = s.exec(select(UserSession)).one()
            row.last_seen_at = row.last_seen_at - dt.timedelta(minutes=31)
        assert client.get("/api/v1/session").status_code == 401
        page = client.get("/", follow_redirects=True)
        assert "ikke har været aktiv" in page.text

    def test_forged_cookie_is_ignored(self, client, org):
        client.cookies.set("trivsel_session", "forged.value")
        assert client.get("/api/v1/session").status_code == 401


class TestThrottling:
    def test_repeated_failures_for_one_user_name_are_429_with_retry_after(self, client, org):
        for _ in range(5):
            r = client.post("/api/v1/session", json={"username": "staff", "password": "forkert"})
            assert r.status_code == 401
        response = client.post(
            "/api/v1/session", json={"username": "staff", "password": TEST_PASSWORD}
        )
        assert response.status_code == 429
        assert int(response.headers["Retry-After"]) > 0
        assert response.json()["error"]["code"] == "too_many_requests"

    def test_other_user_names_are_not_locked_by_one_users_failures(self, client, org):
        for _ in range(5):
            client.post("/api/v1/session", json={"username": "staff", "password": "forkert"})
        assert (
            client.post(
                "/api/v1/session", json={"username": "leader", "password": TEST_PASSWORD}
            ).status_code
            == 200
        )

    def test_one_client_trying_many_user_names_is_throttled(self, client, org):
        for i in range(20):
            client.post("/api/v1/session", json={"username": f"gaet{i}", "password": "forkert"})
        response = client.post(
            "/api/v1/session", json={"username": "leader", "password": TEST_PASSWORD}
        )
        assert response.status_code == 429

    def test_login_page_shows_throttling_in_danish(self, client, org):
        token = csrf_from_login_page(client)
        for _ in range(5):
            client.post(
                "/login",
                data={"username": "staff", "password": "forkert-kode", "csrf_token": token},
            )
        response = client.post(
            "/login", data={"username": "staff", "password": TEST_PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 429
        assert "For mange mislykkede loginforsøg" in response.text
        assert "Retry-After" in response.headers
