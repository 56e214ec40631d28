"""The accessibility statement (tilgængelighedserklæring): every page's footer links it, to
the municipality's own statement when ``TRIVSEL_ACCESSIBILITY_STATEMENT_URL`` is set, to the
built-in page ``/tilgaengelighed`` otherwise."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import login
from tests.html import attr, by_id, one

STATEMENT = "https://was.digst.dk/trivselsguiden-kommune-dk"


def _footer_link(html: str) -> tuple[str, str]:
    footer = one(BeautifulSoup(html, "html.parser"), "footer")
    link = by_id(footer, "accessibility-statement-link")
    return link.get_text(strip=True), attr(link, "href")


@pytest.fixture
def app_with_statement(settings, org) -> Iterator[FastAPI]:
    """The app on the same database, with the municipality's statement configured."""
    application = create_app(settings.model_copy(update={"accessibility_statement_url": STATEMENT}))
    yield application
    application.state.engine.dispose()


class TestFooterLink:
    def test_without_the_setting_public_and_logged_in_pages_link_the_built_in_page(
        self, client, as_user
    ):
        for html in (
            client.get("/login").text,
            client.get("/tilgaengelighed").text,
            as_user("staff").client.get("/children").text,
            as_user("admin").client.get("/").text,
        ):
            assert _footer_link(html) == ("Tilgængelighedserklæring", "/tilgaengelighed")

    def test_with_the_setting_every_page_links_the_municipalitys_statement(
        self, app_with_statement
    ):
        with TestClient(app_with_statement, base_url="http://127.0.0.1") as anonymous:
            assert _footer_link(anonymous.get("/login").text) == (
                "Tilgængelighedserklæring",
                STATEMENT,
            )
        with TestClient(app_with_statement, base_url="http://127.0.0.1") as browser:
            leader = login(browser, "leader")
            for path in ("/", "/children"):
                response = leader.client.get(path)
                assert response.status_code == 200
                assert _footer_link(response.text)[1] == STATEMENT

    def test_error_pages_link_it_too(self, as_user):
        response = as_user("staff").client.get("/children/999999")
        assert response.status_code == 404
        assert _footer_link(response.text)[1] == "/tilgaengelighed"


class TestBuiltInPage:
    @pytest.mark.parametrize("htmx", [False, True])
    def test_open_to_everyone_and_tells_the_municipality_to_publish_its_own(self, client, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get("/tilgaengelighed", headers=headers)

        assert response.status_code == 200
        soup = BeautifulSoup(response.text, "html.parser")
        assert one(soup, "title").get_text() == "Tilgængelighed – Trivselsguiden"
        duty = by_id(soup, "accessibility-duty")
        assert "WAS-Tool" in duty.get_text()
        sources = [attr(a, "href") for a in duty.select("a")]
        assert any(href.startswith("https://digst.dk/") for href in sources)
        assert "axe-core" in by_id(soup, "accessibility-tested").get_text()
