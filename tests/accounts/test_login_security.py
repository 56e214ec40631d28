"""Security review fixes of the login: the page after login stays on this site, and a new
login in the same browser ends the session it replaces."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.accounts.views.login import safe_next
from tests.conftest import login
from tests.factories import TEST_PASSWORD
from tests.html import one

# Each of these leads a browser to another origin once it has dropped tabs and newlines and
# read a backslash as a slash, or is no path at all.
OFF_SITE = [
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/\r\n/evil.example",
    "\t//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "//evil.example",
    "///evil.example",
    "/\x00/evil.example",
    "/\x7f/evil.example",
    "/\x85/evil.example",
    "https://evil.example/",
    "evil.example",
    " /evil.example",
    "",
]


def _csrf(client: TestClient) -> str:
    page = BeautifulSoup(client.get("/login").text, "html.parser")
    return str(one(page, "input[name=csrf_token]")["value"])


class TestSafeNext:
    @pytest.mark.parametrize("target", OFF_SITE)
    def test_anything_that_can_leave_the_site_becomes_the_start_page(self, target):
        assert safe_next(target) == "/"

    @pytest.mark.parametrize(
        ("target", "expected"),
        [
            ("/children", "/children"),
            ("/children?q=Bo&page=2#liste", "/children?q=Bo&page=2#liste"),
            ("/%E2%82%AC", "/%E2%82%AC"),
            ("/€", "/%E2%82%AC"),
            ("/børn og unge", "/b%C3%B8rn%20og%20unge"),
        ],
    )
    def test_a_local_path_is_kept_and_percent_encoded(self, target, expected):
        assert safe_next(target) == expected


class TestNextAfterLogin:
    @pytest.mark.parametrize("target", ["/\t/evil.example/", "/\\evil.example", "/\n/x"])
    def test_login_form_never_sends_the_browser_off_site(self, client, org, target):
        response = client.post(
            "/login",
            data={
                "username": "staff",
                "password": TEST_PASSWORD,
                "csrf_token": _csrf(client),
                "next": target,
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/"

    def test_the_login_page_does_not_carry_an_encoded_tab_on(self, client, org):
        page = client.get("/login?next=/%09/evil.example/")
        field = one(BeautifulSoup(page.text, "html.parser"), "input[name=next]")
        assert field["value"] == "/"

    def test_a_non_ascii_next_is_a_redirect_not_a_server_error(self, client, org):
        login(client, "staff")
        response = client.get("/login?next=/%E2%82%AC", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/%E2%82%AC"

    def test_a_non_ascii_next_after_the_login_form_is_percent_encoded(self, client, org):
        response = client.post(
            "/login",
            data={
                "username": "staff",
                "password": TEST_PASSWORD,
                "csrf_token": _csrf(client),
                "next": "/€",
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/%E2%82%AC"


class TestLoginInTheSameBrowser:
    def test_api_login_as_another_user_ends_the_first_session(self, client, org):
        login(client, "staff")
        first_cookie = client.cookies.get("trivsel_session")
        login(client, "leader")
        assert client.get("/api/v1/session").json()["user"]["username"] == "leader"
        client.cookies.clear()
        client.cookies.set("trivsel_session", first_cookie)
        assert client.get("/api/v1/session").status_code == 401

    def test_page_login_as_another_user_ends_the_first_session(self, client, org):
        first = login(client, "staff")
        first_cookie = client.cookies.get("trivsel_session")
        response = client.post(
            "/login",
            data={"username": "leader", "password": TEST_PASSWORD, "csrf_token": first.csrf_token},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert client.get("/api/v1/session").json()["user"]["username"] == "leader"
        client.cookies.clear()
        client.cookies.set("trivsel_session", first_cookie)
        assert client.get("/api/v1/session").status_code == 401

    def test_a_failed_second_login_leaves_the_first_session_alone(self, client, org):
        login(client, "staff")
        response = client.post(
            "/api/v1/session", json={"username": "leader", "password": "forkert-kode"}
        )
        assert response.status_code == 401
        assert client.get("/api/v1/session").json()["user"]["username"] == "staff"
