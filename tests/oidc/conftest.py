"""A real OpenID provider (npm ``oidc-provider``, tests/oidc/provider.mjs) for the sign-in
tests, an app configured for it, and a user agent that walks the redirects between the two.

The provider runs once per pytest worker on a free loopback port; the fixture waits for the
line it prints when listening and for its discovery document (no sleeps). Each test gives its
accounts their claims (``provider.set_claims``), so tests never share an account's state."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx2
import pytest
from bs4 import BeautifulSoup, Tag
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.main import create_app
from app.settings import Settings

HERE = Path(__file__).parent
SCRIPT = HERE / "provider.mjs"
MODULE = HERE.parent / "browser" / "node_modules" / "oidc-provider" / "package.json"
APP_ORIGIN = "http://127.0.0.1"
CLIENT_ID = "trivselsguiden"
CLIENT_SECRET = "test-client-secret-0123456789abcdef"
REDIRECT_URI = f"{APP_ORIGIN}/login/oidc/callback"
POST_LOGOUT_URI = f"{APP_ORIGIN}/login"
_names = itertools.count(1)


@dataclass
class Provider:
    """The running provider: its issuer URL, and the claims of its accounts."""

    issuer: str

    def set_claims(self, login: str, **claims: Any) -> None:
        """Give the account ``login`` these claims (its next sign-in gets them)."""
        response = httpx2.put(f"{self.issuer}/_test/accounts/{login}", json=claims)
        assert response.status_code == 204, response.text

    @staticmethod
    def new_login(prefix: str = "bruger") -> str:
        """An account name no other test uses."""
        return f"{prefix}-{next(_names)}"


@pytest.fixture(scope="session")
def provider() -> Iterator[Provider]:
    """oidc-provider on a free port, stopped after the run."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is missing (apt-get install -y nodejs npm)")
    assert MODULE.exists(), "oidc-provider is missing: npm ci --prefix tests/browser"
    config = {
        "client": {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [REDIRECT_URI],
            "post_logout_redirect_uris": [POST_LOGOUT_URI],
        },
        "accounts": {},
    }
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
            [node, str(SCRIPT), json.dumps(config)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        try:
            assert process.stdout is not None
            line = process.stdout.readline()  # blocks until it listens (or exits)
            if not line:
                stderr.seek(0)
                pytest.fail(f"oidc-provider did not start: {stderr.read().decode()[-2000:]}")
            issuer = json.loads(line)["issuer"]
            discovery = httpx2.get(f"{issuer}/.well-known/openid-configuration")
            assert discovery.status_code == 200, discovery.text
            yield Provider(issuer=issuer)
        finally:
            process.terminate()
            process.wait(timeout=10)
            if process.stdout is not None:
                process.stdout.close()


def oidc_settings(settings: Settings, issuer: str, **changes: Any) -> Settings:
    """The test settings with the provider configured."""
    return settings.model_copy(
        update={
            "oidc_issuer": issuer,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": SecretStr(CLIENT_SECRET),
            "oidc_redirect_uri": REDIRECT_URI,
            **changes,
        }
    )


@pytest.fixture
def oidc_app(settings: Settings, provider: Provider) -> Iterator[FastAPI]:
    """The app signing in through the test provider (password login still on)."""
    application = create_app(oidc_settings(settings, provider.issuer))
    yield application
    application.state.engine.dispose()


class Browser:
    """One user agent: the app through its TestClient, the provider over the loopback, and
    the redirects between them followed as a browser would."""

    def __init__(self, app: FastAPI, provider: Provider) -> None:
        self.app = TestClient(app, base_url=APP_ORIGIN)
        self.app.__enter__()
        self.idp = httpx2.Client()
        self.provider = provider

    def close(self) -> None:
        self.app.__exit__(None, None, None)
        self.idp.close()

    def _at_provider(self, url: str) -> bool:
        return url.startswith(self.provider.issuer)

    def walk(self, url: str, *, login: str | None = None) -> tuple[str, httpx2.Response]:
        """Follow ``url`` through the provider (its login form filled with ``login``, its
        consent and logout pages confirmed) until the provider sends the browser back to
        the app; returns that URL (not yet opened) and the last provider response."""
        response = self.idp.get(url)
        for _ in range(20):
            if response.is_redirect:
                target = urljoin(str(response.url), response.headers["location"])
                if not self._at_provider(target):
                    return target, response
                response = self.idp.get(target)
                continue
            assert response.status_code == 200, response.text
            response = self._submit(response, login)
        raise AssertionError("the provider never sent the browser back")

    def _submit(self, page: httpx2.Response, login: str | None) -> httpx2.Response:
        soup = BeautifulSoup(page.text, "html.parser")
        form = soup.find("form")
        assert isinstance(form, Tag), page.text
        data = {
            str(field["name"]): str(field.get("value", ""))
            for field in form.find_all("input")
            if isinstance(field, Tag) and field.get("name")
        }
        if data.get("prompt") == "login":
            assert login is not None, "the provider asks for a login"
            data.update(login=login, password="irrelevant")
        if "xsrf" in data:  # the provider's logout confirmation
            data["logout"] = "yes"
        action = urljoin(str(page.url), str(form.get("action", "")))
        return self.idp.post(action, data=data)

    def app_get(self, url: str) -> Any:
        """Open a URL of the app (without following its redirect)."""
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return self.app.get(path, follow_redirects=False)

    def start(self) -> str:
        """``GET /login/oidc``: the provider URL it redirects to."""
        response = self.app.get("/login/oidc", follow_redirects=False)
        assert response.status_code == 302, response.text
        location = str(response.headers["location"])
        assert self._at_provider(location)
        return location

    def sign_in(self, login: str) -> Any:
        """The whole flow; returns the app's answer to the callback."""
        callback, _ = self.walk(self.start(), login=login)
        assert callback.startswith(REDIRECT_URI)
        return self.app_get(callback)


@pytest.fixture
def browser(oidc_app: FastAPI, provider: Provider) -> Iterator[Any]:
    """A factory of user agents for ``oidc_app``."""
    made: list[Browser] = []

    def _make() -> Browser:
        agent = Browser(oidc_app, provider)
        made.append(agent)
        return agent

    yield _make
    for agent in made:
        agent.close()
