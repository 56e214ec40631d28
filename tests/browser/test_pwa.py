"""Installable and in control: the manifest, the service worker at the root, and a new release
that asks to be loaded ("Ny version – genindlæs") instead of mixing with the old one."""

from __future__ import annotations

import struct

import pytest

from tests.browser.flows import login, wait_for_service_worker

pytestmark = pytest.mark.browser


def _png_size(body: bytes) -> tuple[int, int]:
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", body[16:24])
    return width, height


class TestManifest:
    def test_is_valid_and_names_both_icon_sizes(self, server, new_context) -> None:
        page = new_context().new_page()
        page.goto(server.url("/login"))
        href = page.locator("link[rel=manifest]").get_attribute("href")
        response = page.request.get(server.url(href))

        assert response.ok
        assert response.headers["content-type"].startswith("application/manifest+json")
        manifest = response.json()
        assert manifest["name"] == "Trivselsguiden"
        assert manifest["start_url"] == "/"
        assert manifest["display"] == "standalone"
        sizes = {}
        for icon in manifest["icons"]:
            image = page.request.get(server.url(icon["src"]))
            assert image.ok, icon
            sizes[icon["sizes"]] = _png_size(image.body())
        assert sizes["192x192"] == (192, 192)
        assert sizes["512x512"] == (512, 512)


class TestServiceWorker:
    def test_controls_the_page_from_the_root_scope(self, server, new_context) -> None:
        page = new_context().new_page()
        login(page, server, "paedagog")
        wait_for_service_worker(page)

        scope = page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).scope")
        script = page.evaluate("() => navigator.serviceWorker.controller.scriptURL")
        assert scope == server.url("/")
        assert script == server.url("/sw.js")
        caches = page.evaluate("async () => (await caches.keys()).sort()")
        assert [name.rsplit("-", 2)[0] for name in caches] == ["trivsel-guide", "trivsel-shell"]

    def test_a_page_that_cannot_be_fetched_says_so_honestly(self, server, new_context) -> None:
        context = new_context()
        page = context.new_page()
        login(page, server, "paedagog")
        wait_for_service_worker(page)
        context.set_offline(True)
        page.goto(server.url("/children"))

        assert page.get_by_role("heading", level=1).inner_text() == "Ingen forbindelse"
        context.set_offline(False)
        page.wait_for_selector("#children-search")

    def test_a_new_release_asks_to_be_loaded_and_replaces_the_old_cache(
        self, server, new_context
    ) -> None:
        page = new_context().new_page()
        login(page, server, "paedagog")
        wait_for_service_worker(page)
        old = page.evaluate("async () => (await caches.keys()).sort()")
        try:
            server.publish_release("9.9.9-nyversion")
            page.reload()
            banner = page.get_by_role("button", name="Ny version – genindlæs")
            banner.wait_for(state="visible")
            assert page.evaluate("() => navigator.serviceWorker.controller !== null")

            with page.expect_navigation():
                banner.click()
            page.wait_for_function(
                "async () => (await caches.keys()).includes('trivsel-shell-9.9.9-nyversion')"
            )
            page.wait_for_function(
                "async (old) => !(await caches.keys()).some((k) => old.includes(k))", arg=old
            )
            assert page.locator("#update-banner").is_hidden()
        finally:
            server.publish_release("")
