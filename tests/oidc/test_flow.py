"""Sign-in through a real OpenID provider (oidc-provider): the whole redirect flow and what
the app does with the claims; logout at the provider too."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app import db
from app.accounts.models import District, Institution, User, UserSession
from app.audit.models import AuditEvent
from app.main import create_app
from tests.factories import TEST_PASSWORD, Org, make_org
from tests.html import one
from tests.oidc.conftest import POST_LOGOUT_URI, REDIRECT_URI, Provider, oidc_settings

DAYCARE_UNIT = "8a5c1a0e-0000-4000-8000-000000000001"
SCHOOL_UNIT = "8a5c1a0e-0000-4000-8000-000000000002"
NORD_UNIT = "8a5c1a0e-0000-4000-8000-00000000000a"


@pytest.fixture
def org(oidc_app: FastAPI) -> Org:
    """The usual organisation, its daycare, school and Nord with external ids."""
    with db.session_scope(oidc_app.state.engine) as s:
        made = make_org(s)
        for model, row_id, unit in (
            (Institution, made.daycare_id, DAYCARE_UNIT),
            (Institution, made.school_id, SCHOOL_UNIT),
            (District, made.nord_id, NORD_UNIT),
        ):
            row = s.get(model, row_id)
            assert row is not None
            row.external_id = unit
            s.add(row)
        return made


def _session(app: FastAPI) -> Session:
    return Session(app.state.engine)


def _user(app: FastAPI, subject: str) -> User | None:
    with _session(app) as s:
        return s.exec(select(User).where(User.oidc_subject == subject)).first()


def _actions(app: FastAPI) -> list[str]:
    with _session(app) as s:
        return list(s.exec(select(AuditEvent.action).order_by(col(AuditEvent.id))).all())


def _live_sessions(app: FastAPI) -> int:
    with _session(app) as s:
        return len(s.exec(select(UserSession).where(col(UserSession.revoked_at).is_(None))).all())


def _error_text(response) -> str:
    return one(BeautifulSoup(response.text, "html.parser"), "#login-error").get_text(strip=True)


class TestLoginPage:
    def test_shows_the_municipality_login_beside_the_password_form(self, browser, org):
        page = browser().app.get("/login")
        soup = BeautifulSoup(page.text, "html.parser")
        button = one(soup, "#oidc-login")
        assert button.get_text(strip=True) == "Log ind med kommunens login"
        assert str(button["href"]).startswith("/login/oidc")
        assert soup.select_one("#login-form") is not None

    def test_start_redirects_to_the_authorization_endpoint_with_pkce_state_and_nonce(
        self, browser, provider: Provider, org
    ):
        location = browser().start()
        query = parse_qs(urlsplit(location).query)
        assert query["response_type"] == ["code"]
        assert query["redirect_uri"] == [REDIRECT_URI]
        assert query["code_challenge_method"] == ["S256"]
        assert query["state"][0]
        assert query["nonce"][0]
        assert query["code_challenge"][0]
        assert "openid" in query["scope"][0].split()


class TestSignIn:
    def test_whole_flow_creates_the_user_and_logs_in(self, browser, provider, oidc_app, org):
        login = provider.new_login("sofie")
        provider.set_claims(
            login,
            name="Sofie Sørensen",
            preferred_username=login,
            email="sofie@example.dk",
            roles=["staff"],
            institution=DAYCARE_UNIT,
        )
        agent = browser()
        answer = agent.sign_in(login)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/"
        me = agent.app.get("/api/v1/session").json()["user"]
        assert me["role"] == "staff"
        assert me["institution_id"] == org.daycare_id
        assert me["display_name"] == "Sofie Sørensen"
        user = _user(oidc_app, login)
        assert user is not None
        assert user.username == login
        assert not user.has_password
        assert "trivsel_oidc" not in agent.app.cookies  # the flow is used once
        actions = _actions(oidc_app)
        assert "user:oidc_create" in actions
        assert actions[-1] == "auth:login"

    def test_the_user_of_the_provider_has_no_password_to_change(self, browser, provider, org):
        login = provider.new_login()
        provider.set_claims(login, roles=["leader"], institution=DAYCARE_UNIT)
        agent = browser()
        agent.sign_in(login)
        start = agent.app.get("/")
        assert start.status_code == 200
        soup = BeautifulSoup(start.text, "html.parser")
        assert soup.find("a", string="Skift adgangskode") is None
        assert agent.app.get("/account/password").status_code == 403

    def test_a_social_worker_gets_the_district_of_the_claim(self, browser, provider, org):
        login = provider.new_login()
        provider.set_claims(login, roles=["social_worker"], district=NORD_UNIT)
        agent = browser()
        assert agent.sign_in(login).status_code == 303
        me = agent.app.get("/api/v1/session").json()["user"]
        assert (me["role"], me["district_id"], me["institution_id"]) == (
            "social_worker",
            org.nord_id,
            None,
        )

    def test_a_user_moved_to_another_institution_gets_the_new_one(
        self, browser, provider, oidc_app, org
    ):
        login = provider.new_login()
        provider.set_claims(login, roles=["staff"], institution=DAYCARE_UNIT)
        assert browser().sign_in(login).status_code == 303
        provider.set_claims(login, roles=["staff"], institution=SCHOOL_UNIT)
        agent = browser()
        assert agent.sign_in(login).status_code == 303
        assert agent.app.get("/api/v1/session").json()["user"]["institution_id"] == org.school_id
        user = _user(oidc_app, login)
        assert user is not None
        assert user.institution_id == org.school_id
        assert "user:oidc_update" in _actions(oidc_app)


class TestRefusals:
    def test_no_mapped_role_is_a_danish_403_and_stores_only_the_audit_row(
        self, browser, provider, oidc_app, org
    ):
        login = provider.new_login()
        provider.set_claims(login, roles=["vikar"], institution=DAYCARE_UNIT)
        agent = browser()
        answer = agent.sign_in(login)
        assert answer.status_code == 403
        assert "ikke adgang til Trivselsguiden" in _error_text(answer)
        assert _user(oidc_app, login) is None
        assert _live_sessions(oidc_app) == 0
        assert _actions(oidc_app) == ["auth:oidc_refused"]
        assert agent.app.get("/api/v1/session").status_code == 401

    def test_an_unknown_organisation_unit_is_refused(self, browser, provider, oidc_app, org):
        login = provider.new_login()
        provider.set_claims(login, roles=["staff"], institution="en-ukendt-enhed")
        assert browser().sign_in(login).status_code == 403
        assert _user(oidc_app, login) is None

    def test_a_user_whose_role_disappeared_loses_access_and_every_session(
        self, browser, provider, oidc_app, org
    ):
        login = provider.new_login()
        provider.set_claims(login, roles=["staff"], institution=DAYCARE_UNIT)
        first = browser()
        assert first.sign_in(login).status_code == 303
        assert first.app.get("/api/v1/session").status_code == 200
        provider.set_claims(login, roles=[], institution=DAYCARE_UNIT)
        second = browser()
        assert second.sign_in(login).status_code == 403
        assert first.app.get("/api/v1/session").status_code == 401
        assert _live_sessions(oidc_app) == 0
        actions = _actions(oidc_app)
        assert actions[-2:] == ["auth:oidc_refused", "auth:oidc_access_lost"]

    def test_a_wrong_state_is_refused_and_nothing_is_stored(self, browser, provider, oidc_app, org):
        login = provider.new_login()
        provider.set_claims(login, roles=["staff"], institution=DAYCARE_UNIT)
        agent = browser()
        callback, _ = agent.walk(agent.start(), login=login)
        parts = urlsplit(callback)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        query["state"] = "en-anden-state"
        forged = agent.app.get(parts.path, params=query, follow_redirects=False)
        assert forged.status_code == 400
        assert _error_text(forged) == (
            "Login via kommunens login mislykkedes. Prøv at logge ind igen."
        )
        assert _user(oidc_app, login) is None
        assert _live_sessions(oidc_app) == 0
        assert _actions(oidc_app) == ["auth:oidc_failed"]

    def test_a_callback_without_the_flow_cookie_is_refused(self, browser, provider, org):
        login = provider.new_login()
        provider.set_claims(login, roles=["staff"], institution=DAYCARE_UNIT)
        agent = browser()
        callback, _ = agent.walk(agent.start(), login=login)
        agent.app.cookies.clear()
        assert agent.app_get(callback).status_code == 400

    def test_a_replayed_code_is_refused(self, browser, provider, oidc_app, org):
        login = provider.new_login()
        provider.set_claims(login, roles=["staff"], institution=DAYCARE_UNIT)
        agent = browser()
        callback, _ = agent.walk(agent.start(), login=login)
        flow_cookie = agent.app.cookies["trivsel_oidc"]
        assert agent.app_get(callback).status_code == 303
        # The same answer again, even with the flow cookie put back: the provider refuses
        # the used code, and the app stores nothing.
        attacker = browser()
        attacker.app.cookies.set("trivsel_oidc", flow_cookie)
        replay = attacker.app_get(callback)
        assert replay.status_code == 400
        assert "trivsel_session" not in replay.cookies
        assert _live_sessions(oidc_app) == 1
        assert _actions(oidc_app)[-1] == "auth:oidc_failed"

    def test_an_error_from_the_provider_is_refused(self, browser, provider, org):
        agent = browser()
        location = agent.start()
        state = parse_qs(urlsplit(location).query)["state"][0]
        answer = agent.app.get(
            "/login/oidc/callback",
            params={"error": "access_denied", "state": state},
            follow_redirects=False,
        )
        assert answer.status_code == 400


class TestPasswordLoginOff:
    @pytest.fixture
    def oidc_app(self, settings, provider: Provider):
        application = create_app(oidc_settings(settings, provider.issuer, password_login=False))
        yield application
        application.state.engine.dispose()

    def test_the_login_page_has_no_password_form(self, browser, org):
        for headers in ({}, {"HX-Request": "true"}):
            page = browser().app.get("/login", headers=headers)
            soup = BeautifulSoup(page.text, "html.parser")
            assert soup.select_one("#login-form") is None
            assert one(soup, "#oidc-login").get_text(strip=True) == "Log ind med kommunens login"

    def test_password_logins_are_403_on_the_page_and_in_the_api(self, browser, oidc_app, org):
        agent = browser()
        page = agent.app.get("/login")
        body = one(BeautifulSoup(page.text, "html.parser"), "body")
        token = json.loads(str(body["hx-headers"]))["X-CSRF-Token"]
        form = agent.app.post(
            "/login",
            data={"username": "staff", "password": "korrekt-hest-batteri", "csrf_token": token},
        )
        assert form.status_code == 403
        assert _error_text(form) == "Login med adgangskode er slået fra. Brug kommunens login."
        api = agent.app.post(
            "/api/v1/session", json={"username": "staff", "password": "korrekt-hest-batteri"}
        )
        assert api.status_code == 403
        assert api.json()["error"]["code"] == "password_login_disabled"
        assert _live_sessions(oidc_app) == 0

    def test_the_provider_still_signs_in(self, browser, provider, org):
        login = provider.new_login()
        provider.set_claims(login, roles=["admin"])
        agent = browser()
        assert agent.sign_in(login).status_code == 303
        assert agent.app.get("/api/v1/session").json()["user"]["role"] == "admin"


class TestLogout:
    def test_the_page_logout_ends_the_providers_session_too(self, browser, provider, oidc_app, org):
        login = provider.new_login()
        provider.set_claims(login, roles=["staff"], institution=DAYCARE_UNIT)
        agent = browser()
        agent.sign_in(login)
        csrf = agent.app.get("/api/v1/session").json()["csrf_token"]
        out = agent.app.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
        assert out.status_code == 303
        location = out.headers["location"]
        assert location.startswith(provider.issuer)
        query = parse_qs(urlsplit(location).query)
        assert query["post_logout_redirect_uri"] == [POST_LOGOUT_URI]
        assert query["id_token_hint"][0].count(".") == 2
        assert agent.app.get("/api/v1/session").status_code == 401
        with _session(oidc_app) as s:
            assert all(r.oidc_id_token is None for r in s.exec(select(UserSession)).all())
        back, _ = agent.walk(location)
        assert back == POST_LOGOUT_URI
        # The provider's session is gone: the next sign-in asks for the login again.
        again = agent.idp.get(agent.start(), follow_redirects=True)
        assert 'name="login"' in again.text

    def test_the_page_logout_is_allowed_to_leave_for_the_provider(self, browser, provider, org):
        page = browser().app.get("/login")
        policy = page.headers["content-security-policy"]
        assert f"form-action 'self' {provider.issuer}" in policy

    def test_the_api_logout_names_the_providers_end_session_url(self, browser, provider, org):
        login = provider.new_login()
        provider.set_claims(login, roles=["staff"], institution=DAYCARE_UNIT)
        agent = browser()
        agent.sign_in(login)
        csrf = agent.app.get("/api/v1/session").json()["csrf_token"]
        out = agent.app.delete("/api/v1/session", headers={"X-CSRF-Token": csrf})
        assert out.status_code == 204
        link = out.headers["link"]
        assert link.startswith(f"<{provider.issuer}")
        assert link.endswith('rel="end_session"')

    def test_a_password_users_logout_stays_local(self, browser, provider, org):
        agent = browser()
        page = agent.app.get("/login")
        token = one(BeautifulSoup(page.text, "html.parser"), "input[name=csrf_token]")["value"]
        agent.app.post(
            "/login", data={"username": "staff", "password": TEST_PASSWORD, "csrf_token": token}
        )
        csrf = agent.app.get("/api/v1/session").json()["csrf_token"]
        out = agent.app.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
        assert out.headers["location"] == "/login"


class TestEdges:
    def test_without_a_provider_there_is_no_button_and_no_route(self, client, org):
        soup = BeautifulSoup(client.get("/login").text, "html.parser")
        assert soup.select_one("#oidc-login") is None
        assert client.get("/login/oidc", follow_redirects=False).status_code == 404
        assert client.get("/login/oidc/callback", follow_redirects=False).status_code == 404

    def test_a_claimed_user_name_never_takes_over_a_local_account(
        self, browser, provider, oidc_app, org
    ):
        login = provider.new_login()
        provider.set_claims(
            login, preferred_username="staff", roles=["admin"], name="Falsk Medarbejder"
        )
        agent = browser()
        assert agent.sign_in(login).status_code == 303
        me = agent.app.get("/api/v1/session").json()["user"]
        assert me["username"].startswith("oidc-")
        assert me["id"] != org.users["staff"]
        with _session(oidc_app) as s:
            staff = s.get(User, org.users["staff"])
            assert staff is not None
            assert (staff.role, staff.oidc_subject) == ("staff", None)

    def test_a_user_deactivated_by_an_admin_stays_out(self, browser, provider, oidc_app, org):
        login = provider.new_login()
        provider.set_claims(login, roles=["staff"], institution=DAYCARE_UNIT)
        assert browser().sign_in(login).status_code == 303
        with db.session_scope(oidc_app.state.engine) as s:
            user = s.exec(select(User).where(User.oidc_subject == login)).one()
            user.is_active = False
            s.add(user)
        answer = browser().sign_in(login)
        assert answer.status_code == 403
        assert "deaktiveret" in _error_text(answer)

    def test_an_unreachable_provider_is_a_danish_503(self, settings, org):
        from socket import socket

        with socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        app = create_app(oidc_settings(settings, f"http://127.0.0.1:{port}"))
        try:
            with TestClient(app, base_url="http://127.0.0.1") as anonymous:
                answer = anonymous.get("/login/oidc", follow_redirects=False)
            assert answer.status_code == 503
            assert _error_text(answer) == "Kommunens login kan ikke nås lige nu. Prøv igen om lidt."
        finally:
            app.state.engine.dispose()


class TestRoleMapping:
    @pytest.fixture
    def oidc_app(self, settings, provider: Provider):
        mapping = "urn:kommune:trivsel:paedagog=staff,urn:kommune:trivsel:leder=leader"
        application = create_app(
            oidc_settings(settings, provider.issuer, oidc_role_mapping=mapping)
        )
        yield application
        application.state.engine.dispose()

    def test_the_providers_role_values_are_mapped_and_others_are_not(self, browser, provider, org):
        login = provider.new_login()
        provider.set_claims(login, roles=["urn:kommune:trivsel:leder"], institution=DAYCARE_UNIT)
        agent = browser()
        assert agent.sign_in(login).status_code == 303
        assert agent.app.get("/api/v1/session").json()["user"]["role"] == "leader"
        other = provider.new_login()
        provider.set_claims(other, roles=["leader"], institution=DAYCARE_UNIT)
        assert browser().sign_in(other).status_code == 403

    def test_a_new_sign_in_ends_the_session_the_browser_had(self, browser, provider, oidc_app, org):
        login = provider.new_login()
        provider.set_claims(login, roles=["urn:kommune:trivsel:paedagog"], institution=DAYCARE_UNIT)
        agent = browser()
        agent.sign_in(login)
        agent.sign_in(login)
        assert _live_sessions(oidc_app) == 1


class TestFlowCookie:
    def test_a_tampered_flow_cookie_is_refused(self, browser, provider, oidc_app, org):
        login = provider.new_login()
        provider.set_claims(login, roles=["staff"], institution=DAYCARE_UNIT)
        agent = browser()
        callback, _ = agent.walk(agent.start(), login=login)
        tampered = agent.app.cookies["trivsel_oidc"][:-2] + "xx"
        agent.app.cookies.clear()
        agent.app.cookies.set("trivsel_oidc", tampered)
        assert agent.app_get(callback).status_code == 400
        assert _live_sessions(oidc_app) == 0

    def test_the_flow_cookie_is_http_only_lax_and_short_lived(self, browser, org):
        agent = browser()
        response = agent.app.get("/login/oidc", follow_redirects=False)
        cookie = response.headers["set-cookie"].lower()
        assert cookie.startswith("trivsel_oidc=")
        assert "httponly" in cookie
        assert "samesite=lax" in cookie
        assert "max-age=600" in cookie

    def test_the_provider_user_cannot_post_a_new_password(self, browser, provider, org):
        login = provider.new_login()
        provider.set_claims(login, roles=["staff"], institution=DAYCARE_UNIT)
        agent = browser()
        agent.sign_in(login)
        csrf = agent.app.get("/api/v1/session").json()["csrf_token"]
        answer = agent.app.post(
            "/account/password",
            data={
                "current_password": "",
                "new_password": "en-helt-ny-kode-1",
                "repeat_password": "en-helt-ny-kode-1",
                "csrf_token": csrf,
            },
        )
        assert answer.status_code == 403


class TestMixUp:
    def test_a_code_returned_with_another_issuer_is_refused(self, browser, provider, oidc_app, org):
        login = provider.new_login()
        provider.set_claims(login, roles=["staff"], institution=DAYCARE_UNIT)
        agent = browser()
        callback, _ = agent.walk(agent.start(), login=login)
        parts = urlsplit(callback)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        assert query["iss"] == provider.issuer
        query["iss"] = "https://evil.example"
        answer = agent.app.get(parts.path, params=query, follow_redirects=False)
        assert answer.status_code == 400
        assert _live_sessions(oidc_app) == 0
