"""What a pædagog sees on a tablet, held upright and on its side: check boxes and radio
buttons with a visible box and checked state on every form (staff and admin alike), the abuse
rule in view the moment a critical sign is ticked, links between the questionnaire's areas with
their counts, finishing that asks first, and a result page whose next step comes first."""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.catalogs import service as catalogs
from tests.browser.conftest import TABLET_LANDSCAPE, TABLET_PORTRAIT, Server
from tests.browser.flows import (
    SAVED_ON_DEVICE,
    SAVED_ON_SERVER,
    add_child,
    api_session,
    expect_status,
    finished_assessment,
    indicators,
    login,
    start_assessment,
    tap,
    wait_for_service_worker,
)

pytestmark = pytest.mark.browser

ORIENTATIONS = pytest.mark.parametrize(
    "viewport", [TABLET_PORTRAIT, TABLET_LANDSCAPE], ids=["portrait", "landscape"]
)

IN_VIEW = """(el) => {
  const box = el.getBoundingClientRect();
  return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
}"""

BELOW_THE_BAR = """(el) => {
  const bar = document.getElementById("assessment-toolbar").getBoundingClientRect();
  return el.getBoundingClientRect().top >= bar.bottom - 1;
}"""

DRAWN_BOX = """(el) => {
  const s = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    width: box.width,
    height: box.height,
    border: parseFloat(s.borderTopWidth),
    borderColor: s.borderTopColor,
    appearance: s.appearance,
  };
}"""


def _draft(context: Any, server: Server, csrf: str, name: str) -> int:
    """A child of four and the pædagog's draft of it (as the "Ny vurdering" button makes it)."""
    child = context.request.post(
        server.url("/api/v1/children"),
        headers={"X-CSRF-Token": csrf},
        data={"first_name": name, "last_name": "Hansen", "birth_date": "2022-03-01"},
    )
    assert child.ok, child.text()
    started = context.request.post(
        server.url(f"/children/{child.json()['id']}/assessments"),
        headers={"X-CSRF-Token": csrf},
        max_redirects=0,
    )
    return int(started.headers["location"].rsplit("/", 1)[1])


def _assert_every_control_is_drawn_and_shows_its_state(page: Any) -> int:
    controls = page.locator("input[type=checkbox]:visible, input[type=radio]:visible")
    count = controls.count()
    for index in range(count):
        control = controls.nth(index)
        drawn = control.evaluate(DRAWN_BOX)
        assert drawn["width"] >= 20, drawn
        assert drawn["height"] >= 20, drawn
        assert drawn["border"] >= 1, drawn
        assert drawn["borderColor"] != "rgba(0, 0, 0, 0)", drawn
        control.scroll_into_view_if_needed()
        before = control.screenshot(animations="disabled")
        if not control.is_checked():
            control.check(force=True)
            assert control.screenshot(animations="disabled") != before, index
            if control.get_attribute("type") == "checkbox":
                control.uncheck(force=True)
    return count


class TestEveryControlIsSeen:
    @ORIENTATIONS
    def test_the_notification_forms_boxes_and_radios(self, server, new_context, viewport):
        context = new_context(viewport)
        csrf = api_session(context, server)
        finished = finished_assessment(
            context, server, csrf, observed=indicators(3) + indicators(2), first_name="Kasper"
        )
        page = context.new_page()
        page.goto(server.url(f"/assessments/{finished}/notification"))
        assert page.locator("#input-confirm").is_visible()
        assert _assert_every_control_is_drawn_and_shows_its_state(page) >= 3

    @ORIENTATIONS
    def test_an_admin_forms_box(self, server, new_context, viewport):
        context = new_context(viewport)
        api_session(context, server, "admin")
        page = context.new_page()
        page.goto(server.url("/admin/institutions/1"))
        assert _assert_every_control_is_drawn_and_shows_its_state(page) >= 1


class TestQuestionnaire:
    @ORIENTATIONS
    def test_a_critical_sign_puts_the_abuse_rule_in_view_at_once(
        self, server, new_context, viewport
    ):
        context = new_context(viewport)
        csrf = api_session(context, server)
        draft = _draft(context, server, csrf, "Clara")
        page = context.new_page()
        page.goto(server.url(f"/assessments/{draft}"))
        rule = page.locator("#toolbar-critical")
        assert not rule.is_visible()
        [sign] = indicators(4, critical=True)
        box = page.locator(f"input[value='{sign}']")
        box.scroll_into_view_if_needed()
        tap(page, sign)
        expect_status(page, SAVED_ON_SERVER)
        rule.wait_for(state="visible")
        assert "Fortæl ikke forældrene" in rule.inner_text()
        assert rule.evaluate(IN_VIEW), "the abuse rule is not on the screen"
        assert box.evaluate(IN_VIEW), "the ticked sign scrolled away"
        tap(page, sign)
        rule.wait_for(state="hidden")

    @ORIENTATIONS
    def test_an_acute_sign_puts_the_acute_rule_in_view_and_keeps_the_parents(
        self, server, new_context, viewport
    ):
        context = new_context(viewport)
        csrf = api_session(context, server)
        draft = _draft(context, server, csrf, "Alma")
        page = context.new_page()
        page.goto(server.url(f"/assessments/{draft}"))
        rule = page.locator("#toolbar-acute")
        assert not rule.is_visible()
        sign = next(i.id for i in _catalog_3_5().indicators() if i.acute)
        box = page.locator(f"input[value='{sign}']")
        box.scroll_into_view_if_needed()
        tap(page, sign)
        expect_status(page, SAVED_ON_SERVER)
        rule.wait_for(state="visible")
        assert "Forældrene må gerne orienteres" in rule.inner_text()
        assert rule.evaluate(IN_VIEW), "the acute rule is not on the screen"
        assert box.evaluate(IN_VIEW), "the ticked sign scrolled away"
        assert not page.locator("#toolbar-critical").is_visible()
        # Acute is not the abuse rule: the parents' guidance stays in the summary.
        parents = page.locator("#guidance")
        assert parents.is_visible()
        assert "Forældrene" in parents.inner_text()
        assert "må gerne tale med dem" in page.locator("#acute-alert").inner_text()
        tap(page, sign)
        rule.wait_for(state="hidden")

    @ORIENTATIONS
    def test_offline_the_abuse_rule_is_in_view_at_once_too(self, server, new_context, viewport):
        context = new_context(viewport)
        page = context.new_page()
        login(page, server, "paedagog")
        add_child(page, "Frida", "Offline")
        start_assessment(page)
        wait_for_service_worker(page)
        context.set_offline(True)
        [sign] = indicators(4, critical=True)
        page.locator(f"input[value='{sign}']").scroll_into_view_if_needed()
        tap(page, sign)
        expect_status(page, SAVED_ON_DEVICE)
        rule = page.locator("#toolbar-critical")
        rule.wait_for(state="visible")  # the summary as static/offline.js draws it
        assert rule.evaluate(IN_VIEW), "the abuse rule is not on the screen"
        # The area's own count follows the tick offline too (static/js/questionnaire.js).
        area = sign.split(".")[1]
        page.wait_for_function(
            "(id) => document.getElementById(id).textContent.startsWith('1 af')",
            arg=f"area-count-legend-{area}",
        )
        assert page.locator(f"#area-count-nav-{area}").inner_text().startswith("1 af")
        context.set_offline(False)

    @ORIENTATIONS
    def test_offline_the_acute_rule_is_in_view_at_once_too(self, server, new_context, viewport):
        context = new_context(viewport)
        page = context.new_page()
        login(page, server, "paedagog")
        add_child(page, "Asta", "Offline")
        start_assessment(page)
        wait_for_service_worker(page)
        context.set_offline(True)
        sign = next(i.id for i in _catalog_3_5().indicators() if i.acute)
        page.locator(f"input[value='{sign}']").scroll_into_view_if_needed()
        tap(page, sign)
        expect_status(page, SAVED_ON_DEVICE)
        rule = page.locator("#toolbar-acute")
        rule.wait_for(state="visible")  # the summary as static/js/summary.js draws it
        assert rule.evaluate(IN_VIEW), "the acute rule is not on the screen"
        assert page.locator("#guidance").is_visible()
        context.set_offline(False)

    @ORIENTATIONS
    def test_area_links_jump_and_each_area_counts_its_ticks(self, server, new_context, viewport):
        context = new_context(viewport)
        csrf = api_session(context, server)
        draft = _draft(context, server, csrf, "Dagmar")
        catalog = next(c for c in catalogs.shipped_guide().catalogs if c.id == "3-5")
        area = catalog.areas[-2]
        page = context.new_page()
        page.goto(server.url(f"/assessments/{draft}"))
        page.locator("#area-nav").get_by_role("link", name=area.title, exact=True).click()
        page.wait_for_url(re.compile(f"#area-{re.escape(area.id)}$"))
        heading = page.locator(f"#area-{area.id} .area-title")
        assert heading.evaluate(IN_VIEW), "the area's heading is not on the screen"
        assert heading.evaluate(BELOW_THE_BAR), "the sticky bar covers the area's heading"
        count = page.locator(f"#area-count-legend-{area.id}")
        assert count.inner_text().startswith("0 af")
        tap(page, area.indicators[0].id)
        expect_status(page, SAVED_ON_SERVER)
        page.wait_for_function(
            "(id) => document.getElementById(id).textContent.startsWith('1 af')",
            arg=f"area-count-legend-{area.id}",
        )
        assert page.locator(f"#area-count-nav-{area.id}").inner_text().startswith("1 af")


class TestFinishAndResult:
    @ORIENTATIONS
    def test_finishing_asks_first_and_the_result_starts_with_the_next_step(
        self, server, new_context, viewport
    ):
        context = new_context(viewport)
        csrf = api_session(context, server)
        draft = _draft(context, server, csrf, "Emil")
        page = context.new_page()
        page.goto(server.url(f"/assessments/{draft}"))
        tap(page, indicators(3)[0])
        expect_status(page, SAVED_ON_SERVER)
        page.locator("#input-fp-text-0").fill("Fast voksen ved aflevering")
        page.locator("#finish-button").click()
        page.locator("#confirm-finish").wait_for()
        assert "kan ikke ændres" in page.locator("#confirm-warning").inner_text()
        assert "Niveau 3" in page.locator("#confirm-level").inner_text()
        page.get_by_role("button", name="Ja, afslut vurderingen").click()
        page.wait_for_url(re.compile(rf"/assessments/{draft}$"))
        page.locator("#next-steps").wait_for()
        first_button = page.locator("#next-steps .next-step .button").first
        assert first_button.evaluate(IN_VIEW), "the next step's button is below the fold"


def _catalog_3_5():
    return next(c for c in catalogs.shipped_guide().catalogs if c.id == "3-5")
