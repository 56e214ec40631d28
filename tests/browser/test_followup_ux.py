"""The follow-up in the browser, at both tablet orientations and axe clean: the staff
member's start page lists the to-do (the demo's follow-up story), and finishing at level 2
asks for focus points, which the result then lists."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import RUN_AXE, TABLET_LANDSCAPE, TABLET_PORTRAIT, Server
from tests.browser.flows import SAVED_ON_SERVER, api_session, expect_status, indicators, login, tap

pytestmark = pytest.mark.browser

ORIENTATIONS = pytest.mark.parametrize(
    "viewport", [TABLET_PORTRAIT, TABLET_LANDSCAPE], ids=["portrait", "landscape"]
)


def _axe_clean(page: Any) -> None:
    assert page.evaluate(RUN_AXE) == []


def _draft(context: Any, server: Server, csrf: str, name: str) -> int:
    headers = {"X-CSRF-Token": csrf}
    child = context.request.post(
        server.url("/api/v1/children"),
        headers=headers,
        data={"first_name": name, "last_name": "Fokus", "birth_date": "2022-03-01"},
    )
    assert child.ok, child.text()
    started = context.request.post(
        server.url(f"/children/{child.json()['id']}/assessments"),
        headers=headers,
        max_redirects=0,
    )
    return int(started.headers["location"].rsplit("/", 1)[1])


class TestStartPageToDo:
    @ORIENTATIONS
    def test_the_staff_members_start_page_lists_the_to_do(
        self, server, new_context, axe_js, viewport
    ):
        context = new_context(viewport, bypass_csp=True)
        context.add_init_script(path=str(axe_js))
        page = context.new_page()
        login(page, server, "paedagog")
        page.goto(server.url("/"))
        due = page.locator("#todo-due")
        due.wait_for()
        assert "Asta Demodatter" in due.inner_text()
        assert "Overskredet" in due.inner_text()
        assert "Dagmar Demodatter" in page.locator("#todo-drafts").inner_text()
        assert "Svar på din anonyme sparring" in page.locator("#todo-replies").inner_text()
        _axe_clean(page)
        page.locator("#todo-replies a").first.click()
        page.wait_for_url(re.compile(r"/concerns/\d+$"))

    @ORIENTATIONS
    def test_the_leader_sees_the_overdue_follow_up(self, server, new_context, axe_js, viewport):
        context = new_context(viewport, bypass_csp=True)
        context.add_init_script(path=str(axe_js))
        page = context.new_page()
        login(page, server, "leder")
        page.goto(server.url("/"))
        overdue = page.locator("#todo-overdue")
        overdue.wait_for()
        assert "følges op af Pia Pædagog" in overdue.inner_text()
        _axe_clean(page)


class TestFinishAsksForFocusPoints:
    @ORIENTATIONS
    def test_finishing_at_level_2_asks_for_focus_points(
        self, server, new_context, axe_js, viewport
    ):
        context = new_context(viewport, bypass_csp=True)
        context.add_init_script(path=str(axe_js))
        csrf = api_session(context, server)
        name = "Frede" if viewport == TABLET_PORTRAIT else "Frida"
        draft = _draft(context, server, csrf, name)
        page = context.new_page()
        page.goto(server.url(f"/assessments/{draft}"))
        tap(page, indicators(2)[0])
        expect_status(page, SAVED_ON_SERVER)
        page.locator("#finish-button").click()
        error = page.locator("#error-focus-points")
        error.wait_for()
        assert "mindst ét fokuspunkt" in error.inner_text()
        _axe_clean(page)

        page.locator("#input-fp-text-0").fill("En fast voksen tager imod om morgenen")
        page.locator("#input-fp-who-0").fill("Pia og forældrene")
        page.locator("#finish-button").click()
        page.locator("#confirm-finish").wait_for()
        assert "En fast voksen" in page.locator("#confirm-focus-points").inner_text()
        _axe_clean(page)
        page.get_by_role("button", name="Ja, afslut vurderingen").click()
        page.wait_for_url(re.compile(rf"/assessments/{draft}$"))
        points = page.locator("#focus-points li")
        points.first.wait_for()
        assert "Pia og forældrene" in points.first.inner_text()
        _axe_clean(page)
        # Done from the result page (HTMX swaps the row).
        points.first.get_by_role("button", name="Markér som gjort").click()
        page.locator("#focus-points li strong", has_text="Gjort").wait_for()
