"""A joint assessment on two tablets, in both orientations: two participants in two browser
contexts each fill in their own questionnaire alone, neither sees the other's ticks before
submitting; once both have, the comparison appears side by side, and the team finishes the
joint assessment that counts. Every page on the way is axe-clean."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from app.db import local_today
from tests.browser.conftest import RUN_AXE, TABLET_LANDSCAPE, TABLET_PORTRAIT, Server
from tests.browser.flows import (
    SAVED_ON_SERVER,
    api_session,
    expect_status,
    indicators,
    login,
    tap,
)

pytestmark = pytest.mark.browser

ORIENTATIONS = [
    pytest.param(TABLET_PORTRAIT, id="820x1180"),
    pytest.param(TABLET_LANDSCAPE, id="1180x820"),
]
_names = itertools.count(1)


def _axe_clean(page: Any) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    violations = page.evaluate(RUN_AXE)
    assert violations == [], (page.url, violations)


def _child(context: Any, server: Server) -> int:
    csrf = api_session(context, server, "paedagog")
    response = context.request.post(
        server.url("/api/v1/children"),
        headers={"X-CSRF-Token": csrf},
        data={
            "first_name": f"Ella{next(_names)}",
            "last_name": "Fælles",
            "birth_date": "2022-02-01",
        },
    )
    assert response.ok, response.text()
    return int(response.json()["id"])


def _submit_own(page: Any, signs: list[str]) -> None:
    """From the joint page: open one's own questionnaire, tick, finish and confirm."""
    page.get_by_role("button", name=re.compile("din egen vurdering")).click()
    page.wait_for_url(re.compile(r"/assessments/\d+$"))
    expect(page.locator("#joint-notice")).to_be_visible()
    for sign in signs:
        tap(page, sign)
        expect_status(page, SAVED_ON_SERVER)
    _axe_clean(page)
    page.locator("#finish-button").click()
    page.locator("#confirm-finish").wait_for()
    page.get_by_role("button", name="Ja, afslut vurderingen").click()
    page.wait_for_url(re.compile(r"/assessments/\d+$"))
    page.locator("#joint-notice-link").click()
    page.wait_for_url(re.compile(r"/joint-assessments/\d+$"))


@pytest.mark.parametrize("viewport", ORIENTATIONS)
def test_two_participants_submit_alone_then_finish_the_joint_assessment(
    server, new_context, axe_js, viewport
) -> None:
    pia_context = new_context(viewport)
    pia_context.add_init_script(path=str(axe_js))
    child_id = _child(pia_context, server)
    pia = pia_context.new_page()
    pia.goto(server.url(f"/children/{child_id}"))
    pia.locator("#start-joint").click()
    pia.get_by_label("Lone Leder").check()
    _axe_clean(pia)
    pia.get_by_role("button", name="Start den fælles vurdering").click()
    pia.wait_for_url(re.compile(r"/joint-assessments/\d+$"))
    joint_path = pia.url.split(server.base_url, 1)[1]
    expect(pia.locator("#joint-status")).to_have_attribute("data-status", "collecting")
    _axe_clean(pia)

    pia_signs = indicators(3, n=2)
    shared = indicators(2, n=1)
    _submit_own(pia, [*pia_signs, *shared])
    expect(pia.locator("#waiting-note")).to_be_visible()
    expect(pia.locator("#comparison")).to_have_count(0)

    lone_context = new_context(viewport)
    lone_context.add_init_script(path=str(axe_js))
    lone = lone_context.new_page()
    login(lone, server, "leder")
    lone.goto(server.url(joint_path))
    pia_row = lone.locator("#participants-table tbody tr", has_text="Pia Pædagog")
    expect(pia_row).to_have_attribute("data-submitted", "1")
    expect(lone.locator("#comparison")).to_have_count(0)
    assert not any(f"sign-{s}" in lone.content() for s in pia_signs)
    _submit_own(lone, shared)

    expect(lone.locator("#joint-status")).to_have_attribute("data-status", "ready")
    expect(lone.locator(f"[id='sign-{shared[0]}']")).to_have_attribute("data-agreed", "1")
    expect(lone.locator(f"[id='sign-{pia_signs[0]}']")).to_contain_text("Uenige")
    _axe_clean(lone)

    pia.reload()
    expect(pia.locator("#comparison")).to_be_visible()
    expect(pia.locator(f"[id='joint-sign-{shared[0]}']")).to_be_checked()
    pia.get_by_label("Hvad I blev enige om (noter)").fill("Vi er enige om niveau 2 og følger op.")
    # the team agrees the plan here, as on an assessment's finish step
    pia.locator("#joint-finish-form #input-fp-text-0").fill("Fast voksen ved aflevering.")
    pia.locator("#joint-finish-form #input-parents-informed").check()
    pia.locator("#joint-finish-form #input-parents-on").fill(local_today().isoformat())
    pia.locator("#joint-finish-form #input-parents-how").fill("Samtale ved afhentning")
    _axe_clean(pia)
    pia.get_by_label(re.compile("Vi er enige, og den fælles vurdering er endelig")).check()
    pia.get_by_role("button", name="Afslut den fælles vurdering").click()
    pia.wait_for_url(re.compile(r"/assessments/\d+$"))
    expect(pia.locator("#result-kind")).to_have_text("Fælles vurdering")
    expect(pia.locator("#focus-points")).to_contain_text("Fast voksen ved aflevering.")
    expect(pia.locator("#result-parents")).to_contain_text("Samtale ved afhentning")
    _axe_clean(pia)

    lone.goto(server.url(joint_path))
    expect(lone.locator("#joint-status")).to_have_attribute("data-status", "finished")
    expect(lone.locator("#joint-result-link")).to_be_visible()
