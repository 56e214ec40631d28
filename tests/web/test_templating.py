"""Page hooks: how a higher domain adds its part to a lower domain's page."""

from __future__ import annotations

from bs4 import BeautifulSoup

from app.web.templating import add_page_hook


class TestPageHooks:
    def test_a_page_hook_adds_to_its_page_and_sees_what_the_view_put_there(self, app, as_user):
        seen = []

        def hook(request, page):
            seen.append(page["q"])
            return {"q": "Fra krogen"}

        add_page_hook(app, "children/list.html", hook)
        staff = as_user("staff")
        page = BeautifulSoup(staff.client.get("/children?q=Alma").text, "html.parser")
        assert page.select_one("#input-q")["value"] == "Fra krogen"
        assert seen == ["Alma"]

    def test_it_runs_for_the_fragment_of_its_page_and_not_for_other_pages(self, app, as_user):
        seen = []
        add_page_hook(app, "children/list.html", lambda request, page: seen.append(1) or {})
        staff = as_user("staff")
        fragment = staff.client.get("/children?q=Alma", headers={"HX-Request": "true"})
        soup = BeautifulSoup(fragment.text, "html.parser")
        assert soup.select_one("#children-results") is not None
        assert soup.select_one("html") is None  # the fragment alone
        assert seen == [1]
        staff.client.get("/")
        staff.client.get("/account/password")
        assert seen == [1]
