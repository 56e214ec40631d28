"""Security headers, body limits and the error shapes of api.md."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.web.routing import make_router
from tests.conftest import login


class TestSecurityHeaders:
    @pytest.mark.parametrize("path", ["/login", "/api/v1/session", "/does-not-exist", "/healthz"])
    def test_every_response_carries_the_headers(self, client, path):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert "unsafe-eval" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "camera=()" in response.headers["Permissions-Policy"]

    def test_htmx_fragments_carry_only_what_applies_to_a_fragment(self, as_user):
        user = as_user("admin")
        page = user.client.get("/admin/audit")
        fragment = user.client.get("/admin/audit", headers={"HX-Request": "true"})

        assert fragment.status_code == 200
        assert "<html" not in fragment.text  # a fragment, not a document
        assert fragment.headers["X-Content-Type-Options"] == "nosniff"
        assert fragment.headers["Cache-Control"] == "no-store"
        assert "HX-Request" in fragment.headers["Vary"]
        for name in (
            "Content-Security-Policy",
            "X-Frame-Options",
            "Permissions-Policy",
            "Cross-Origin-Opener-Policy",
            "Referrer-Policy",
        ):
            assert name in page.headers, name
            assert name not in fragment.headers, name

    def test_pages_with_personal_data_are_not_stored(self, as_user, org):
        response = as_user("admin").client.get(f"/admin/users/{org.users['staff']}")
        assert response.headers["Cache-Control"] == "no-store"

    def test_vendored_files_are_cached_immutably(self, client):
        response = client.get("/static/vendor/htmx-2.0.11/htmx.min.js")
        assert response.status_code == 200
        assert "immutable" in response.headers["Cache-Control"]

    def test_pages_have_no_inline_script_or_style(self, as_user):
        from bs4 import BeautifulSoup

        for path in ["/", "/admin/users", "/admin/organisation", "/admin/audit"]:
            soup = BeautifulSoup(as_user("admin").client.get(path).text, "html.parser")
            assert all(tag.get("src") for tag in soup.find_all("script")), path
            assert soup.find("style") is None, path
            assert soup.select("[style]") == [], path

    def test_session_cookie_is_secure_when_configured(self, settings):
        from app.main import create_app

        secure = create_app(settings.model_copy(update={"cookie_secure": True}))
        with TestClient(secure, base_url="https://127.0.0.1") as tc:
            response = tc.get("/login")
            assert "Secure" in response.headers["set-cookie"]
            assert response.headers["set-cookie"].startswith("__Host-trivsel_csrf=")
            assert "max-age" in response.headers["Strict-Transport-Security"]


class TestErrorShapes:
    def _assert_error(self, response, status: int, code: str) -> None:
        assert response.status_code == status
        body = response.json()
        assert set(body) == {"error"}
        assert body["error"]["code"] == code
        assert isinstance(body["error"]["message"], str)
        assert body["error"]["message"]
        assert isinstance(body["error"]["details"], list)

    def test_401(self, client):
        self._assert_error(client.get("/api/v1/session"), 401, "not_authenticated")

    def test_403_without_csrf(self, client, org):
        login(client, "staff")
        self._assert_error(client.delete("/api/v1/session"), 403, "csrf_failed")

    def test_404_for_unknown_api_path(self, client):
        self._assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")

    def test_404_page_is_danish_html(self, client):
        response = client.get("/nothing-here")
        assert response.status_code == 404
        assert "Siden findes ikke" in response.text

    def test_413_for_a_huge_body(self, client):
        huge = b'{"username": "' + b"a" * (1024 * 1024 + 10) + b'", "password": "x"}'
        response = client.post(
            "/api/v1/session", content=huge, headers={"content-type": "application/json"}
        )
        self._assert_error(response, 413, "payload_too_large")

    def test_413_for_a_streamed_body_without_length(self, client):
        def chunks():
            for _ in range(20):
                yield b"a" * 65536

        response = client.post(
            "/api/v1/session", content=chunks(), headers={"content-type": "application/json"}
        )
        self._assert_error(response, 413, "payload_too_large")

    def test_422_names_the_missing_field(self, client):
        response = client.post("/api/v1/session", json={"username": "staff"})
        self._assert_error(response, 422, "validation_error")
        assert response.json()["error"]["details"][0]["field"] == "password"

    def test_422_for_malformed_json(self, client):
        response = client.post(
            "/api/v1/session", content=b"{not json", headers={"content-type": "application/json"}
        )
        self._assert_error(response, 422, "validation_error")

    def test_429(self, client, org):
        for _ in range(5):
            client.post("/api/v1/session", json={"username": "staff", "password": "forkert"})
        self._assert_error(
            client.post("/api/v1/session", json={"username": "staff", "password": "x"}),
            429,
            "too_many_requests",
        )

    def test_unexpected_errors_are_500_without_a_stack_trace(self, app: FastAPI):
        router = make_router()

        @router.get("/api/v1/boom", dependencies=[])
        def boom() -> None:
            raise RuntimeError("secret internals: password=hunter2")

        app.include_router(router)
        with TestClient(app, raise_server_exceptions=False) as tc:
            response = tc.get("/api/v1/boom")
            self._assert_error(response, 500, "internal_error")
            assert "hunter2" not in response.text
            assert "Traceback" not in response.text
            assert response.headers["X-Content-Type-Options"] == "nosniff"


class TestOpenApi:
    def test_documents_every_api_endpoint_and_our_error_body(self, client):
        schema = client.get("/openapi.json").json()
        paths = schema["paths"]
        for path in (
            "/api/v1/session",
            "/api/v1/levels",
            "/api/v1/catalogs",
            "/api/v1/catalogs/{catalog_id}",
            "/api/v1/catalogs/for-age/{years}",
            "/api/v1/evaluate",
            "/api/v1/children",
            "/api/v1/children/{child_id}",
            "/api/v1/assessments",
            "/api/v1/assessments/{assessment_id}",
            "/api/v1/concerns",
            "/api/v1/concerns/{concern_id}",
            "/api/v1/concerns/{concern_id}/transitions",
        ):
            assert path in paths, path
        error = schema["components"]["schemas"]["HTTPValidationError"]
        assert error["required"] == ["error"]
        assert "ErrorInfo" in schema["components"]["schemas"]


class TestNoLeakedTransactions:
    def test_an_error_page_leaves_no_database_connection_checked_out(self, app, as_user):
        social = as_user("social")
        assert social.client.get("/admin/users").status_code == 403
        assert social.client.get("/children/999").status_code == 403
        assert app.state.engine.pool.checkedout() == 0
