"""The client address in the audit log, the login attempts and the sessions: a client cannot
choose it with ``X-Forwarded-For``; only a configured proxy (``TRIVSEL_TRUSTED_PROXIES``) may
name it."""

from __future__ import annotations

from ipaddress import ip_network

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import select

from app import db
from app.accounts.models import LoginAttempt, UserSession
from app.audit.models import AuditEvent
from app.main import create_app
from app.settings import Settings
from app.web.middleware import resolve_client
from tests.factories import TEST_PASSWORD, make_org

PROXY = "10.0.0.5"
SPOOFED = "203.0.113.66"


def _login(client: TestClient, password: str = TEST_PASSWORD, **headers: str) -> int:
    response = client.post(
        "/api/v1/session",
        json={"username": "staff", "password": password},
        headers=headers,
    )
    return response.status_code


def _seen(engine) -> tuple[list[str], list[str], list[str]]:
    with db.session_scope(engine) as s:
        attempts = [a.client_ip for a in s.exec(select(LoginAttempt)).all()]
        sessions = [r.client_ip for r in s.exec(select(UserSession)).all()]
        audit = [e.client_ip for e in s.exec(select(AuditEvent)).all()]
    return attempts, sessions, audit


@pytest.fixture
def proxied_app(settings: Settings):
    application = create_app(
        settings.model_copy(update={"trusted_proxies": f"{PROXY}, 192.168.0.0/16"})
    )
    with db.session_scope(application.state.engine) as s:
        make_org(s)
    yield application
    application.state.engine.dispose()


class TestNoProxyTrustedByDefault:
    def test_the_default_trusts_no_proxy(self):
        assert Settings(_env_file=None).trusted_proxy_networks == ()

    @pytest.mark.parametrize("peer", ["127.0.0.1", "::1", PROXY])
    def test_a_local_peer_cannot_choose_its_address(self, app, org, peer):
        with TestClient(app, base_url="http://127.0.0.1", client=(peer, 50000)) as client:
            assert _login(client, **{"X-Forwarded-For": SPOOFED}) == 200
        attempts, sessions, audit = _seen(app.state.engine)
        assert attempts == [peer]
        assert sessions == [peer]
        assert SPOOFED not in audit
        assert peer in audit

    def test_rotating_the_header_does_not_escape_the_client_throttle(self, app, org):
        limit = app.state.settings.login_max_failures_per_client
        with TestClient(app, base_url="http://127.0.0.1", client=("127.0.0.1", 1)) as client:
            for n in range(limit):
                forged = {"X-Forwarded-For": f"198.51.100.{n}"}
                status = client.post(
                    "/api/v1/session",
                    json={"username": f"ingen{n}", "password": "forkert-kode"},
                    headers=forged,
                ).status_code
                assert status == 401
            assert _login(client, **{"X-Forwarded-For": "198.51.100.250"}) == 429


class TestConfiguredProxy:
    def test_the_address_the_proxy_saw_is_used(self, proxied_app):
        with TestClient(proxied_app, base_url="http://127.0.0.1", client=(PROXY, 1)) as client:
            # The client sent its own header; the proxy appended the address it saw.
            assert _login(client, **{"X-Forwarded-For": f"{SPOOFED}, 198.51.100.7"}) == 200
        attempts, sessions, audit = _seen(proxied_app.state.engine)
        assert attempts == ["198.51.100.7"]
        assert sessions == ["198.51.100.7"]
        assert SPOOFED not in audit

    def test_a_peer_that_is_not_the_proxy_is_not_believed(self, proxied_app):
        with TestClient(
            proxied_app, base_url="http://127.0.0.1", client=("198.51.100.9", 1)
        ) as client:
            assert _login(client, **{"X-Forwarded-For": SPOOFED}) == 200
        attempts, _sessions, _audit = _seen(proxied_app.state.engine)
        assert attempts == ["198.51.100.9"]


class TestResolveClient:
    TRUSTED = (ip_network(PROXY), ip_network("192.168.0.0/16"))

    @pytest.mark.parametrize(
        ("peer", "forwarded", "expected"),
        [
            ("198.51.100.1", [SPOOFED], "198.51.100.1"),
            (PROXY, [], PROXY),
            (PROXY, ["198.51.100.7"], "198.51.100.7"),
            (PROXY, [f"{SPOOFED}, 198.51.100.7"], "198.51.100.7"),
            (PROXY, [f"{SPOOFED}, 198.51.100.7, 192.168.1.2"], "198.51.100.7"),
            (PROXY, [SPOOFED, "198.51.100.7"], "198.51.100.7"),
            (PROXY, ["ikke-en-adresse"], PROXY),
            (PROXY, ["192.168.1.2"], "192.168.1.2"),
        ],
    )
    def test_only_the_hops_of_trusted_proxies_are_believed(self, peer, forwarded, expected):
        assert resolve_client(peer, forwarded, self.TRUSTED) == expected

    def test_a_bad_setting_stops_the_start(self):
        with pytest.raises(ValidationError, match="not an IP address"):
            Settings(_env_file=None, trusted_proxies="10.0.0.5, proxy.local")
