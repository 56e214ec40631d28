"""Every user changes their own password: the current one first, the rules for the new one,
the other sessions ended, throttled like a login, audited."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient
from sqlmodel import select

from app import db
from app.audit.models import AuditEvent
from app.audit.tags import AuditTag
from tests.factories import TEST_PASSWORD
from tests.html import attr, one

NEW = "en-helt-ny-adgangskode"


def _change(user, current=TEST_PASSWORD, new=NEW, repeat=None, csrf=True):
    data = {
        "current_password": current,
        "new_password": new,
        "repeat_password": NEW if repeat is None else repeat,
    }
    if csrf:
        data["csrf_token"] = user.csrf_token
    return user.client.post("/account/password", data=data, follow_redirects=False)


def _errors(response) -> dict[str, str]:
    soup = BeautifulSoup(response.text, "html.parser")
    return {
        attr(span, "id").removeprefix("error-"): _text_after(span, "Fejl:")
        for span in soup.select(".form-error-message")
    }


def _text_after(span: Tag, label: str) -> str:
    return span.get_text(strip=True).removeprefix(label).strip()


def _api_login(app, username: str, password: str) -> int:
    with TestClient(app, base_url="http://127.0.0.1") as client:
        response = client.post("/api/v1/session", json={"username": username, "password": password})
        return response.status_code


def _events(app, tag: AuditTag) -> list[AuditEvent]:
    with db.session_scope(app.state.engine) as s:
        rows = s.exec(select(AuditEvent).where(AuditEvent.action == tag.value)).all()
        for row in rows:
            s.expunge(row)
        return list(rows)


class TestThePage:
    def test_every_role_reaches_it_from_the_header(self, as_user):
        for username in ("staff", "social", "admin"):
            user = as_user(username)
            start = BeautifulSoup(user.client.get("/").text, "html.parser")
            link = one(start, "a.app-user-link")
            assert link.get_text() == "Skift adgangskode"
            page = BeautifulSoup(user.client.get(link["href"]).text, "html.parser")
            assert one(page, "h1").get_text() == "Skift adgangskode"
            fields = {i["name"]: i.get("autocomplete") for i in page.select("form input")}
            assert fields["current_password"] == "current-password"
            assert fields["new_password"] == fields["repeat_password"] == "new-password"

    def test_anonymous_visitors_are_sent_to_the_login(self, client, org):
        response = client.get("/account/password", follow_redirects=False)
        assert response.status_code in (303, 401)


class TestChanging:
    def test_the_new_password_works_the_old_does_not_and_this_session_stays(self, app, as_user):
        user = as_user("staff")
        response = _change(user)

        assert response.status_code == 303
        assert response.headers["location"] == "/account/password?changed=1"
        page = BeautifulSoup(user.client.get("/account/password?changed=1").text, "html.parser")
        assert "Din adgangskode er skiftet" in one(page, "#password-changed").get_text()
        assert _api_login(app, "staff", NEW) == 200
        assert _api_login(app, "staff", TEST_PASSWORD) == 401
        [event] = _events(app, AuditTag.USER_PASSWORD_CHANGE)
        assert event.actor_username == "staff"

    def test_the_users_other_sessions_end(self, as_user):
        tablet = as_user("staff")
        laptop = as_user("staff")
        other_user = as_user("leader")

        assert _change(laptop).status_code == 303

        assert tablet.client.get("/api/v1/session").status_code == 401
        assert laptop.client.get("/api/v1/session").status_code == 200
        assert other_user.client.get("/api/v1/session").status_code == 200

    def test_a_wrong_current_password_changes_nothing_and_is_audited(self, app, as_user):
        user = as_user("staff")
        response = _change(user, current="forkert-kodeord")

        assert response.status_code == 422
        assert _errors(response) == {"current_password": "Den nuværende adgangskode er forkert."}
        assert _api_login(app, "staff", TEST_PASSWORD) == 200
        assert len(_events(app, AuditTag.USER_PASSWORD_CHANGE_FAILED)) == 1
        assert _events(app, AuditTag.USER_PASSWORD_CHANGE) == []

    def test_wrong_current_passwords_are_throttled_like_logins(self, app, as_user):
        user = as_user("staff")
        for _ in range(5):
            assert _change(user, current="forkert-kodeord").status_code == 422

        response = _change(user)

        assert response.status_code == 429
        assert "For mange mislykkede" in response.text
        assert _api_login(app, "staff", NEW) in (401, 429)

    def test_the_new_password_follows_the_rules(self, app, as_user):
        user = as_user("staff")
        cases = [
            ({"new": "kort", "repeat": "kort"}, "new_password", "mindst 10 tegn"),
            (
                {"new": TEST_PASSWORD, "repeat": TEST_PASSWORD},
                "new_password",
                "ikke den, du har nu",
            ),
            ({"repeat": "en-anden-adgangskode"}, "repeat_password", "ikke ens"),
        ]
        for fields, field, words in cases:
            response = _change(user, **fields)
            assert response.status_code == 422, fields
            errors = _errors(response)
            assert list(errors) == [field], fields
            assert words in errors[field], fields
        assert _api_login(app, "staff", TEST_PASSWORD) == 200

    def test_without_the_csrf_token_nothing_changes(self, app, as_user):
        response = _change(as_user("staff"), csrf=False)

        assert response.status_code == 403
        assert _api_login(app, "staff", TEST_PASSWORD) == 200
