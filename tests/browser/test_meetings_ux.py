"""Recording a meeting from the child's page on a tablet, in both orientations: a refused
form shows its errors in place (HTMX), the saved meeting appears at the top of the list, and
its follow-up (due today) is on the recorder's start page with a link back to the child's
meetings. The page is axe-clean in each state."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import RUN_AXE, TABLET_LANDSCAPE, TABLET_PORTRAIT, Server
from tests.browser.flows import api_session

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
            "first_name": f"Mads{next(_names)}",
            "last_name": "Møde",
            "birth_date": "2021-05-01",
        },
    )
    assert response.ok, response.text()
    return int(response.json()["id"])


@pytest.mark.parametrize("viewport", ORIENTATIONS)
def test_record_a_meeting_and_find_its_follow_up_on_the_start_page(
    server, new_context, axe_js, viewport
) -> None:
    context = new_context(viewport)
    context.add_init_script(path=str(axe_js))
    child_id = _child(context, server)
    page = context.new_page()
    page.goto(server.url(f"/children/{child_id}"))
    expect(page.locator("#no-meetings")).to_be_visible()
    _axe_clean(page)

    form = page.locator("#meeting-form")
    form.get_by_role("button", name="Gem mødet").click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#error-kind")).to_be_visible()
    expect(page.locator("#error-participant-role-0")).to_be_visible()
    assert page.url.endswith(f"/children/{child_id}")  # swapped in place
    _axe_clean(page)

    form = page.locator("#meeting-form")
    form.get_by_label("Mødetype").select_option(label="Tværfagligt møde")
    form.get_by_label("Rolle, deltager 1").fill("Pædagog")
    form.get_by_label("Navn, deltager 1").fill("Pia Pædagog")
    form.get_by_label("Rolle, deltager 2").fill("Sundhedsplejerske")
    form.get_by_label("Forældrene deltog i mødet").check()
    form.get_by_label("Hvad blev aftalt?").fill("Sundhedsplejersken ser Mads i næste uge.")
    held_on = form.get_by_label("Mødedato").input_value()
    form.get_by_label("Opfølgningsdato (valgfri)").fill(held_on)
    form.get_by_role("button", name="Gem mødet").click()

    expect(page.locator("#meeting-saved")).to_be_visible()
    items = page.locator("#meeting-list > li")
    expect(items).to_have_count(1)
    expect(items.first.locator("h3")).to_contain_text("Tværfagligt møde")
    expect(items.first.locator(".meeting-parents")).to_have_text("Deltog")
    expect(page.locator("#error-summary")).to_have_count(0)
    _axe_clean(page)

    page.goto(server.url("/"))
    follow_up = page.locator(f"#todo-due a[href='/children/{child_id}#child-meetings']")
    expect(page.locator("#todo-due")).to_contain_text("Opfølgning på tværfagligt møde")
    follow_up.click()
    page.wait_for_url(re.compile(rf"/children/{child_id}#child-meetings$"))
    expect(page.locator("#meeting-list > li")).to_have_count(1)

    page.goto(server.url(f"/children/{child_id}/meetings/new"))
    expect(page.locator("h1")).to_contain_text("Møder om Mads")
    _axe_clean(page)
