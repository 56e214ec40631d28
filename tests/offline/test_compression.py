"""Gzip for weak Wi-Fi, without a compression oracle: public files always, pages only when the
browser says the request came from this origin or from the user (Sec-Fetch-Site)."""

from __future__ import annotations

import pytest

GZIP = {"Accept-Encoding": "gzip"}


class TestCompression:
    def test_static_files_are_compressed(self, client):
        response = client.get("/static/app.css", headers=GZIP)

        assert response.headers["content-encoding"] == "gzip"
        assert "Accept-Encoding" in response.headers["vary"]

    @pytest.mark.parametrize("site", ["same-origin", "none"])
    def test_pages_asked_for_by_this_origin_or_the_user_are_compressed(self, staff_client, site):
        response = staff_client.client.get("/", headers={**GZIP, "Sec-Fetch-Site": site})

        assert response.headers["content-encoding"] == "gzip"

    @pytest.mark.parametrize("site", ["cross-site", "same-site", None])
    def test_pages_another_site_may_have_caused_are_not(self, staff_client, site):
        headers = {**GZIP, **({"Sec-Fetch-Site": site} if site else {})}
        response = staff_client.client.get("/", headers=headers)

        assert "content-encoding" not in response.headers
        assert "Gå til sidens indhold" in response.text


@pytest.fixture
def staff_client(as_user):
    return as_user("staff")
