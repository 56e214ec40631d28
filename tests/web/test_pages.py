"""The manifest, health checks and the HTML shell."""

from __future__ import annotations

from bs4 import BeautifulSoup

from tests.html import attr, one


class TestManifest:
    def test_manifest_makes_the_app_installable(self, client):
        response = client.get("/manifest.webmanifest")
        assert response.headers["content-type"].startswith("application/manifest+json")
        manifest = response.json()
        assert manifest["display"] == "standalone"
        assert manifest["start_url"] == "/"
        assert manifest["lang"] == "da"
        sizes = {icon["sizes"] for icon in manifest["icons"]}
        assert {"192x192", "512x512"} <= sizes
        for icon in manifest["icons"]:
            image = client.get(icon["src"])
            assert image.status_code == 200
            assert image.content.startswith(b"\x89PNG")
            width = int.from_bytes(image.content[16:20], "big")
            assert f"{width}x{width}" == icon["sizes"]


class TestShell:
    def test_login_page_is_danish_and_links_the_manifest(self, client):
        soup = BeautifulSoup(client.get("/login").text, "html.parser")
        assert one(soup, "html")["lang"] == "da"
        assert one(soup, "title").text == "Log ind – Trivselsguiden"
        assert one(soup, "link[rel=manifest]")["href"] == "/manifest.webmanifest"
        assert soup.select_one("meta[name=viewport]") is not None
        assert one(soup, "a.skipnav")["href"] == "#main-content"

    def test_demo_mode_shows_a_banner(self, settings):
        from fastapi.testclient import TestClient

        from app.main import create_app

        demo_app = create_app(settings.model_copy(update={"demo": True}))
        with TestClient(demo_app) as tc:
            soup = BeautifulSoup(tc.get("/login").text, "html.parser")
        assert "Demoversion" in one(soup, ".demo-banner").text

    def test_logged_in_header_shows_user_and_logout(self, as_user):
        soup = BeautifulSoup(as_user("leader").client.get("/").text, "html.parser")
        assert one(soup, ".app-user-name").text == "Lene Leder"
        assert one(soup, "form.app-logout")["action"] == "/logout"
        assert attr(one(soup, "body"), "hx-headers").startswith('{"X-CSRF-Token": ')

    def test_readyz_is_503_when_the_database_is_not_migrated(self, app):
        from fastapi.testclient import TestClient

        from app import db

        with TestClient(app) as tc:
            with app.state.engine.begin() as conn:
                conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'old'")
            try:
                response = tc.get("/readyz")
            finally:
                with app.state.engine.begin() as conn:
                    _current, head = db.migration_state(app.state.engine)
                    conn.exec_driver_sql(
                        "UPDATE alembic_version SET version_num = :v".replace(":v", f"'{head}'")
                    )
        assert response.status_code == 503
        assert response.json()["database"] == "not_migrated"
