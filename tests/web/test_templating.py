"""Template helpers: page hooks (how a higher domain adds its part to a lower domain's page),
and web addresses in content texts becoming links while everything else stays text."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from app.web.templating import add_page_hook, link_parts
from tests.html import one


class TestPageHooks:
    def test_a_page_hook_adds_to_its_page_and_sees_what_the_view_put_there(self, app, as_user):
        seen = []

        def hook(request, page):
            seen.append(page["q"])
            return {"q": "Fra krogen"}

        add_page_hook(app, "children/list.html", hook)
        staff = as_user("staff")
        page = BeautifulSoup(staff.client.get("/children?q=Alma").text, "html.parser")
        assert one(page, "#input-q")["value"] == "Fra krogen"
        assert seen == ["Alma"]

    def test_it_runs_for_the_fragment_of_its_page_and_not_for_other_pages(self, app, as_user):
        seen: list[int] = []

        def hook(request, page):
            seen.append(1)
            return {}

        add_page_hook(app, "children/list.html", hook)
        staff = as_user("staff")
        fragment = staff.client.get("/children?q=Alma", headers={"HX-Request": "true"})
        soup = BeautifulSoup(fragment.text, "html.parser")
        assert soup.select_one("#children-results") is not None
        assert soup.select_one("html") is None  # the fragment alone
        assert seen == [1]
        staff.client.get("/")
        staff.client.get("/account/password")
        assert seen == [1]


class TestLinkParts:
    def test_addresses_are_split_from_the_text_around_them(self) -> None:
        text = "Barnets lov, https://www.regelrytter.dk/barnets-lov ; gengivet i https://x.dk/u"

        assert link_parts(text) == [
            ("Barnets lov, ", False),
            ("https://www.regelrytter.dk/barnets-lov", True),
            (" ; gengivet i ", False),
            ("https://x.dk/u", True),
        ]

    @pytest.mark.parametrize("end", [".", ",", ")", ").", ";"])
    def test_punctuation_after_an_address_is_not_part_of_it(self, end: str) -> None:
        assert link_parts(f"(se https://x.dk/a?id=1,2{end} mere") == [
            ("(se ", False),
            ("https://x.dk/a?id=1,2", True),
            (f"{end} mere", False),
        ]

    @pytest.mark.parametrize(
        "text",
        ["Kun tekst", "javascript:alert(1)", "ftp://x.dk/fil", 'https"onmouseover=x'],
    )
    def test_only_http_and_https_addresses_are_links(self, text: str) -> None:
        assert link_parts(text) == [(text, False)]


class TestUrlFor:
    """Links are made from a template per route (a route-table walk each cost about 1 ms):
    the same addresses Starlette makes, for ids and for routes without parameters; other
    values still go through Starlette's own checks."""

    @staticmethod
    def _url_for(app, name: str, params: dict[str, object], root: str = "") -> str:
        from starlette.requests import Request

        from app.web.templating import url_for

        request = Request({"type": "http", "app": app, "root_path": root, "headers": []})
        return url_for({"request": request}, name, **params)

    def test_ids_and_plain_routes_give_starlettes_addresses(self, app):
        cases: tuple[tuple[str, dict[str, int]], ...] = (
            ("children:detail", {"child_id": 7}),
            ("children:detail", {"child_id": 12345}),
            ("concerns:list", {}),
            ("assessments:tick", {"assessment_id": 3}),
        )
        for name, params in cases:
            assert self._url_for(app, name, dict(params)) == str(app.url_path_for(name, **params))
        assert self._url_for(app, "children:detail", {"child_id": 7}, root="/trivsel") == (
            "/trivsel/children/7"
        )
        assert ("children:detail", ("child_id",)) in app.state.url_templates

    def test_a_typed_parameter_takes_starlettes_way(self, app):
        def numbered(n: int) -> dict[str, int]:
            return {"n": n}

        app.add_api_route("/test-numbered/{n:int}", numbered, name="test:numbered")
        assert self._url_for(app, "test:numbered", {"n": 5}) == "/test-numbered/5"
        assert app.state.url_templates[("test:numbered", ("n",))] == ""  # not cached

    def test_other_values_take_starlettes_way(self, app):
        assert self._url_for(app, "static", {"path": "app.css"}) == str(
            app.url_path_for("static", path="app.css")
        )
        with pytest.raises(AssertionError):  # Starlette refuses a separator in a parameter
            self._url_for(app, "children:detail", {"child_id": "1/2"})

    def test_text_values_are_remembered_as_starlette_made_them(self, app):
        cases: tuple[tuple[str, dict[str, str]], ...] = (
            ("static", {"path": "app.css"}),
            ("static", {"path": "vendor/htmx-2.0.11/htmx.min.js"}),
            ("static", {"path": "/icons/icon-192.png"}),  # Starlette drops the leading slash
            ("children:detail", {"child_id": "12"}),
        )
        for name, params in cases:
            expected = str(app.url_path_for(name, **params))
            assert self._url_for(app, name, dict(params)) == expected
            assert self._url_for(app, name, dict(params)) == expected  # from the memo
        assert (("path", "app.css"),) in {key for _, key in app.state.url_memo}
        assert self._url_for(app, "static", {"path": "app.css"}, root="/t") == "/t/static/app.css"

    def test_a_refused_value_is_refused_every_time_and_the_memo_has_a_cap(self, app):
        from app.web import templating

        for _ in range(2):
            with pytest.raises(AssertionError):
                self._url_for(app, "children:detail", {"child_id": "1/2"})
        for n in range(templating._MEMO_LIMIT + 50):
            self._url_for(app, "static", {"path": f"f{n}.css"})
        assert len(app.state.url_memo) == templating._MEMO_LIMIT
        assert self._url_for(app, "static", {"path": "f999.css"}) == "/static/f999.css"
