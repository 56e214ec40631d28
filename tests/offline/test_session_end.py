"""A session that ends while the questionnaire is open (idle timeout, logged out elsewhere):
the page's requests are answered 401 ``session_expired`` (never a CSRF refusal, never a
redirect that drops the page), the expiry is audited once, and a plain form post leads to the
login and back to the page it was sent from."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from app import db
from app.accounts.models import UserSession
from app.audit.models import AuditEvent
from app.audit.tags import AuditTag
from tests.factories import make_child


@pytest.fixture
def staff(as_user):
    return as_user("staff")


@pytest.fixture
def draft_id(app, org, staff) -> int:
    with db.session_scope(app.state.engine) as s:
        child_id = make_child(s, org.daycare_id, org.users["staff"], age_years=4).id
    response = staff.client.post(
        f"/children/{child_id}/assessments",
        data={"csrf_token": staff.csrf_token},
        follow_redirects=False,
    )
    return int(response.headers["location"].rsplit("/", 1)[1])


def _idle_out(app) -> None:
    """Every live session was last seen a day ago: past the idle timeout."""
    with db.session_scope(app.state.engine) as s:
        for row in s.exec(select(UserSession).where(UserSession.revoked_at == None)).all():  # noqa: E711
            row.last_seen_at = row.last_seen_at - dt.timedelta(days=1)
            s.add(row)


def _expiries(app) -> list[AuditEvent]:
    with db.session_scope(app.state.engine) as s:
        found = s.exec(
            select(AuditEvent).where(AuditEvent.action == AuditTag.SESSION_EXPIRED.value)
        ).all()
        for event in found:
            s.expunge(event)
        return list(found)


def _tick(user, draft_id: int, **headers: str):
    return user.client.post(
        f"/assessments/{draft_id}/observations",
        data={"indicator_id": "x", "observed": "1"},
        headers={"HX-Request": "true", **user.headers, **headers},
        follow_redirects=False,
    )


class TestAnEndedSession:
    def test_an_htmx_save_after_the_idle_timeout_is_401_session_expired(self, app, staff, draft_id):
        _idle_out(app)
        response = _tick(staff, draft_id)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "session_expired"
        assert "log ind igen" in response.json()["error"]["message"]
        assert "HX-Redirect" not in response.headers  # the page stays, with what was typed

    def test_the_expiry_is_audited_once_though_the_request_was_refused(
        self, app, staff, draft_id, org
    ):
        _idle_out(app)
        _tick(staff, draft_id)
        _tick(staff, draft_id)
        [event] = _expiries(app)
        assert event.actor_id == org.users["staff"]
        assert event.detail == "inaktiv"

    def test_the_sync_of_a_session_logged_out_elsewhere_is_401_session_expired(
        self, staff, draft_id
    ):
        cookie = staff.client.cookies.get("trivsel_session")
        assert staff.client.delete("/api/v1/session", headers=staff.headers).status_code == 204
        staff.client.cookies.set("trivsel_session", cookie)  # the other tab still has it
        response = staff.client.post(
            f"/api/v1/offline/assessments/{draft_id}/sync",
            json={"observed": []},
            headers={**staff.headers, "Idempotency-Key": "k"},
        )
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "session_expired"

    def test_a_page_whose_cookie_is_gone_is_told_so_too(self, staff, draft_id):
        staff.client.cookies.clear()  # logged out in another tab of the same browser
        response = _tick(staff, draft_id)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "session_expired"

    def test_finishing_by_a_plain_form_post_leads_to_the_login_and_back(self, app, staff, draft_id):
        _idle_out(app)
        response = staff.client.post(
            f"/assessments/{draft_id}/finish",
            data={"csrf_token": staff.csrf_token, "level": "1"},
            headers={"Referer": f"http://127.0.0.1/assessments/{draft_id}"},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next=/assessments/{draft_id}&expired=1"


class TestStillRefused:
    def test_a_form_post_without_any_session_or_token_is_still_a_csrf_refusal(self, client):
        response = client.post("/login", data={"username": "x", "password": "y"})
        assert response.status_code == 403

    def test_a_live_session_without_its_token_is_still_403(self, staff, draft_id):
        response = staff.client.post(
            f"/assessments/{draft_id}/observations",
            data={"indicator_id": "x", "observed": "1"},
            headers={"HX-Request": "true", "X-CSRF-Token": "wrong"},
        )
        assert response.status_code == 403


class TestTheIdleTimeoutIsOnThePage:
    def test_the_page_knows_when_the_session_would_end(self, app, staff, draft_id):
        page = staff.client.get(f"/assessments/{draft_id}").text
        minutes = app.state.settings.session_idle_minutes
        assert f'data-idle-seconds="{minutes * 60}"' in page
